import * as pulumi from "@pulumi/pulumi";
import { loadCatalog, type Catalog } from "../../core/catalog/load";
import type { Plan, PlannedGateway, PlannedNode } from "../../core/plan";
import type { StorageChoice } from "../../core/costs/options";
import {
  gatewayChains,
  gatewayConfigFiles,
  gatewayIngressRules,
  renderGatewayWorkload,
  wsUrlOf,
  type GatewayApiKey,
  type GatewayChainsOptions,
  type GatewayConfigInput,
  type GatewaySecrets,
  type GatewayWorkload,
} from "../../core/gateway";
import type { GatewaySite } from "../hosts";
import type { CustomWorkload, NodeHostArgs, NodeHostOutputs, NodeOverlay } from "../node-host";
import { transform, type Transform } from "../transform";

/** An upstream of one chain: a node of the fleet (its `rpcEndpoint`) or a paid endpoint. */
export interface RpcGatewayUpstream {
  /** Node id; the HAProxy server name. */
  node: string;
  /** `http://host:port` of the node's JSON-RPC, e.g. a host component's `rpcEndpoint`. */
  url: pulumi.Input<string>;
  /** WebSocket URL when it is not `url`'s host and port (geth: 8546). @default `url` */
  wsUrl?: pulumi.Input<string>;
  /** Operator of the node. */
  operator: string;
  /** Serve only when no primary upstream can (paid or remote endpoints). @default false */
  backup?: boolean;
  /**
   * Dial it over mTLS (`url` is https): show `RpcGatewayArgs.upstreamTls`'s client certificate and
   * accept only a server certificate of its CA for `serverName`. For nodes outside the overlay (Akash).
   * @default none
   */
  mtls?: { serverName: string };
}

export interface RpcGatewayChain {
  /** Chain key `chain/network`; served at `<endpoint>/<chain>/<network>`. */
  chain: string;
  /** The chain's RPC kind (a folder of core/rpc-kinds). @default "evm" */
  kind?: string;
  upstreams: RpcGatewayUpstream[];
  /** Blocks an upstream may trail the best upstream's head before it is drained. @default 3 */
  maxLagBlocks?: number;
  /** Pass WebSocket upgrades through (chains whose clients serve WS). @default false */
  websocket?: boolean;
  /**
   * Integrity reads (state and history) answered by the eRPC sidecar only when nodes on
   * `minOperators` operators agree (see GatewayChain.integrity in core/gateway).
   * @default none (every method on HAProxy)
   * @example { chainId: 1, minOperators: 2 }
   */
  integrity?: { chainId: number; minOperators?: number; methods?: string[] };
}

/** An API key with its own rate limit; the key is a secret. */
export interface RpcGatewayApiKey {
  /** Who holds the key (never the key). */
  name: string;
  /** The key: `config.requireSecret(...)`. 16-128 printable characters, no `/`. */
  key: pulumi.Input<string>;
  /** @default 50 */
  requestsPerSecond?: number;
}

/** Where the gateway runs: what a host binding's `gatewaySite` gives (components/hosts.ts). */
export type RpcGatewaySite = GatewaySite;

export interface RpcGatewayArgs {
  /** The planned gateway (an entry of `Plan.gateways`). */
  gateway: PlannedGateway;
  /** Chains it serves, each with every upstream node. */
  chains: RpcGatewayChain[];
  /** Where it runs. */
  site: RpcGatewaySite;
  /** Fleet name (labels, tags). @default "sovereign" */
  fleet?: string;
  /** Certificate chain and private key (PEM) for HTTPS on the public port. Pass secrets. @default none (plain HTTP) */
  tls?: { certificate: pulumi.Input<string>; privateKey: pulumi.Input<string> };
  /** Require one of these keys (header `x-api-key` or last path segment), each rate-limited. @default none (open endpoint) */
  apiKeys?: RpcGatewayApiKey[];
  /** Public port. @default 8545, or 8443 with tls */
  port?: number;
  /** Who may reach the public port. @default ["0.0.0.0/0"] */
  allowCidrs?: string[];
  /** Who may reach SSH (cloud VMs). @default [] (closed) */
  adminCidrs?: string[];
  /** SSH public key of the admin user (cloud VMs). @default none */
  sshPublicKey?: string;
  /** Prometheus `/metrics` and `/stats` listener: keep it private (loopback or an overlay address). @default "127.0.0.1:8405" */
  metrics?: string;
  /** Health, lag and timeout settings of HAProxy (see GatewayConfigInput.timeouts). @default the renderer's */
  timeouts?: GatewayConfigInput["timeouts"];
  /** Attempts on other upstreams after a failed read. @default 2 */
  retries?: number;
  /**
   * The fleet's upstream CA and this gateway's client certificate, for upstreams with `mtls` (the
   * Fleet makes them with UpstreamCa / UpstreamCertificate). Pass the key as a secret.
   * @default none (required when an upstream has mtls)
   */
  upstreamTls?: { ca: pulumi.Input<string>; certificate: pulumi.Input<string>; privateKey: pulumi.Input<string> };
  /**
   * The nodes' RPC password by chain key, for chains whose RPC kind wants credentials (Bitcoin):
   * the gateway sends them to the nodes, never to clients. Pass secrets (the Fleet draws one per chain).
   * @default none (required for such chains)
   */
  upstreamAuth?: Record<string, pulumi.Input<string>>;
  /** HAProxy image. @default partImage("gateway") (catalog/images.yaml: `haproxy:2.6.12`); the lab passes its Debian-built image */
  image?: string;
  /** eRPC image of the integrity layer (chains with `integrity`). @default partImage("erpc") (catalog/images.yaml: `ghcr.io/erpc/erpc:0.0.56`); the lab passes its own build */
  erpcImage?: string;
  /** What a changed config does to a cloud VM (bare metal always reloads in place). @default "ignore" */
  workloadUpdates?: NodeHostArgs["workloadUpdates"];
  /**
   * The gateway's machine in the fleet's private overlay, so it dials nodes' `overlayRpcEndpoint`s
   * (the Fleet sets it). A cloud VM brings WireGuard up from `wgQuick` at boot; on bare metal the
   * Overlay component has already brought the interface up over SSH, so only cloud sites use it.
   * @default none (upstreams are dialled at the URLs given)
   */
  overlay?: NodeOverlay;
  /**
   * Edit the args of the host component the site builds (AwsNodeHost, BareMetalHost...): its common
   * args here; the site adds its own (network, connection) where this leaves them unset. A host's
   * own children are edited through its `transform` arg, e.g. `{ transform: { start: {...} } }`.
   * @default none
   */
  transform?: {
    host?: Transform<NodeHostArgs & Record<string, unknown>>;
  };
}

/**
 * An RPC gateway of the access layer: HAProxy in front of every node of its chains, configured by
 * core/gateway (JSON-RPC health checks, lag drain, read-only retries, optional API keys with rate
 * limits, HTTPS, WebSocket, private Prometheus metrics), deployed as a compose project like a node:
 * cloud-init on an AWS/GCP/Azure VM (through that cloud's host component), or over SSH on a
 * bare-metal host. API keys and the TLS key stay Pulumi secrets end to end.
 *
 * @example
 * const gw = new RpcGateway("gw-1", {
 *   gateway: plan.gateways[0],
 *   chains: [{ chain: "ethereum/mainnet", websocket: true, upstreams: [
 *     { node: "ethereum-hetzner-1", url: fleet.nodes["ethereum-hetzner-1"].rpcEndpoint, operator: "hetzner" },
 *     { node: "paid-1", url: "https://eth.example.com", operator: "example", backup: true },
 *   ] }],
 *   site: { kind: "baremetal", connection: { host: "203.0.113.7", privateKey: config.requireSecret("sshPrivateKey") } },
 *   tls: { certificate: config.require("tlsCert"), privateKey: config.requireSecret("tlsKey") },
 *   apiKeys: [{ name: "wallet", key: config.requireSecret("walletKey"), requestsPerSecond: 100 }],
 * });
 * export const rpc = gw.endpoints; // { "ethereum/mainnet": "https://203.0.113.7:8443/ethereum/mainnet" }
 */
export class RpcGateway extends pulumi.ComponentResource {
  readonly gatewayId: string;
  /** Address clients dial. */
  readonly publicIp: pulumi.Output<string>;
  /** `<scheme>://<ip>:<port>`: the gateway's base URL. */
  readonly endpoint: pulumi.Output<string>;
  /** Endpoint URL per chain key. */
  readonly endpoints: pulumi.Output<Record<string, string>>;
  /** Prometheus exporter URL on the gateway host (private: reachable from the host or the overlay only). */
  readonly metricsEndpoint: pulumi.Output<string>;
  /** The host component the site built around the gateway (AwsNodeHost, BareMetalHost...). */
  readonly host: NodeHostOutputs;

  constructor(name: string, args: RpcGatewayArgs, opts?: pulumi.ComponentResourceOptions) {
    super("sovereign:gateway:RpcGateway", name, {}, opts);
    const g = args.gateway;
    if (args.site.provider !== g.provider)
      throw new Error(`${g.id}: the site is on ${args.site.provider} but the plan puts this gateway on ${g.provider}`);
    const fleet = args.fleet ?? "sovereign";
    const options = {
      fleet,
      image: args.image,
      erpcImage: args.erpcImage,
      ...args.site.workloadOptions?.(fleet, g.id),
    };
    const structure = renderGatewayWorkload(configOf(args, standInChains(args.chains)), options);
    checkUpstreamCredentials(g, args, structure);
    const final = resolvedChains(args.chains).apply((chains) => renderGatewayWorkload(configOf(args, chains), options));
    const custom: CustomWorkload = {
      workload: structure,
      final,
      rules: gatewayIngressRules(structure, { allowCidrs: args.allowCidrs, adminCidrs: args.adminCidrs }),
      files: pulumi.secret(pulumi.all([final, gatewaySecrets(args)]).apply(([fw, s]) => gatewayConfigFiles(fw, s))),
      endpoint: { scheme: structure.haproxy.scheme, port: structure.haproxy.port, public: true },
    };
    this.gatewayId = g.id;
    this.host = this.createHost(name, args, custom, fleet);
    this.publicIp = this.host.publicIp;
    this.endpoint = pulumi.interpolate`${structure.haproxy.scheme}://${this.publicIp}:${structure.haproxy.port}`;
    this.endpoints = this.endpoint.apply((base) =>
      Object.fromEntries(Object.entries(structure.haproxy.routes).map(([k, path]) => [k, `${base}${path}`])),
    );
    const metricsHost = (args.metrics ?? DEFAULT_METRICS).split(/:(?=\d+$)/)[0];
    this.metricsEndpoint = pulumi.interpolate`http://${metricsHost === "0.0.0.0" ? this.publicIp : metricsHost}:${structure.haproxy.metricsPort}/metrics`;
    this.registerOutputs({
      gatewayId: this.gatewayId,
      publicIp: this.publicIp,
      endpoint: this.endpoint,
      endpoints: this.endpoints,
      metricsEndpoint: this.metricsEndpoint,
    });
  }

  /** The site's host component around the gateway's workload, its args edited by `transform.host`. */
  private createHost(name: string, args: RpcGatewayArgs, custom: CustomWorkload, fleet: string): NodeHostOutputs {
    const hostArgs: NodeHostArgs & Record<string, unknown> = {
      node: gatewayNode(args.gateway, args.site.disk),
      fleet,
      customWorkload: custom,
      // A host firewall (bare metal) opens the public port to the same sources as the rules.
      rpcAllowCidrs: custom.rules.find((r) => r.source !== "admin")?.cidrs ?? [],
      sshPublicKey: args.sshPublicKey,
      adminCidrs: args.adminCidrs,
      workloadUpdates: args.workloadUpdates,
      overlay: args.overlay,
    };
    const [hostName, finalArgs, hostOpts] = transform(args.transform?.host, `${name}-host`, hostArgs, {
      parent: this,
    });
    return args.site.host(hostName, finalArgs, hostOpts);
  }
}

const DEFAULT_METRICS = "127.0.0.1:8405";

/** The renderer's input for these chains: everything but the chains comes from the args. */
function configOf(
  args: RpcGatewayArgs,
  chains: GatewayConfigInput["chains"],
): Omit<GatewayConfigInput, "configDir" | "runAs"> {
  return {
    gateway: args.gateway.id,
    chains,
    tls: args.tls !== undefined,
    apiKeys: args.apiKeys !== undefined,
    listen: { address: "0.0.0.0", port: args.port },
    metrics: args.metrics ?? DEFAULT_METRICS,
    timeouts: args.timeouts,
    retries: args.retries,
  };
}

/**
 * The chains with stand-in URLs where a URL is not known yet: rendered once at construction so bad
 * input fails at once and the structure (ports, paths) is known; rendered again with the real URLs
 * once they resolve.
 */
function standInChains(chains: RpcGatewayChain[]): GatewayConfigInput["chains"] {
  const standIn = (u: pulumi.Input<string>, tls: boolean) =>
    typeof u === "string" ? u : tls ? "https://192.0.2.1:8443" : "http://192.0.2.1:8545";
  return chains.map((c) => ({
    ...c,
    upstreams: c.upstreams.map((u) => ({
      ...u,
      url: standIn(u.url, !!u.mtls),
      wsUrl: u.wsUrl === undefined ? undefined : standIn(u.wsUrl, !!u.mtls),
    })),
  }));
}

/** The chains once every upstream URL has resolved. */
function resolvedChains(chains: RpcGatewayChain[]): pulumi.Output<GatewayConfigInput["chains"]> {
  return pulumi.all(
    chains.map((c) =>
      pulumi
        .all(c.upstreams.map((u) => pulumi.all([u.url, u.wsUrl]).apply(([url, wsUrl]) => ({ ...u, url, wsUrl }))))
        .apply((upstreams) => ({ ...c, upstreams })),
    ),
  );
}

/** Upstreams over mTLS need the fleet's CA and a client certificate; nodes that want RPC credentials need theirs. */
function checkUpstreamCredentials(g: PlannedGateway, args: RpcGatewayArgs, structure: GatewayWorkload): void {
  if (structure.haproxy.upstreamTls && !args.upstreamTls)
    throw new Error(
      `${g.id}: an upstream has mtls: pass upstreamTls (the fleet's upstream CA and a client certificate)`,
    );
  const missingAuth = Object.keys(structure.haproxy.upstreamAuth).filter((c) => args.upstreamAuth?.[c] === undefined);
  if (missingAuth.length)
    throw new Error(
      `${g.id}: the nodes of ${missingAuth.join(", ")} want RPC credentials: pass upstreamAuth (their RPC password by chain key)`,
    );
}

/** API keys, TLS material and upstream credentials as one secret Output, for the gateway's config files. */
function gatewaySecrets(args: RpcGatewayArgs): pulumi.Output<GatewaySecrets> {
  const apiKeys =
    args.apiKeys === undefined
      ? undefined
      : pulumi.all(
          args.apiKeys.map((k) =>
            pulumi
              .output(k.key)
              .apply((key): GatewayApiKey => ({ name: k.name, key, requestsPerSecond: k.requestsPerSecond })),
          ),
        );
  const tls = args.tls === undefined ? undefined : pulumi.all([args.tls.certificate, args.tls.privateKey]);
  const u = args.upstreamTls;
  const upstreamTls = u === undefined ? undefined : pulumi.all([u.ca, u.certificate, u.privateKey]);
  return pulumi.secret(
    pulumi.all([apiKeys, tls, upstreamTls, pulumi.output(args.upstreamAuth ?? {})]).apply(([keys, pem, up, auth]) => ({
      apiKeys: keys,
      tls: pem ? { certificate: pem[0], privateKey: pem[1] } : undefined,
      upstreamTls: up ? { ca: up[0], certificate: up[1], privateKey: up[2] } : undefined,
      upstreamAuth: auth,
    })),
  );
}

/**
 * The `chains` of a planned gateway: every planned node of each chain it serves, with its URL from
 * the deployed fleet (`Fleet.nodes`, or any map of node id to `rpcEndpoint`), WebSocket where every
 * node's client serves it.
 *
 * @example
 * new RpcGateway("gw-1", { gateway: plan.gateways[0], chains: chainsFromFleet(plan, plan.gateways[0], fleet.nodes), site });
 */
export function chainsFromFleet(
  plan: Plan,
  gateway: PlannedGateway,
  nodes: pulumi.Input<Record<string, { rpcEndpoint: string }>>,
  options: GatewayChainsOptions & {
    catalog?: Catalog;
    /** The server name of nodes dialled over mTLS (their `rpcEndpoint` is then the terminator's https URL). @default none */
    mtlsServerName?: (node: string) => string | undefined;
  } = {},
): RpcGatewayChain[] {
  const all = pulumi.output(nodes);
  return gatewayChains(plan, gateway, options.catalog ?? loadCatalog(), options).map((c) => ({
    chain: c.chain,
    kind: c.kind,
    maxLagBlocks: c.maxLagBlocks,
    websocket: c.websocket,
    ...(c.integrity ? { integrity: c.integrity } : {}),
    upstreams: c.upstreams.map((u) => {
      const url = all.apply((n) => {
        const endpoint = n[u.node]?.rpcEndpoint;
        if (!endpoint)
          throw new Error(`${gateway.id}: node ${u.node} of the plan is not in the deployed fleet's nodes`);
        return endpoint;
      });
      const serverName = options.mtlsServerName?.(u.node);
      return {
        node: u.node,
        operator: u.operator,
        backup: u.backup,
        url,
        // A terminator routes WebSocket upgrades itself, on its one port.
        wsUrl: c.websocket && !serverName ? url.apply((x) => wsUrlOf(x, u)) : undefined,
        ...(serverName ? { mtls: { serverName } } : {}),
      };
    }),
  }));
}

/** The gateway as the host components see a node: its site and shape, a small data disk, tags of the access layer. */
export function gatewayNode(g: PlannedGateway, disk: StorageChoice): PlannedNode {
  return {
    id: g.id,
    chainKey: `gateway/${g.id}`,
    chain: "gateway",
    network: "access",
    role: "gateway",
    clients: { gateway: "haproxy" },
    provider: g.provider,
    site: g.site,
    host: g.host,
    operator: g.operator,
    region: g.region,
    country: g.country,
    jurisdiction: g.jurisdiction,
    cloudAct: g.cloudAct,
    shape: g.shape,
    vcpu: g.vcpu,
    memoryGb: g.memoryGb,
    // The planned gateway's disk is the one its cost prices; a gateway described by hand gets a small one.
    storage: g.storage ?? disk,
    monthlyUsd: g.monthlyUsd,
    cost: g.cost,
    estimate: g.estimate,
    sources: g.sources,
  };
}
