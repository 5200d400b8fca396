import { alternativesIn, type Catalog } from "../catalog/load";
import type { CostBreakdown } from "../costs/options";
import { concentration, evaluatePolicy, groupByChain, type ConcentrationMetrics } from "../diversity";
import { evaluateAccessLayer } from "../diversity/access";
import type { Fleet } from "../fleet-spec/resolve";
import { budgetCheck, money } from "./money";
import type { Plan, PlannedGateway, PlannedHost, PlannedMonitor, PlannedNode } from "./types";

/** What the totals read of a node or a gateway. */
type Priced = Pick<PlannedNode, "monthlyUsd" | "cost" | "estimate">;

const sumBy = <T extends Priced>(items: readonly T[], key: (n: T) => string, out = new Map<string, number>()) => {
  // A Map: a user-given name (`constructor`, `__proto__`) is never an object key lookup.
  for (const n of items) out.set(key(n), (out.get(key(n)) ?? 0) + n.monthlyUsd);
  return out;
};
const rounded = (sums: Map<string, number>) => Object.fromEntries([...sums].map(([k, v]) => [k, money(v)]));

function breakdownOf(items: readonly Priced[]): Required<CostBreakdown> {
  const breakdown: Required<CostBreakdown> = {
    compute: 0,
    storage: 0,
    performance: 0,
    publicIp: 0,
    egress: 0,
    total: 0,
    egressHigh: 0,
  };
  for (const n of items) {
    for (const k of Object.keys(breakdown) as Array<keyof CostBreakdown>) {
      // Items without an egress range (bare metal, Akash, gateways) add their egress to both ends.
      breakdown[k] += k === "egressHigh" ? (n.cost.egressHigh ?? n.cost.egress) : (n.cost[k] ?? 0);
    }
  }
  for (const k of Object.keys(breakdown) as Array<keyof CostBreakdown>) breakdown[k] = money(breakdown[k]);
  return breakdown;
}

/** Costs, concentration metrics and the policy verdict of a set of placed nodes and gateways. */
export function assemble(
  fleet: Fleet,
  catalog: Catalog,
  nodes: PlannedNode[],
  hosts: PlannedHost[],
  gateways: PlannedGateway[] = [],
  monitors: PlannedMonitor[] = [],
): Plan {
  const placed = [...nodes, ...gateways, ...monitors];
  const priced: Priced[] = placed;
  const checks = evaluatePolicy(fleet.spec.policy, nodes, alternativesIn(catalog));
  for (const group of fleet.access?.groups ?? []) {
    const mine = gateways.filter((g) => g.chains.join() === group.gateway.chains.join());
    checks.push(...evaluateAccessLayer(group.gateway.policy, mine, group.gateway.scope, group.gateway.owner));
  }
  const watch = fleet.monitoring?.group.gateway;
  if (watch) checks.push(...evaluateAccessLayer(watch.policy, monitors, watch.scope, watch.owner, "monitor"));
  // The exact sum, as the model's objective counts it (money.ts); shown rounded.
  const exact = priced.reduce((a, n) => a + n.monthlyUsd, 0);
  const budget = fleet.spec.budget?.monthlyUsd;
  if (budget !== undefined) checks.push(budgetCheck(exact, budget));
  const chains: Record<string, ConcentrationMetrics> = {};
  for (const [key, list] of groupByChain(nodes)) chains[key] = concentration(list);
  const byChain = sumBy(nodes, (n) => n.chainKey);
  for (const g of gateways)
    for (const chain of g.chains) byChain.set(chain, (byChain.get(chain) ?? 0) + g.monthlyUsd / g.chains.length);
  return {
    fleet: fleet.spec.name,
    nodes,
    gateways,
    ...(fleet.monitoring ? { monitors } : {}),
    hosts,
    totals: {
      monthlyUsd: money(exact),
      breakdown: breakdownOf(priced),
      // A gateway serving several chains is charged to them in equal parts (each is assumed to send the same load).
      byChain: rounded(byChain),
      byOperator: rounded(sumBy(placed, (n) => n.operator)),
      byProvider: rounded(sumBy(placed, (n) => n.provider)),
      estimate: priced.some((n) => n.estimate),
      ...(gateways.length
        ? {
            gateways: {
              monthlyUsd: money(gateways.reduce((a, g) => a + g.monthlyUsd, 0)),
              breakdown: breakdownOf(gateways),
            },
          }
        : {}),
      ...(monitors.length
        ? {
            monitors: {
              monthlyUsd: money(monitors.reduce((a, m) => a + m.monthlyUsd, 0)),
              breakdown: breakdownOf(monitors),
            },
          }
        : {}),
    },
    metrics: { fleet: concentration(nodes), chains },
    policy: { satisfied: checks.every((c) => c.ok), checks },
    solver: { name: "HiGHS", status: "assembled", optimal: false, milliseconds: 0, variables: 0 },
  };
}
