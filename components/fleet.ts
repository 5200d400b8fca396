import * as pulumi from "@pulumi/pulumi";
import { loadCatalog, type Catalog } from "../core/catalog/load";
import type { NodeRelease, Plan, PlannedGateway, PlannedNode } from "../core/plan";
import type { SiteProvider } from "../core/fleet-spec/resolve";
import { cidrProblems, normalizeCidrs } from "../core/workload/firewall";
import { renderWorkload, type Workload, type WorkloadOptions } from "../core/workload/render";
import {
  hostBinding,
  registeredProviders,
  type FleetContext,
  type FleetProviderOptions,
  type HostBinding,
} from "./hosts";
import { randomHexSecret, type NodeHostArgs, type NodeHostOutputs, type NodeOverlay } from "./node-host";
import { rpcKind } from "../core/rpc-kinds";
import { gatewaySources, machineOf, planOverlay, type OverlayOptions, type OverlayPlan } from "../core/overlay";
import { hostConnection } from "./baremetal/binding";
import { Overlay, type OverlayArgs } from "./overlay/overlay";
import { FleetRollout, type FleetRolloutTransform } from "./rollout";
import type { RpcGateway } from "./gateway/rpc-gateway";
import { placementOutput, type FleetPlacementOutput } from "./placement-output";
import {
  deployGateways,
  fleetUpstreamTls,
  gatewayOutputs,
  gatewayProblems,
  type FleetGatewayOptions,
  type FleetGatewayOutput,
} from "./gateway/fleet-gateways";
import {
  deployMonitors,
  probedEndpoints,
  monitorOutputs,
  monitorProblems,
  type FleetMonitorOptions,
  type FleetMonitorOutput,
} from "./monitoring/fleet-monitors";
import type { Monitor } from "./monitoring/monitor";
import { present } from "../core/present";

/** Provider options (`aws`, `gcp`, `azure`, and whatever host modules add) come from FleetProviderOptions. */
export interface FleetArgs extends FleetProviderOptions {
  /** The plan to deploy: `planFleet(...)`'s result. Plain data, so every resource is known at preview. */
  plan: Plan;
  /** Catalog the plan was made with. @default the bundled catalog (`loadCatalog()`) */
  catalog?: Catalog;
  /** CIDRs that may reach RPC ports (exposure rpc). @default [] (RPC private: reachable inside each cloud network only) */
  rpcAllowCidrs?: string[];
  /** CIDRs that may reach SSH on every host. @default [] (SSH closed) */
  adminCidrs?: string[];
  /** SSH public key installed on every host. @default none (no one can log in) */
  sshPublicKey?: string;
  /** L1 execution RPC URL for rollup nodes (OP, Base, Arbitrum). Kept secret. @default none; required when the plan has such a chain */
  l1Rpc?: pulumi.Input<string>;
  /** L1 beacon API URL for rollup nodes. Kept secret. @default none; required when the plan has such a chain */
  l1Beacon?: pulumi.Input<string>;
  /** Host paths of the workload. @default { dataRoot: "/srv/sovereign", configRoot: "/etc/sovereign" } */
  workload?: WorkloadOptions;
  /** What a changed workload does to existing VMs (see NodeHostArgs.workloadUpdates). @default "ignore" */
  workloadUpdates?: NodeHostArgs["workloadUpdates"];
  /** Deploy even though the plan breaks its policy. @default false */
  allowPolicyViolations?: boolean;
  /** Host bindings by provider, over the registered table (components/hosts.ts). @default the registered bindings */
  hosts?: Partial<Record<SiteProvider, HostBinding>>;
  /**
   * The private WireGuard overlay among the fleet's machines (nodes and the plan's gateways;
   * components/overlay): node RPC ports then accept the gateways' overlay addresses through the
   * overlay's interface (and `rpcAllowCidrs`), and gateways dial `FleetNodeOutput.overlayRpcEndpoint`.
   * Bare-metal machines (gateway hosts too) are reached with `baremetal`'s SSH key. Pass the
   * deployed addresses as `previous` so machines keep theirs.
   * @default none (no overlay)
   * @example { cidr: "100.72.0.0/16", wireguardGo: "/usr/local/bin/wireguard-go" }
   */
  overlay?: OverlayOptions & Pick<OverlayArgs, "wireguardGo" | "transform">;
  /**
   * What the plan's gateways share (`Plan.gateways`, placed from the spec's `gateways` section):
   * the Fleet deploys one RpcGateway (components/gateway) per planned gateway on its planned site,
   * in front of every node of its chains, dialled over the overlay when there is one. `transform`
   * edits each gateway's children (see RpcGatewayArgs.transform).
   * @default HTTP on port 80 (HTTPS on 443 with `tls`), open to the world, no API keys, HAProxy `haproxy:2.6.12`
   * @example { tls: { certificate: cfg.require("tlsCertificate"), privateKey: cfg.requireSecret("tlsPrivateKey") } }
   */
  gateways?: FleetGatewayOptions;
  /**
   * Rolling upgrades (`Plan.rollout`, the spec's `rollout`): on bare metal a changed workload
   * restarts a chain's nodes wave by wave, each drained at the bare-metal gateways of its chain, held
   * to the health bar, then put back (components/rollout.ts). `transform` edits those steps.
   * @default the plan's rollout, no transform
   */
  rollout?: { transform?: FleetRolloutTransform };
  /**
   * What the plan's monitors share (`Plan.monitors`, placed from the spec's `monitoring` section):
   * the Fleet deploys one Monitor (components/monitoring) per planned monitor on its host, and a
   * NodeExporter on every bare-metal machine, scraped over the overlay (required with monitors).
   * @default none (required when the plan has monitors)
   * @example { policy: spec.policy, receivers: [{ type: "webhook", name: "ops" }], receiverSecrets: { "ops-url": cfg.requireSecret("alert-ops-url") } }
   */
  monitoring?: FleetMonitorOptions;
}

/** What the Fleet reports per overlay machine (also the program's stack output). */
export interface FleetOverlayMachineOutput {
  name: string;
  address: string;
  publicKey: string;
  nodes: string[];
  gateways: string[];
}

/** What the Fleet reports per node (also the program's stack output). */
export interface FleetNodeOutput extends FleetPlacementOutput {
  chain: string;
  network: string;
  role: string;
  clients: Record<string, string>;
  publicIp: string;
  privateIp: string;
  rpcEndpoint: string;
  /** RPC over the overlay (what the gateways dial); only with an overlay. */
  overlayRpcEndpoint?: string;
  /** RPC through the node's mTLS terminator (what the gateways dial); only for nodes outside the overlay that gateways serve. */
  mtlsRpcEndpoint?: string;
  /** Bare metal: what is added to the node's RPC and private host ports; the next deploy keeps it. */
  hostPortOffset?: number;
  /** The images the node started with, by layer (bare metal): as of the last `pulumi up` that completed. */
  release?: NodeRelease;
}

/**
 * A planned fleet, deployed: per provider the shared scaffolding once (providers per region, VPCs,
 * networks, resource groups) and one host component per node, through the host table
 * (components/hosts.ts; components/index.ts registers the built-in bindings), so bare metal and
 * Akash plug in without changes here; the plan's gateways go on the same scaffolding (each binding's
 * `gatewaySite`), in front of every node of their chains, and the overlay joins them all when asked.
 * Before any resource exists, every binding's preflight runs and every workload is rendered, once;
 * all problems come back as one error.
 *
 * @example
 * const catalog = loadCatalog();
 * const plan = await planFleet(resolveFleet(parseFleetFile("fleet.yaml"), catalog), catalog);
 * const fleet = new Fleet(plan.fleet, {
 *   plan, catalog, rpcAllowCidrs: ["203.0.113.0/24"],
 *   aws: { vpcCidr: "10.8.0.0/16" },
 *   baremetal: { privateKey: cfg.requireSecret("sshPrivateKey") },
 * });
 * export const nodes = fleet.nodes;
 */
export class Fleet extends pulumi.ComponentResource {
  /** Host component per node id. */
  readonly hosts: Record<string, NodeHostOutputs>;
  /** Node summaries with addresses, by node id. */
  readonly nodes: pulumi.Output<Record<string, FleetNodeOutput>>;
  readonly monthlyUsd: pulumi.Output<number>;
  /** The overlay, when FleetArgs.overlay is set. */
  readonly overlay?: Overlay;
  /** Overlay machines with their addresses and public keys, by machine name ({} without an overlay). */
  readonly overlayMachines: pulumi.Output<Record<string, FleetOverlayMachineOutput>>;
  /** RpcGateway per planned gateway id ({} when the plan has none). */
  readonly gateways: Record<string, RpcGateway>;
  /** Gateway summaries with their endpoints, by gateway id. */
  readonly gatewayEndpoints: pulumi.Output<Record<string, FleetGatewayOutput>>;
  /** Monitor per planned monitor id ({} when the plan has none). */
  readonly monitors: Record<string, Monitor>;
  /** Monitor summaries with their Prometheus URLs, by monitor id. */
  readonly monitorEndpoints: pulumi.Output<Record<string, FleetMonitorOutput>>;
  /** The monitors' Grafana admin password (user `admin`, a secret; one for all), when Grafana runs. */
  readonly grafanaAdminPassword?: pulumi.Output<string>;

  constructor(name: string, args: FleetArgs, opts?: pulumi.ComponentResourceOptions) {
    super("sovereign:fleet:Fleet", name, {}, opts);
    const catalog = args.catalog ?? loadCatalog();
    const byProvider = groupByProvider(args.plan.nodes);
    const bindings = resolveBindings(name, args, byProvider, args.plan.gateways);
    const ctx = fleetContext(this, name, args, catalog);
    ctx.host.rpcPasswords = rpcPasswords(this, name, args.plan, catalog);
    ctx.workloads = preflight(args, ctx, byProvider, bindings);
    if (args.overlay) {
      const { wireguardGo, transform, ...options } = args.overlay;
      const plan = planOverlay(args.plan, options);
      this.overlay = new Overlay(
        `${name}-overlay`,
        { overlay: plan, connections: overlayConnections(name, args, plan), wireguardGo, transform },
        { parent: this },
      );
      ctx.overlayFor = overlayFor(plan, this.overlay);
    }
    // Nodes outside the overlay (Akash) get an mTLS terminator that only the gateways' certificates pass.
    const upstreamTls = fleetUpstreamTls(ctx, args.gateways);
    ctx.upstreamTlsFor = upstreamTls?.forNode;
    // Gateways on bare metal drain and restore the nodes of a rolling upgrade (they need the SSH key).
    const rollout = args.baremetal?.privateKey
      ? new FleetRollout(ctx, { metrics: args.gateways?.metrics, transform: args.rollout?.transform })
      : undefined;
    ctx.host.rollout = rollout;
    this.hosts = {};
    for (const [provider, nodes] of byProvider)
      Object.assign(this.hosts, present(bindings.get(provider), `the ${provider} binding`).deploy(nodes, ctx));
    rollout?.finish(this.hosts);
    // Gateways start once their upstreams and the overlay exist (health checks would only fail before).
    const upstreams = [...Object.values(this.hosts), ...(this.overlay ? [this.overlay] : [])] as pulumi.Resource[];
    this.gateways = deployGateways(ctx, bindings, this.hosts, args.gateways, upstreams, upstreamTls);
    // Monitors start once what they scrape exists (preflight saw to the overlay, SSH key and receivers).
    this.gatewayEndpoints = gatewayOutputs(args.plan, this.gateways);
    this.monitors =
      this.overlay && args.monitoring && args.baremetal
        ? deployMonitors(ctx, this.overlay.plan, args.baremetal, this.hosts, args.monitoring, {
            dependsOn: [...upstreams, ...Object.values(this.gateways)],
            endpoints: probedEndpoints(args.plan, catalog, this.gatewayEndpoints),
          })
        : {};
    this.monitorEndpoints = monitorOutputs(args.plan, this.monitors);
    this.grafanaAdminPassword = Object.values(this.monitors).find((m) => m.grafanaAdminPassword)?.grafanaAdminPassword;
    this.nodes = nodeOutputs(name, args.plan, this.hosts);
    this.monthlyUsd = pulumi.output(args.plan.totals.monthlyUsd);
    this.overlayMachines = overlayOutputs(this.overlay);
    this.registerOutputs({
      nodes: this.nodes,
      gateways: this.gatewayEndpoints,
      monitors: this.monitorEndpoints,
      monthlyUsd: this.monthlyUsd,
      overlayMachines: this.overlayMachines,
    });
  }
}

/**
 * One RPC password per chain whose RPC kind wants credentials (Bitcoin), drawn once and kept as a
 * secret: every node of the chain gets it, and so do the gateways that serve the chain. One per
 * chain rather than per node: HAProxy sets a request's headers before it picks the server.
 */
function rpcPasswords(
  parent: Fleet,
  name: string,
  plan: Plan,
  catalog: Catalog,
): Record<string, pulumi.Output<string>> {
  const chains = new Map(plan.nodes.map((n) => [n.chainKey, n.chain]));
  return Object.fromEntries(
    [...chains]
      .filter(([, chain]) => rpcKind(catalog.chains.get(chain)?.rpc.kind ?? "evm").auth === "basic")
      .map(([key]) => [key, randomHexSecret(parent, `${name}-rpc-password-${key.replace("/", "-")}`, 24)]),
  );
}

/** SSH connections of the overlay's bare-metal machines (node and gateway hosts), from `baremetal`'s key. */
function overlayConnections(name: string, args: FleetArgs, plan: OverlayPlan) {
  const hosts = new Map(args.plan.hosts.map((h) => [h.name, h]));
  const bare = plan.machines.filter((m) => m.kind === "host");
  const options = args.baremetal;
  if (bare.length && !options?.privateKey)
    throw new pulumi.RunError(
      `Fleet ${name}: the overlay reaches bare-metal hosts ${bare.map((m) => m.name).join(", ")} over SSH: set FleetArgs.baremetal.privateKey`,
    );
  return Object.fromEntries(
    bare.map((m) => [
      m.name,
      hostConnection(present(hosts.get(m.name), `host ${m.name}`), present(options, "FleetArgs.baremetal")),
    ]),
  );
}

/** What a node's or gateway's host needs of its machine in the overlay. */
function overlayFor(plan: OverlayPlan, overlay: Overlay): (placed: { id: string }) => NodeOverlay {
  const sources = gatewaySources(plan);
  return (placed) => {
    const m = machineOf(plan, placed.id);
    return {
      address: m.address,
      interface: plan.interface,
      listenPort: plan.listenPort,
      gatewaySources: sources,
      wgQuick: m.kind === "vm" ? overlay.cloudConfig(m.name) : undefined,
    };
  };
}

function overlayOutputs(overlay: Overlay | undefined): pulumi.Output<Record<string, FleetOverlayMachineOutput>> {
  return pulumi.output(
    Object.fromEntries(
      (overlay?.plan.machines ?? []).map((m) => [
        m.name,
        present(overlay, "the overlay").publicKeys[m.name].apply((publicKey): FleetOverlayMachineOutput => ({
          name: m.name,
          address: m.address,
          publicKey,
          nodes: m.nodes,
          gateways: m.gateways,
        })),
      ]),
    ),
  );
}

function groupByProvider(nodes: readonly PlannedNode[]): Map<SiteProvider, PlannedNode[]> {
  const byProvider = new Map<SiteProvider, PlannedNode[]>();
  for (const n of nodes) byProvider.set(n.provider, [...(byProvider.get(n.provider) ?? []), n]);
  return byProvider;
}

/** The binding of every provider in the plan (nodes and gateways): FleetArgs.hosts, else the registered table. */
function resolveBindings(
  name: string,
  args: FleetArgs,
  byProvider: Map<SiteProvider, PlannedNode[]>,
  gateways: readonly PlannedGateway[],
): Map<SiteProvider, HostBinding> {
  const bindings = new Map<SiteProvider, HostBinding>();
  const placed = new Map<SiteProvider, unknown[]>(byProvider);
  for (const g of gateways) placed.set(g.provider, [...(placed.get(g.provider) ?? []), g]);
  for (const [provider, nodes] of placed) {
    const binding =
      (args.hosts && Object.hasOwn(args.hosts, provider) ? args.hosts[provider] : undefined) ?? hostBinding(provider);
    if (!binding) {
      throw new pulumi.RunError(
        `Fleet ${name}: the plan places ${nodes.length} node(s) or gateway(s) on '${provider}', and no host binding is registered for it (registered: ${registeredProviders().join(", ")}). Remove sites.${provider} from the spec to deploy the rest, or pass FleetArgs.hosts.${provider} (see components/hosts.ts).`,
      );
    }
    bindings.set(provider, binding);
  }
  return bindings;
}

function fleetContext(parent: Fleet, name: string, args: FleetArgs, catalog: Catalog): FleetContext {
  return {
    parent,
    name,
    plan: args.plan,
    catalog,
    host: {
      fleet: args.plan.fleet,
      catalog,
      // Canonical lists (host bits cleared, covered ranges dropped): firewalls never refuse them at up.
      rpcAllowCidrs: normalizeCidrs("rpcAllowCidrs", args.rpcAllowCidrs ?? []).cidrs,
      adminCidrs: normalizeCidrs("adminCidrs", args.adminCidrs ?? []).cidrs,
      sshPublicKey: args.sshPublicKey,
      l1Rpc: args.l1Rpc,
      l1Beacon: args.l1Beacon,
      workload: args.workload,
      workloadUpdates: args.workloadUpdates,
    },
    options: args,
    workloads: new Map(),
  };
}

/**
 * Everything the Fleet can tell is wrong before creating a resource, as one error: CIDRs, the
 * policy, duplicate ids, each binding's preflight, and each node's workload (rendered here, once,
 * with the options its binding asks for; the hosts reuse the result).
 */
function preflight(
  args: FleetArgs,
  ctx: FleetContext,
  byProvider: Map<SiteProvider, PlannedNode[]>,
  bindings: Map<SiteProvider, HostBinding>,
): Map<string, Workload> {
  const problems = [
    ...cidrProblems("rpcAllowCidrs", args.rpcAllowCidrs ?? []),
    ...cidrProblems("adminCidrs", args.adminCidrs ?? []),
  ];
  if (!args.plan.policy.satisfied && !args.allowPolicyViolations) {
    for (const c of args.plan.policy.checks.filter((c) => !c.ok))
      problems.push(`policy ${c.rule} (${c.scope}): ${c.message}`);
  }
  problems.push(
    ...gatewayProblems(args.plan, ctx.catalog, bindings, {
      overlay: args.overlay !== undefined,
      rpcAllowCidrs: args.rpcAllowCidrs ?? [],
    }),
  );
  problems.push(
    ...monitorProblems(args.plan, args.monitoring, {
      overlay: args.overlay !== undefined,
      baremetal: args.baremetal?.privateKey !== undefined,
    }),
  );
  // A provider that holds gateways only gets its checks too (credentials, SSH keys).
  for (const provider of new Set(args.plan.gateways.map((g) => g.provider)))
    if (!byProvider.has(provider)) problems.push(...(bindings.get(provider)?.preflight?.([], ctx) ?? []));
  const ids = new Set<string>();
  for (const n of args.plan.nodes) {
    if (ids.has(n.id)) problems.push(`node id ${n.id} appears twice in the plan`);
    ids.add(n.id);
  }
  const workloads = new Map<string, Workload>();
  for (const [provider, nodes] of byProvider) {
    const binding = present(bindings.get(provider), `the ${provider} binding`);
    try {
      problems.push(...(binding.preflight?.(nodes, ctx) ?? []));
      const options = binding.workloadOptions?.(nodes, ctx) ?? {};
      for (const n of nodes) {
        try {
          const w = renderWorkload(n, ctx.catalog, { fleet: args.plan.fleet, ...args.workload, ...options[n.id] });
          for (const s of w.secrets)
            if (args[s] === undefined)
              problems.push(`${n.id}: chain ${n.chain} needs ${s} (pulumi config set --secret sovereign:${s} <url>)`);
          workloads.set(n.id, w);
        } catch (e) {
          problems.push((e as Error).message);
        }
      }
    } catch (e) {
      problems.push((e as Error).message);
    }
  }
  if (problems.length)
    throw new pulumi.RunError(
      `cannot deploy the plan of fleet ${args.plan.fleet}:\n  - ${[...new Set(problems)].join("\n  - ")}`,
    );
  return workloads;
}

/** The Fleet's per-node summary, from the plan and the host's addresses. */
function nodeOutputs(
  name: string,
  plan: Plan,
  hosts: Record<string, NodeHostOutputs>,
): pulumi.Output<Record<string, FleetNodeOutput>> {
  return pulumi.output(
    Object.fromEntries(
      plan.nodes.map((n) => {
        const h = hosts[n.id];
        if (!h) throw new Error(`Fleet ${name}: the ${n.provider} binding returned no host for node ${n.id}`);
        return [
          n.id,
          pulumi
            .all([h.publicIp, h.privateIp, h.rpcEndpoint, h.overlayRpcEndpoint, h.mtlsRpcEndpoint, h.release])
            .apply(
              ([publicIp, privateIp, rpcEndpoint, overlayRpcEndpoint, mtlsRpcEndpoint, release]): FleetNodeOutput => ({
                ...placementOutput(n),
                chain: n.chain,
                network: n.network,
                role: n.role,
                clients: n.clients,
                publicIp,
                privateIp,
                rpcEndpoint,
                ...(overlayRpcEndpoint ? { overlayRpcEndpoint } : {}),
                ...(mtlsRpcEndpoint ? { mtlsRpcEndpoint } : {}),
                ...(h.hostPortOffset === undefined ? {} : { hostPortOffset: h.hostPortOffset }),
                ...(release ? { release } : {}),
              }),
            ),
        ];
      }),
    ),
  );
}
