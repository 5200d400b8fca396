import type { Comparison } from "../core/compare/scenarios";
import type { OutageResult } from "../core/outage/simulate";
import { JSON_SCHEMA_VERSION, type Plan } from "../core/plan";

export function comparisonToJson(c: Comparison): object {
  return {
    schemaVersion: JSON_SCHEMA_VERSION,
    kind: "comparison",
    fleet: c.fleet,
    scenarios: c.scenarios.map(({ plan, ...row }) => ({
      ...row,
      ...(plan ? { nodes: plan.nodes.length, costBreakdown: plan.totals.breakdown } : {}),
    })),
  };
}

export function outageToJson(o: OutageResult, plan: Plan): object {
  return { schemaVersion: JSON_SCHEMA_VERSION, kind: "outage", fleet: plan.fleet, ...o };
}
