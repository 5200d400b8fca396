import type { Comparison } from "../core/compare/scenarios";
import type { OutageResult } from "../core/outage/simulate";
import type { Plan } from "../core/plan";

/** Bumped on any breaking change of the JSON below; see docs/json-output.md. */
export const JSON_SCHEMA_VERSION = 1;

export function planToJson(plan: Plan): object {
  return {
    schemaVersion: JSON_SCHEMA_VERSION,
    kind: "plan",
    fleet: plan.fleet,
    nodes: plan.nodes.map((n) => ({
      id: n.id, chain: n.chain, network: n.network, role: n.role, clients: n.clients,
      provider: n.provider, operator: n.operator, region: n.region, ...(n.host ? { host: n.host } : {}),
      country: n.country, jurisdiction: n.jurisdiction, cloudAct: n.cloudAct,
      shape: n.shape, vcpu: n.vcpu, memoryGb: n.memoryGb, storage: n.storage,
      monthlyUsd: n.monthlyUsd, cost: n.cost, estimate: n.estimate,
    })),
    hosts: plan.hosts,
    totals: plan.totals,
    metrics: plan.metrics,
    policy: plan.policy,
    // No timing here: the same spec gives byte-identical JSON.
    solver: { name: plan.solver.name, status: plan.solver.status, optimal: plan.solver.optimal, variables: plan.solver.variables },
    sources: [...new Set(plan.nodes.flatMap((n) => n.sources))].sort(),
  };
}

export function comparisonToJson(c: Comparison): object {
  return {
    schemaVersion: JSON_SCHEMA_VERSION,
    kind: "comparison",
    fleet: c.fleet,
    scenarios: c.scenarios.map(({ plan, ...row }) => ({ ...row, ...(plan ? { nodes: plan.nodes.length, costBreakdown: plan.totals.breakdown } : {}) })),
  };
}

export function outageToJson(o: OutageResult, plan: Plan): object {
  return { schemaVersion: JSON_SCHEMA_VERSION, kind: "outage", fleet: plan.fleet, ...o };
}
