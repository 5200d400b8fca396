/**
 * The Fleet's extension point: a table from a plan's provider (`aws`, `gcp`, `azure`, `akash`,
 * `baremetal`) to the binding that deploys that provider's nodes. A new kind of host registers
 * itself; nothing in Fleet changes:
 *
 * ```ts
 * // components/baremetal/host.ts
 * registerHostBinding("baremetal", {
 *   deploy(nodes, ctx) {
 *     return Object.fromEntries(nodes.map((n) => [n.id, new BareMetalHost(`${ctx.name}-${n.id}`, { ...ctx.host, node: n }, { parent: ctx.parent })]));
 *   },
 * });
 * ```
 * and `components/index.ts` imports the module. `FleetArgs.hosts` overrides the table per Fleet.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { Catalog } from "../core/catalog/load";
import type { Plan, PlannedNode } from "../core/plan";
import type { SiteProvider } from "../core/fleet-spec/resolve";
import type { NodeHostArgs, NodeHostOutputs } from "./node-host";

/**
 * Provider-specific options of a Fleet, keyed by provider. Each binding module adds its key by
 * declaration merging, so FleetArgs grows without edits to the Fleet:
 *
 * ```ts
 * declare module "./hosts" {
 *   interface FleetProviderOptions { baremetal?: BareMetalFleetOptions }
 * }
 * ```
 */
export interface FleetProviderOptions {}

/** What a binding gets from the Fleet. */
export interface FleetContext {
  /** The Fleet component: parent of everything a binding creates. */
  parent: pulumi.ComponentResource;
  /** The Fleet's name: prefix of every child name (`<name>-<node id>`, `<name>-aws-<region>`). */
  name: string;
  plan: Plan;
  catalog: Catalog;
  /** Args every host takes (fleet, catalog, CIDRs, SSH key, secrets, workload options); add `node`. */
  host: Omit<NodeHostArgs, "node">;
  /** Provider-specific options from FleetArgs: `ctx.options.aws`, `ctx.options.baremetal`, ... */
  options: FleetProviderOptions;
}

export interface HostBinding {
  /**
   * Creates the shared scaffolding (providers, networks) for this provider's nodes, once, and one
   * host per node. Returns the hosts by node id.
   */
  deploy(nodes: PlannedNode[], ctx: FleetContext): Record<string, NodeHostOutputs>;
}

const bindings = new Map<SiteProvider, HostBinding>();

/** Registers (or replaces) the binding for a provider. */
export function registerHostBinding(provider: SiteProvider, binding: HostBinding): void {
  bindings.set(provider, binding);
}

export function hostBinding(provider: SiteProvider): HostBinding | undefined {
  return bindings.get(provider);
}

export function registeredProviders(): SiteProvider[] {
  return [...bindings.keys()];
}
