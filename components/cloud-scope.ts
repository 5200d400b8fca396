/**
 * What the cloud bindings share: nodes grouped by region, the fleet-scope tags of a region's
 * network, and the scaffolding (provider, network) each region gets once for its nodes and gateways.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { StorageChoice } from "../core/costs/options";
import type { SiteProvider } from "../core/fleet-spec/resolve";
import type { PlannedNode } from "../core/plan";
import { fleetTags } from "../core/workload/tags";
import type { FleetContext, GatewaySite } from "./hosts";
import type { NodeHostArgs, NodeHostOutputs } from "./node-host";

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
  placed: ReadonlyArray<{ operator: string; jurisdiction: string }>,
): Record<string, string> {
  return fleetTags({
    fleet: ctx.plan.fleet,
    provider,
    operator: placed[0].operator,
    region,
    jurisdiction: placed[0].jurisdiction,
  });
}

const scaffolding = new WeakMap<FleetContext, Map<string, unknown>>();

/**
 * The scaffolding `key` names (`aws/us-east-1`: a region's provider and network) in one Fleet,
 * made by `make` the first time a node or a gateway there asks for it: both share one network.
 */
export function scaffold<T>(ctx: FleetContext, key: string, make: () => T): T {
  let made = scaffolding.get(ctx);
  if (!made) scaffolding.set(ctx, (made = new Map()));
  if (!made.has(key)) made.set(key, make());
  return made.get(key) as T;
}

/** The regions of `nodes` and of the plan's gateways on `provider`, in name order. */
export function plannedRegions(ctx: FleetContext, provider: string, nodes: readonly PlannedNode[]): string[] {
  const gateways = (ctx.plan.gateways ?? []).filter((g) => g.provider === provider);
  return [...new Set([...nodes, ...gateways].map((x) => x.region))].sort((a, b) => a.localeCompare(b));
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

/**
 * A gateway on a cloud VM built by `Host` (AwsNodeHost...) with the site's own args (its network),
 * with the disk a gateway described by hand gets there (RpcGatewayArgs.site).
 */
export function cloudGatewaySite<A extends NodeHostArgs>(
  provider: SiteProvider,
  disk: StorageChoice,
  Host: new (name: string, args: A, opts?: pulumi.ComponentResourceOptions) => NodeHostOutputs,
  site: Omit<A, keyof NodeHostArgs>,
  opts: pulumi.ComponentResourceOptions = {},
): GatewaySite {
  return {
    provider,
    disk,
    host: (name, args, hostOpts) => new Host(name, { ...site, ...args } as A, { ...opts, ...hostOpts }),
  };
}
