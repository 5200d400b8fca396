/**
 * Network exposure of a node, derived once from the catalog's ports and used by every provider
 * (AWS security groups, GCP firewall rules, Azure NSGs; the bare-metal nftables step too).
 *
 *   public   (P2P)             open to the world
 *   rpc      (JSON-RPC, REST)  from `rpcAllowCidrs`, and from the fleet's own cloud network
 *                              (`networkCidrs`: VPC, subnets, VNet) so private RPC is reachable
 *                              inside it; closed to everyone else
 *   internal (engine API)      never opened, never published by Docker
 *   private  (admin, metrics)  never opened; Docker publishes them on 127.0.0.1 only
 *   SSH (22/tcp)               only from `adminCidrs`; closed when the list is empty
 */
import type { Catalog } from "../catalog/load";
import type { Port } from "../catalog/schema";

export type Exposure = Port["exposure"];
export type Protocol = Port["protocol"];

/** One port of one client of a node. */
export interface ServicePort {
  /** Compose service (= the client's layer: execution, consensus, rollup, node). */
  service: string;
  client: string;
  name: string;
  port: number;
  protocol: Protocol;
  exposure: Exposure;
}

/**
 * Who may reach an opened port: `world` (P2P), `rpc` (the allow-listed CIDRs), `network` (the
 * fleet's own cloud network, for RPC), `admin` (SSH).
 */
export type SourceClass = "world" | "rpc" | "network" | "admin";

export interface IngressRule {
  /** Stable short key, e.g. `p2p-30303-tcp`; used in resource and rule names. */
  key: string;
  source: SourceClass;
  protocol: Protocol;
  port: number;
  cidrs: string[];
  /** Which clients/ports the rule serves, e.g. `execution/geth p2p`. */
  description: string;
}

export interface ExposureOptions {
  /** CIDRs allowed to reach rpc-exposure ports. @default [] (RPC private) */
  rpcAllowCidrs?: readonly string[];
  /**
   * The fleet's own network where the node runs (AWS VPC CIDR, GCP subnet CIDRs, Azure VNet CIDR):
   * allowed to reach rpc-exposure ports whatever `rpcAllowCidrs` says, so private RPC is reachable
   * from inside the cloud network on every provider alike. Never opens engine, admin or metrics ports.
   * @default [] (none, e.g. bare metal)
   */
  networkCidrs?: readonly string[];
  /** CIDRs allowed to reach SSH. @default [] (SSH closed) */
  adminCidrs?: readonly string[];
  /** @default 22 */
  sshPort?: number;
}

export const WORLD_IPV4 = "0.0.0.0/0";
export const WORLD_IPV6 = "::/0";
/** Sources of world-open (P2P) rules. IPv4 only: the hosts get no IPv6 address. */
export const WORLD_CIDRS: readonly string[] = [WORLD_IPV4];

/** The node's clients, one per layer, with the catalog's ports. */
export function nodePorts(node: { clients: Record<string, string> }, catalog: Catalog): ServicePort[] {
  return Object.entries(node.clients).flatMap(([layer, id]) => {
    const client = catalog.clients.get(id);
    if (!client) throw new Error(`unknown client '${id}' (layer ${layer}) - not in the catalog`);
    return client.ports.map((p) => ({ service: layer, client: id, name: p.name, port: p.port, protocol: p.protocol, exposure: p.exposure }));
  });
}

/** Exactly the inbound rules a node needs; internal and private ports never appear. */
export function ingressRules(node: { clients: Record<string, string> }, catalog: Catalog, options: ExposureOptions = {}): IngressRule[] {
  const sources: Record<Exclude<SourceClass, "admin">, { prefix: string; cidrs: string[] }> = {
    world: { prefix: "p2p", cidrs: [...WORLD_CIDRS] },
    rpc: { prefix: "rpc", cidrs: [...new Set(options.rpcAllowCidrs ?? [])] },
    network: { prefix: "net", cidrs: [...new Set(options.networkCidrs ?? [])] },
  };
  const admin = [...(options.adminCidrs ?? [])];
  const byKey = new Map<string, IngressRule>();
  for (const p of nodePorts(node, catalog)) {
    const classes: Array<keyof typeof sources> = p.exposure === "public" ? ["world"] : p.exposure === "rpc" ? ["rpc", "network"] : [];
    for (const source of classes) {
      const { prefix, cidrs } = sources[source];
      if (cidrs.length === 0) continue;
      const key = `${prefix}-${p.port}-${p.protocol}`;
      const what = `${p.service}/${p.client} ${p.name}`;
      const seen = byKey.get(key);
      if (seen) seen.description += `, ${what}`;
      else byKey.set(key, { key, source, protocol: p.protocol, port: p.port, cidrs: [...cidrs], description: what });
    }
  }
  if (admin.length) {
    const port = options.sshPort ?? 22;
    byKey.set(`ssh-${port}-tcp`, { key: `ssh-${port}-tcp`, source: "admin", protocol: "tcp", port, cidrs: admin, description: "ssh" });
  }
  return [...byKey.values()].sort((a, b) => order(a.source) - order(b.source) || a.port - b.port || a.protocol.localeCompare(b.protocol));
}

const order = (s: SourceClass) => ({ world: 0, rpc: 1, network: 2, admin: 3 })[s];

/** Port of the chain's RPC (the catalog's `rpc` entry) on a node. */
export function rpcPort(node: { chain: string; clients: Record<string, string> }, catalog: Catalog): { service: string; port: number } {
  const chain = catalog.chains.get(node.chain);
  if (!chain) throw new Error(`unknown chain '${node.chain}'`);
  const clientId = node.clients[chain.rpc.layer];
  const port = catalog.clients.get(clientId)?.ports.find((p) => p.name === chain.rpc.port);
  if (!port) throw new Error(`${node.chain}: client ${clientId} has no port ${chain.rpc.port}`);
  return { service: chain.rpc.layer, port: port.port };
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}\/(3[0-2]|[12]?\d)$/;
const IPV6 = /^[0-9a-fA-F:]+(?:\/(12[0-8]|1[01]\d|[1-9]?\d))$/;

/** Problems with a CIDR list from config (empty when all are valid). */
export function cidrProblems(key: string, cidrs: readonly unknown[]): string[] {
  return cidrs.flatMap((c, i) => {
    if (typeof c !== "string") return [`${key}[${i}]: expected a CIDR string like 203.0.113.0/24, got ${JSON.stringify(c)}`];
    if (IPV4.test(c) || (c.includes(":") && IPV6.test(c))) return [];
    return [`${key}[${i}]: '${c}' is not a CIDR (write an address with a prefix length, e.g. 203.0.113.7/32)`];
  });
}

export function isIpv6(cidr: string): boolean {
  return cidr.includes(":");
}
