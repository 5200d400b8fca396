/** What a user must be told about a plan before deploying it (reports, `plan --format json`, `pulumi up`). */
import type { Plan } from "./types";

/** Told wherever a plan has Akash nodes: their chain data does not outlive the lease. */
export const AKASH_WARNING =
  "Akash: persistent data is lost when a lease closes or a provider leaves, and providers can close leases on their own outages; such a node resyncs from scratch on a new lease: budget the resync time and cost.";

/**
 * Told when the plan puts gateways on Akash: the planner may place and price them there (a lease is
 * a cheap, independent site), but no component deploys a gateway on a lease yet, so the Fleet
 * refuses such a plan at preview.
 */
export const akashGatewayWarning = (ids: string[]) =>
  `Akash gateways (${ids.join(", ")}) are priced in this plan, but pulumi up cannot deploy a gateway on an Akash lease yet and refuses the plan: list gateways.sites without akash to deploy the access layer today.`;

/** The plan's warnings, in a fixed order (empty when there is nothing to say). */
export function planWarnings(plan: Pick<Plan, "nodes"> & Partial<Pick<Plan, "gateways">>): string[] {
  const akashGateways = (plan.gateways ?? []).filter((g) => g.provider === "akash").map((g) => g.id);
  return [
    ...(plan.nodes.some((n) => n.provider === "akash") ? [AKASH_WARNING] : []),
    ...(akashGateways.length ? [akashGatewayWarning(akashGateways)] : []),
  ];
}
