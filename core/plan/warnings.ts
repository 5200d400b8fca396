/** What a user must be told about a plan before deploying it (reports, `plan --format json`, `pulumi up`). */
import type { Plan } from "./types";

/** Told wherever a plan has Akash nodes: their chain data does not outlive the lease. */
export const AKASH_WARNING =
  "Akash: persistent data is lost when a lease closes or a provider leaves, and providers can close leases on their own outages; such a node resyncs from scratch on a new lease: budget the resync time and cost.";

/** The plan's warnings, in a fixed order (empty when there is nothing to say). */
export function planWarnings(plan: Pick<Plan, "nodes">): string[] {
  return plan.nodes.some((n) => n.provider === "akash") ? [AKASH_WARNING] : [];
}
