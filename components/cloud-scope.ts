/** What the cloud bindings share: nodes grouped by region, and the fleet-scope tags of a region's network. */
import type { PlannedNode } from "../core/plan";
import { fleetTags } from "../core/workload/tags";
import type { FleetContext } from "./hosts";

/** The nodes by region (or location), regions in name order. */
export function byRegion(nodes: readonly PlannedNode[]): Array<[string, PlannedNode[]]> {
  const map = new Map<string, PlannedNode[]>();
  for (const n of nodes) map.set(n.region, [...(map.get(n.region) ?? []), n]);
  return [...map].sort(([a], [b]) => a.localeCompare(b));
}

/** `sovereign:*` tags of what a fleet's nodes in one region share (network, resource group). */
export function regionTags(
  ctx: FleetContext,
  provider: string,
  region: string,
  nodes: readonly PlannedNode[],
): Record<string, string> {
  return fleetTags({
    fleet: ctx.plan.fleet,
    provider,
    operator: nodes[0].operator,
    region,
    jurisdiction: nodes[0].jurisdiction,
  });
}

/** Preflight shared by the clouds: every node's planned storage can be built as a disk there. */
export function diskProblems(nodes: readonly PlannedNode[], build: (node: PlannedNode) => unknown): string[] {
  return nodes.flatMap((n) => {
    try {
      build(n);
      return [];
    } catch (e) {
      return [`${n.id}: ${(e as Error).message}`];
    }
  });
}
