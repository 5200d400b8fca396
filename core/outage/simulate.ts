import { DIMENSIONS, isHit, survivors, type Dimension, type Failure } from "../diversity";
import { SpecError } from "../errors";
import type { Plan } from "../planner/plan";
import type { Policy } from "../spec/schema";

export interface OutageResult {
  failures: Failure[];
  down: string[];
  chains: Array<{ chain: string; total: number; left: number; required: number; ok: boolean }>;
  /** Every chain keeps at least the nodes the policy requires (survive.minNodes, else 1). */
  ok: boolean;
}

/** Parses `operator=aws`, `region=us-east-1`, `jurisdiction=US`, `client=geth`. */
export function parseFailure(text: string): Failure {
  const [dim, value] = text.split("=");
  if (!DIMENSIONS.includes(dim as Dimension) || !value) {
    throw new SpecError([{ path: "--fail", message: `'${text}' is not a failure; use ${DIMENSIONS.map((d) => `${d}=<value>`).join(", ")} (e.g. operator=aws)` }]);
  }
  return { dim: dim as Dimension, value };
}

/** What is left of each chain when everything matching the failures stops at once. */
export function simulateOutage(plan: Plan, policy: Policy, failures: Failure[]): OutageResult {
  const known = new Set(plan.nodes.flatMap((n) => [n.operator, n.region, n.jurisdiction, ...Object.values(n.clients)]));
  const unknown = failures.filter((f) => !known.has(f.value));
  if (unknown.length) {
    throw new SpecError(unknown.map((f) => ({ path: "--fail", message: `no node of the plan has ${f.dim} '${f.value}'` })));
  }
  const required = policy.survive?.minNodes ?? 1;
  const chains = [...survivors(plan.nodes, failures)].map(([chain, s]) => ({ chain, total: s.total, left: s.left, required, ok: s.left >= required }));
  return { failures, down: plan.nodes.filter((n) => isHit(n, failures)).map((n) => n.id), chains, ok: chains.every((c) => c.ok) };
}
