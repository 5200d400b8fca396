import type { PolicyCheck } from "../diversity";
import type { Plan } from "./types";

/** The plan with more checks (e.g. image readiness, known only at run time), and its verdict redone. */
export function withChecks(plan: Plan, checks: readonly PolicyCheck[]): Plan {
  const all = [...plan.policy.checks, ...checks];
  return { ...plan, policy: { satisfied: all.every((c) => c.ok), checks: all } };
}
