/**
 * The Fleet's extension point: a table from a plan's provider (`aws`, `gcp`, `azure`, `akash`,
 * `baremetal`) to the binding that deploys that provider's nodes. components/index.ts registers
 * the built-in bindings, one line each; a new kind of host adds its own line (or a program calls
 * `registerHostBinding`), and nothing in Fleet changes:
 *
 * ```ts
 * // components/index.ts
 * registerHostBinding("baremetal", baremetalBinding);   // components/baremetal/binding.ts
 * ```
 * `FleetArgs.hosts` overrides the table per Fleet.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { Catalog } from "../core/catalog/load";
import type { Plan, PlannedGateway, PlannedNode } from "../core/plan";
import type { SiteProvider } from "../core/fleet-spec/resolve";
import type { Workload, WorkloadOptions } from "../core/workload/render";
import type { StorageChoice } from "../core/costs/options";
import type { NodeHostArgs, NodeHostOutputs, NodeOverlay } from "./node-host";

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
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- empty on purpose: binding modules add keys by declaration merging
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
  /** Every node's workload, rendered once by the Fleet before `deploy` (pass it as `rendered`). */
  workloads: ReadonlyMap<string, Workload>;
  /** A node's or gateway's place in the Fleet's private overlay, when it has one: pass it as NodeHostArgs.overlay. */
  overlayFor?: (placed: { id: string }) => NodeOverlay;
  /**
   * The mTLS terminator of a node outside the overlay that gateways dial (its server certificate,
   * the upstream CA, the HAProxy image); undefined for other nodes. Set by the Fleet.
   */
  upstreamTlsFor?: (
    nodeId: string,
  ) => { image: string; certificate: pulumi.Output<string>; ca: pulumi.Output<string> } | undefined;
}

export interface HostBinding {
  /**
   * What stops this provider's nodes from deploying, found before any resource exists (missing
   * credentials or options, shapes the provider cannot build), one message per problem.
   * @default no checks
   */
  preflight?(nodes: PlannedNode[], ctx: FleetContext): string[];
  /**
   * Workload options per node id (host paths, compose project, port offsets) for the Fleet's one
   * render of each node. @default the Fleet's `workload` options for every node
   */
  workloadOptions?(nodes: PlannedNode[], ctx: FleetContext): Record<string, WorkloadOptions>;
  /**
   * Creates the shared scaffolding (providers, networks) for this provider's nodes, once, and one
   * host per node. Returns the hosts by node id.
   */
  deploy(nodes: PlannedNode[], ctx: FleetContext): Record<string, NodeHostOutputs>;
  /**
   * Where one of this provider's planned gateways runs (RpcGatewayArgs.site): a host factory on the
   * scaffolding its region shares with the nodes. Called after `deploy`, also for providers that
   * hold gateways only (then `deploy` got no nodes).
   * @default none: the Fleet refuses a plan with gateways on this provider
   */
  gatewaySite?(gateway: PlannedGateway, ctx: FleetContext): GatewaySite;
}

/**
 * What a gateway needs to stand on a site: the host component that runs its workload there (a
 * cloud VM on the region's network, an SSH host), so the gateway names no provider itself.
 *
 * @example
 * const site: GatewaySite = {
 *   provider: "aws",
 *   disk: { class: "gp3", sizeGb: 8, local: false },
 *   host: (name, args, opts) => new AwsNodeHost(name, { vpcId, subnetId, availabilityZone, ...args }, { ...opts, providers: [provider] }),
 * };
 */
export interface GatewaySite {
  /** The site's provider: the plan's `gateway.provider`. */
  provider: SiteProvider;
  /**
   * Builds the host around the gateway: `args.customWorkload` is what it runs, `args.node` the
   * gateway as a node. The site adds its own args (network, connection) where `args` leaves them unset.
   */
  host(name: string, args: NodeHostArgs, opts: pulumi.ComponentResourceOptions): NodeHostOutputs;
  /** Where the gateway's workload lives on this site's hosts (bare metal: paths by fleet and gateway). @default the renderer's */
  workloadOptions?(fleet: string, gatewayId: string): WorkloadOptions;
  /** Disk of a gateway described by hand (no planned `storage`): a cloud host always attaches one; HAProxy keeps nothing on it. */
  disk: StorageChoice;
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
