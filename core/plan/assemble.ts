import { alternativesIn, type Catalog } from "../catalog/load";
import type { CostBreakdown } from "../costs/options";
import { concentration, evaluatePolicy, groupByChain, type ConcentrationMetrics } from "../diversity";
import type { Fleet } from "../fleet-spec/resolve";
import type { Plan, PlannedHost, PlannedNode } from "./types";

const cents = (x: number) => Math.round(x * 100) / 100;
const sumBy = (nodes: PlannedNode[], key: (n: PlannedNode) => string) => {
  const out = new Map<string, number>();
  for (const n of nodes) out.set(key(n), cents((out.get(key(n)) ?? 0) + n.monthlyUsd));
  return Object.fromEntries(out);
};

/** Costs, concentration metrics and the policy verdict of a set of placed nodes. */
export function assemble(fleet: Fleet, catalog: Catalog, nodes: PlannedNode[], hosts: PlannedHost[]): Plan {
  const breakdown: CostBreakdown = { compute: 0, storage: 0, performance: 0, publicIp: 0, egress: 0, total: 0 };
  for (const n of nodes) for (const k of Object.keys(breakdown) as Array<keyof CostBreakdown>) breakdown[k] = cents(breakdown[k] + n.cost[k]);
  const checks = evaluatePolicy(fleet.spec.policy, nodes, alternativesIn(catalog));
  const total = cents(nodes.reduce((a, n) => a + n.monthlyUsd, 0));
  const budget = fleet.spec.budget?.monthlyUsd;
  if (budget !== undefined) {
    checks.push({ rule: "budget.monthlyUsd", scope: "fleet", ok: total <= budget + 1e-6, limit: budget, actual: total, message: `the plan costs $${total.toFixed(2)}/month; the budget is $${budget}` });
  }
  const chains: Record<string, ConcentrationMetrics> = {};
  for (const [key, list] of groupByChain(nodes)) chains[key] = concentration(list);
  return {
    fleet: fleet.spec.name,
    nodes,
    gateways: [],
    hosts,
    totals: {
      monthlyUsd: total, breakdown,
      byChain: sumBy(nodes, (n) => n.chainKey), byOperator: sumBy(nodes, (n) => n.operator), byProvider: sumBy(nodes, (n) => n.provider),
      estimate: nodes.some((n) => n.estimate),
    },
    metrics: { fleet: concentration(nodes), chains },
    policy: { satisfied: checks.every((c) => c.ok), checks },
    solver: { name: "HiGHS", status: "assembled", optimal: false, milliseconds: 0, variables: 0 },
  };
}
