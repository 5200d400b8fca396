import { alternativesIn, type Catalog } from "../catalog/load";
import type { CostBreakdown } from "../costs/options";
import { concentration, evaluatePolicy, groupByChain, type ConcentrationMetrics } from "../diversity";
import type { Fleet } from "../fleet-spec/resolve";
import { budgetCheck, money } from "./money";
import type { Plan, PlannedHost, PlannedNode } from "./types";

const sumBy = (nodes: PlannedNode[], key: (n: PlannedNode) => string) => {
  // A Map: a user-given name (`constructor`, `__proto__`) is never an object key lookup.
  const out = new Map<string, number>();
  for (const n of nodes) out.set(key(n), (out.get(key(n)) ?? 0) + n.monthlyUsd);
  return Object.fromEntries([...out].map(([k, v]) => [k, money(v)]));
};

/** Costs, concentration metrics and the policy verdict of a set of placed nodes. */
export function assemble(fleet: Fleet, catalog: Catalog, nodes: PlannedNode[], hosts: PlannedHost[]): Plan {
  const breakdown: Required<CostBreakdown> = {
    compute: 0,
    storage: 0,
    performance: 0,
    publicIp: 0,
    egress: 0,
    total: 0,
    egressHigh: 0,
  };
  for (const n of nodes) {
    for (const k of Object.keys(breakdown) as Array<keyof CostBreakdown>) {
      // Nodes without an egress range (bare metal, Akash) add their egress to both ends.
      breakdown[k] += k === "egressHigh" ? (n.cost.egressHigh ?? n.cost.egress) : n.cost[k]!;
    }
  }
  for (const k of Object.keys(breakdown) as Array<keyof CostBreakdown>) breakdown[k] = money(breakdown[k]);
  const checks = evaluatePolicy(fleet.spec.policy, nodes, alternativesIn(catalog));
  // The exact sum, as the model's budget row counts it (money.ts); shown rounded.
  const exact = nodes.reduce((a, n) => a + n.monthlyUsd, 0);
  const total = money(exact);
  const budget = fleet.spec.budget?.monthlyUsd;
  if (budget !== undefined) checks.push(budgetCheck(exact, budget));
  const chains: Record<string, ConcentrationMetrics> = {};
  for (const [key, list] of groupByChain(nodes)) chains[key] = concentration(list);
  return {
    fleet: fleet.spec.name,
    nodes,
    gateways: [],
    hosts,
    totals: {
      monthlyUsd: total,
      breakdown,
      byChain: sumBy(nodes, (n) => n.chainKey),
      byOperator: sumBy(nodes, (n) => n.operator),
      byProvider: sumBy(nodes, (n) => n.provider),
      estimate: nodes.some((n) => n.estimate),
    },
    metrics: { fleet: concentration(nodes), chains },
    policy: { satisfied: checks.every((c) => c.ok), checks },
    solver: { name: "HiGHS", status: "assembled", optimal: false, milliseconds: 0, variables: 0 },
  };
}
