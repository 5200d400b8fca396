/**
 * What every node host shares, whatever runs it: tags, exposure rules, the rendered workload and
 * its secrets ({@link prepareHost}), and the {@link NodeHost} base class that holds the common
 * outputs, names children after the component and registers the outputs (as SST's Component).
 * The AWS, GCP, Azure and bare-metal hosts only turn the prepared host into their own resources.
 */
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import { loadCatalog, type Catalog } from "../core/catalog/load";
import type { NodeRelease, PlannedNode } from "../core/plan";
import { cidrProblems, ingressRules, type IngressRule } from "../core/workload/firewall";
import { renderCloudInit, type DataDisk } from "../core/workload/cloud-init";
import { renderNftables } from "../core/workload/nftables";
import {
  renderWorkload,
  workloadFiles,
  type Workload,
  type WorkloadFile,
  type WorkloadOptions,
  type WorkloadSecrets,
} from "../core/workload/render";
import { nodeTags } from "../core/workload/tags";
import { transform, type Transform } from "./transform";
import { present } from "../core/present";

/** The `transform` keys every host has (children made by {@link prepareHost}). */
export interface NodeHostTransform {
  /** The `openssl rand -hex 32` command that makes the engine JWT (when no jwtSecret is given). */
  jwt?: Transform<command.local.CommandArgs>;
}

/** Args every node host takes. */
export interface NodeHostArgs {
  /** The planned node to run (an entry of `Plan.nodes` from `planFleet`). */
  node: PlannedNode;
  /** Fleet name, the `sovereign:fleet` tag. @default "sovereign" */
  fleet?: string;
  /** Catalog the plan was made with. @default the bundled catalog (`loadCatalog()`) */
  catalog?: Catalog;
  /** CIDRs that may reach the node's RPC ports (exposure rpc). @default [] (RPC reachable only from `networkCidrs`) */
  rpcAllowCidrs?: string[];
  /**
   * The CIDRs of the cloud network the host runs in (AWS VPC, GCP subnets of the fleet's network,
   * Azure VNet): they may always reach the RPC ports, so private RPC works inside the network. The
   * cloud bindings set it from the network they create. @default [] (no rule for it)
   */
  networkCidrs?: string[];
  /** CIDRs that may reach SSH. @default [] (SSH closed) */
  adminCidrs?: string[];
  /** SSH public key for the admin user. @default none (no key: nobody can log in) */
  sshPublicKey?: string;
  /** Engine-API JWT (64 hex characters), kept secret. @default generated once per node with `openssl rand -hex 32` (command.local.Command), stable across updates */
  jwtSecret?: pulumi.Input<string>;
  /** L1 execution RPC URL for rollups (chains that require l1Rpc). Kept secret. @default none */
  l1Rpc?: pulumi.Input<string>;
  /** L1 beacon API URL for rollups (chains that require l1Beacon). Kept secret. @default none */
  l1Beacon?: pulumi.Input<string>;
  /**
   * RPC password of the nodes by chain key, for clients whose RPC wants credentials (Bitcoin); the
   * Fleet draws one per chain and gives it to the chain's gateways. Kept secret. @default none; required for such chains
   */
  rpcPasswords?: Record<string, pulumi.Input<string>>;
  /** Where the workload keeps data and config on the host. @default { dataRoot: "/srv/sovereign", configRoot: "/etc/sovereign" } */
  workload?: WorkloadOptions;
  /**
   * What a changed workload (new client image, new secret) does to an existing VM. cloud-init runs
   * at first boot only, so `ignore` keeps the VM as it is (roll nodes one by one with
   * `pulumi up --target-replace <vm urn>`); `replace` replaces the VM at once (the data disk and the
   * IP survive; local NVMe data does not).
   * @default "ignore"
   */
  workloadUpdates?: "ignore" | "replace";
  /**
   * The node's workload, rendered once by the Fleet (with the options its binding asked for).
   * @default rendered here from `node`, `catalog`, `fleet` and `workload`
   */
  rendered?: Workload;
  /** Edit the args of the children every host makes. @default none */
  transform?: NodeHostTransform;
  /**
   * Run this workload instead of the chain node's (used by RpcGateway): the host component builds
   * the same VM, disk, firewall and cloud-init around it. @default the node's workload from the catalog
   */
  customWorkload?: CustomWorkload;
  /**
   * The node's machine in the fleet's private overlay (the Fleet sets it when it has one): the
   * node's RPC ports then accept the gateways' overlay addresses, only through the overlay's
   * interface, besides `rpcAllowCidrs`; the WireGuard port is opened to the world (WireGuard
   * authenticates every packet itself). Cloud VMs bring the interface up from cloud-init
   * (`wg-quick`) with the same nftables table as bare metal.
   * @default none (no overlay)
   */
  overlay?: NodeOverlay;
  /**
   * A rolling upgrade's gate (the Fleet sets it from `Plan.rollout`): what must be done before this
   * node's changed workload starts (its drain at every gateway, after the previous wave put its
   * nodes back). Hosts that update in place honour it (bare metal). @default none (starts at once)
   */
  rollout?: NodeRolloutGate;
}

/** What a node waits for before its workload starts or restarts (components/rollout.ts). */
export interface NodeRolloutGate {
  /** Resources the node's start waits for. */
  before(nodeId: string): Promise<pulumi.Resource[]>;
}

/** A node's place in the overlay (core/overlay), as its host needs it. */
export interface NodeOverlay {
  /** The machine's overlay address. */
  address: string;
  /** The overlay's interface name, e.g. `sovwg0`. */
  interface: string;
  /** WireGuard's UDP port. */
  listenPort: number;
  /** The gateways' overlay addresses as /32 CIDRs: the only overlay sources that may reach RPC. */
  gatewaySources: string[];
  /**
   * Cloud VMs: the machine's `wg-quick` configuration (a secret, from `Overlay.cloudConfig`).
   * @default none (bare metal: the Overlay component brings the interface up over SSH)
   */
  wgQuick?: pulumi.Input<string>;
}

/** A workload rendered outside the catalog's node renderer (the RPC gateway), run by the same host code. */
export interface CustomWorkload {
  /** The workload's structure (paths, unit, ports), known when the component is built. */
  workload: Workload;
  /** The workload as deployed, once inputs such as upstream URLs resolve. @default `workload` */
  final?: pulumi.Input<Workload>;
  /** Inbound rules of the host (exactly these). */
  rules: IngressRule[];
  /** Files beyond `workloadFiles(workload)`, e.g. configuration and secret files: pass a secret Output. */
  files: pulumi.Input<WorkloadFile[]>;
  /** Scheme and port `rpcEndpoint` reports. */
  endpoint: { scheme: "http" | "https"; port: number; public: boolean };
}

/** What every host component exposes. */
export interface NodeHostOutputs {
  /** The planned node id. */
  readonly nodeId: string;
  readonly publicIp: pulumi.Output<string>;
  readonly privateIp: pulumi.Output<string>;
  /** `http://<ip>:<port>` of the chain's RPC: the public IP when rpcAllowCidrs is set, the private IP otherwise. */
  readonly rpcEndpoint: pulumi.Output<string>;
  /** Bare metal: what is added to the node's RPC and private host ports (hosts shared by nodes). */
  readonly hostPortOffset?: number;
  /** `http://<overlay address>:<port>` of the chain's RPC, what the gateways dial; set when the node is in an overlay. */
  readonly overlayRpcEndpoint?: pulumi.Output<string>;
  /** `https://<ip>:<port>` of the node's mTLS terminator, what the gateways dial when the node is outside the overlay (Akash). */
  readonly mtlsRpcEndpoint?: pulumi.Output<string>;
  /** The images the node started with, by layer, for hosts that record it (bare metal). */
  readonly release?: pulumi.Output<NodeRelease>;
}

export interface PreparedHost {
  node: PlannedNode;
  fleet: string;
  catalog: Catalog;
  /** `sovereign:*` tags of every resource of this node. */
  tags: Record<string, string>;
  rules: IngressRule[];
  workload: Workload;
  /** The workload as deployed: a custom workload's final render (real upstream URLs), else `workload`. */
  deployed: pulumi.Output<Workload>;
  rpcPublic: boolean;
  /** The workload's secrets (JWT, L1 URLs) as one secret Output, for hosts that deliver files themselves (bare metal). */
  secretValues: pulumi.Output<WorkloadSecrets>;
  /** Every file of the workload as deployed, secrets filled in (a secret Output), for hosts that deliver files themselves (bare metal). */
  files(): pulumi.Output<WorkloadFile[]>;
  /** Secret cloud-init user-data, once the data disk's device paths are known. */
  userData(devices: pulumi.Input<string[]> | undefined, sshAuthorizedKeys?: string[]): pulumi.Output<string>;
  rpcEndpoint(publicIp: pulumi.Output<string>, privateIp: pulumi.Output<string>): pulumi.Output<string>;
  /** `http://<overlay address>:<rpc port>` when the node is in the overlay. */
  overlayRpcEndpoint?: pulumi.Output<string>;
}

/** Validates the args, renders the workload and sets up its secrets (JWT) as children of `parent`. */
export function prepareHost(parent: pulumi.ComponentResource, name: string, args: NodeHostArgs): PreparedHost {
  const node = args.node;
  const fleet = args.fleet ?? "sovereign";
  const catalog = args.catalog ?? loadCatalog();
  if (args.customWorkload) return prepareCustom(node, fleet, catalog, args.customWorkload, args.overlay);
  const workload = args.rendered ?? renderWorkload(node, catalog, { fleet, ...args.workload });
  for (const secret of workload.secrets) {
    if (args[secret] === undefined) {
      throw new Error(
        `${node.id}: chain ${node.chain} needs ${secret}; set it as a secret: pulumi config set --secret sovereign:${secret} <url>`,
      );
    }
  }
  if (typeof args.jwtSecret === "string" && !/^(0x)?[0-9a-fA-F]{64}$/.test(args.jwtSecret.trim())) {
    throw new Error(`${node.id}: jwtSecret must be 32 bytes as 64 hex characters`);
  }
  const rpcAllowCidrs = args.rpcAllowCidrs ?? [];
  const badNetwork = cidrProblems("networkCidrs", args.networkCidrs ?? []);
  if (badNetwork.length) throw new Error(`${node.id}: ${badNetwork.join("; ")}`);
  const rules = ingressRules(node, catalog, {
    rpcAllowCidrs,
    networkCidrs: args.networkCidrs ?? [],
    adminCidrs: args.adminCidrs ?? [],
  });
  const overlay = args.overlay;
  if (overlay) rules.push(overlayRule(overlay));
  const jwt = workload.needsJwt
    ? pulumi.secret(args.jwtSecret ?? generateJwt(parent, name, args.transform?.jwt))
    : undefined;
  const l1Rpc = args.l1Rpc === undefined ? undefined : pulumi.secret(args.l1Rpc);
  const l1Beacon = args.l1Beacon === undefined ? undefined : pulumi.secret(args.l1Beacon);
  const rpcPasswordInput = args.rpcPasswords?.[node.chainKey];
  if (workload.needsRpcPassword && rpcPasswordInput === undefined)
    throw new Error(
      `${node.id}: the RPC of ${node.chainKey} wants credentials: pass rpcPasswords["${node.chainKey}"] (the Fleet draws one per chain)`,
    );
  const rpcPassword = workload.needsRpcPassword
    ? pulumi.secret(present(rpcPasswordInput, `${node.id}'s RPC password`))
    : undefined;
  const secretValues = pulumi.secret(
    pulumi
      .all([jwt, l1Rpc, l1Beacon, rpcPassword])
      .apply(([jwtValue, l1RpcValue, l1BeaconValue, rpcPasswordValue]): WorkloadSecrets => ({
        jwt: jwtValue?.trim(),
        l1Rpc: l1RpcValue,
        l1Beacon: l1BeaconValue,
        rpcPassword: rpcPasswordValue,
      })),
  );

  return {
    node,
    fleet,
    catalog,
    workload,
    deployed: pulumi.output(workload),
    rules,
    tags: nodeTags(fleet, node),
    rpcPublic: rpcAllowCidrs.length > 0,
    secretValues,
    files: () => pulumi.secret(secretValues.apply((secrets) => workloadFiles(workload, secrets))),
    userData(devices, sshAuthorizedKeys) {
      if (overlay && overlay.wgQuick === undefined)
        throw new Error(`${node.id}: a cloud VM in the overlay needs its wg-quick configuration (NodeOverlay.wgQuick)`);
      return pulumi.secret(
        pulumi.all([devices, secretValues, overlay?.wgQuick]).apply(([devs, secrets, wgQuick]) =>
          renderCloudInit(workload, secrets, {
            disk: devs ? ({ devices: devs } satisfies DataDisk) : undefined,
            sshAuthorizedKeys,
            overlay:
              overlay && wgQuick !== undefined
                ? {
                    interface: overlay.interface,
                    wgQuick,
                    // The VM's own network may still reach RPC, as its cloud firewall says.
                    firewall: renderNftables(workload.node, workload.ports, {
                      rpcAllowCidrs: [...rpcAllowCidrs, ...(args.networkCidrs ?? [])],
                      fleet,
                      overlay: { interface: overlay.interface, sources: overlay.gatewaySources },
                    }),
                  }
                : undefined,
          }),
        ),
      );
    },
    rpcEndpoint(publicIp, privateIp) {
      const ip = rpcAllowCidrs.length > 0 ? publicIp : privateIp;
      return ip.apply((address) => httpUrl(address, workload.rpc.port + workload.hostPortOffset));
    },
    overlayRpcEndpoint: overlay
      ? pulumi.output(httpUrl(overlay.address, workload.rpc.port + workload.hostPortOffset))
      : undefined,
  };
}

/** The overlay's WireGuard port, open to the world like P2P: WireGuard drops every unauthenticated packet. */
export function overlayRule(overlay: Pick<NodeOverlay, "interface" | "listenPort">): IngressRule {
  return {
    key: `wg-${overlay.listenPort}-udp`,
    source: "world",
    protocol: "udp",
    port: overlay.listenPort,
    cidrs: ["0.0.0.0/0"],
    description: `overlay ${overlay.interface} (WireGuard)`,
  };
}

/** A custom workload (the gateway) on a cloud VM; in the overlay it brings up WireGuard and opens its port. */
function prepareCustom(
  node: PlannedNode,
  fleet: string,
  catalog: Catalog,
  custom: CustomWorkload,
  overlay: NodeOverlay | undefined,
): PreparedHost {
  const { workload, endpoint } = custom;
  const rules = overlay ? [...custom.rules, overlayRule(overlay)] : custom.rules;
  const files = pulumi.secret(pulumi.output(custom.files));
  if (overlay && overlay.wgQuick === undefined)
    throw new Error(`${node.id}: a cloud VM in the overlay needs its wg-quick configuration (NodeOverlay.wgQuick)`);
  return {
    node,
    fleet,
    catalog,
    workload,
    deployed: pulumi.output(custom.final ?? workload) as pulumi.Output<Workload>,
    rules,
    tags: nodeTags(fleet, node),
    rpcPublic: endpoint.public,
    secretValues: pulumi.secret(pulumi.output({} as WorkloadSecrets)),
    files: () =>
      pulumi.secret(
        pulumi
          .all([custom.final ?? workload, files])
          .apply(([final, extra]) => [...workloadFiles(final as Workload), ...(extra as WorkloadFile[])]),
      ),
    userData(devices, sshAuthorizedKeys) {
      return pulumi.secret(
        pulumi
          .all([devices, files, custom.final ?? workload, overlay?.wgQuick])
          .apply(([devs, extraFiles, final, wgQuick]) =>
            renderCloudInit(
              final as Workload,
              {},
              {
                disk: devs ? ({ devices: devs } satisfies DataDisk) : undefined,
                sshAuthorizedKeys,
                extraFiles: extraFiles as WorkloadFile[],
                overlay: overlay && wgQuick !== undefined ? { interface: overlay.interface, wgQuick } : undefined,
              },
            ),
          ),
      );
    },
    rpcEndpoint(publicIp, privateIp) {
      return pulumi.interpolate`${endpoint.scheme}://${endpoint.public ? publicIp : privateIp}:${endpoint.port}`;
    },
  };
}

/**
 * A random engine JWT made once on the machine running `pulumi up` and kept in state as a secret:
 * the command runs only when the resource is created, so the value is stable across updates.
 */
export function generateJwt(
  parent: pulumi.Resource,
  name: string,
  t?: Transform<command.local.CommandArgs>,
): pulumi.Output<string> {
  return randomHexSecret(parent, `${name}-jwt`, 32, t);
}

/**
 * `bytes` random bytes as hex, drawn once on the machine running `pulumi up` (the command runs only
 * when the resource is created) and kept in state as a secret.
 */
export function randomHexSecret(
  parent: pulumi.Resource,
  name: string,
  bytes: number,
  t?: Transform<command.local.CommandArgs>,
): pulumi.Output<string> {
  const cmd = new command.local.Command(
    ...transform(
      t,
      name,
      {
        create: `openssl rand -hex ${bytes}`,
        logging: "stderr",
      },
      { parent, additionalSecretOutputs: ["stdout"] },
    ),
  );
  return pulumi.secret(cmd.stdout.apply((s) => s.trim()));
}

/** `http://<host>:<port>`, the host in brackets when it is an IPv6 address (RFC 3986). */
export function httpUrl(host: string, port: number): string {
  return `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
}

/**
 * Base of every node host component (SST-style): the common outputs, children named
 * `<component name>-<part>` with `{ parent: this }`, and `registerOutputs` in one place. A host's
 * constructor reads as a table of contents: `prepare`, then its `create...` steps, then `finish`.
 */
export abstract class NodeHost extends pulumi.ComponentResource implements NodeHostOutputs {
  readonly nodeId: string;
  publicIp!: pulumi.Output<string>;
  privateIp!: pulumi.Output<string>;
  rpcEndpoint!: pulumi.Output<string>;
  overlayRpcEndpoint?: pulumi.Output<string>;

  protected constructor(
    type: string,
    protected readonly componentName: string,
    args: NodeHostArgs,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super(type, componentName, {}, opts);
    this.nodeId = args.node.id;
  }

  /** Checks the args and renders the workload (see {@link prepareHost}). */
  protected prepare(args: NodeHostArgs): PreparedHost {
    const host = prepareHost(this, this.componentName, args);
    this.overlayRpcEndpoint = host.overlayRpcEndpoint;
    return host;
  }

  /** A child's name: the component's name, a dash, the part (`<fleet>-<node>-vm`). */
  protected child(part: string): string {
    return `${this.componentName}-${part}`;
  }

  /** Sets the addresses and registers the common outputs plus the host's own. */
  protected finish(
    addresses: {
      publicIp: pulumi.Output<string>;
      privateIp: pulumi.Output<string>;
      rpcEndpoint: pulumi.Output<string>;
    },
    extra: pulumi.Inputs = {},
  ): void {
    this.publicIp = addresses.publicIp;
    this.privateIp = addresses.privateIp;
    this.rpcEndpoint = addresses.rpcEndpoint;
    const overlay = this.overlayRpcEndpoint ? { overlayRpcEndpoint: this.overlayRpcEndpoint } : {};
    this.registerOutputs({ nodeId: this.nodeId, ...addresses, ...overlay, ...extra });
  }
}

/** Resource options that apply `workloadUpdates` to the property holding the user-data. */
export function userDataOptions(
  mode: NodeHostArgs["workloadUpdates"],
  property: string,
  extraIgnore: string[] = [],
): pulumi.CustomResourceOptions {
  return mode === "replace"
    ? { ignoreChanges: extraIgnore, replaceOnChanges: [property], deleteBeforeReplace: true }
    : { ignoreChanges: [...extraIgnore, property] };
}

/** Groups ingress rules by source class and protocol (GCP firewalls, summaries). */
export function rulesBySource(rules: IngressRule[]): Array<{
  source: IngressRule["source"];
  cidrs: string[];
  allows: Array<{ protocol: string; ports: string[] }>;
  description: string;
}> {
  const groups = new Map<
    string,
    { source: IngressRule["source"]; cidrs: string[]; allows: Map<string, string[]>; what: string[] }
  >();
  for (const r of rules) {
    const key = `${r.source}|${r.cidrs.join(",")}`;
    let g = groups.get(key);
    if (!g) {
      g = { source: r.source, cidrs: r.cidrs, allows: new Map(), what: [] };
      groups.set(key, g);
    }
    g.allows.set(r.protocol, [...(g.allows.get(r.protocol) ?? []), String(r.port)]);
    g.what.push(`${r.port}/${r.protocol} ${r.description}`);
  }
  return [...groups.values()].map((g) => ({
    source: g.source,
    cidrs: g.cidrs,
    allows: [...g.allows].map(([protocol, ports]) => ({ protocol, ports })),
    description: g.what.join("; "),
  }));
}
