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
import { formatIpv4, formatIpv6, parseIpv4, parseIpv6 } from "../address";
import type { Catalog } from "../catalog/load";
import { quote } from "../errors";
import type { Port } from "../catalog/schema";
import { SSH_DEFAULTS } from "../layout/ssh";

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
    return client.ports.map((p) => ({
      service: layer,
      client: id,
      name: p.name,
      port: p.port,
      protocol: p.protocol,
      exposure: p.exposure,
    }));
  });
}

/** Exactly the inbound rules a node needs; internal and private ports never appear. */
export function ingressRules(
  node: { clients: Record<string, string> },
  catalog: Catalog,
  options: ExposureOptions = {},
): IngressRule[] {
  const sources: Record<Exclude<SourceClass, "admin">, { prefix: string; cidrs: string[] }> = {
    world: { prefix: "p2p", cidrs: [...WORLD_CIDRS] },
    rpc: { prefix: "rpc", cidrs: [...new Set(options.rpcAllowCidrs ?? [])] },
    network: { prefix: "net", cidrs: [...new Set(options.networkCidrs ?? [])] },
  };
  const admin = [...(options.adminCidrs ?? [])];
  const byKey = new Map<string, IngressRule>();
  for (const p of nodePorts(node, catalog)) {
    const classes: Array<keyof typeof sources> =
      p.exposure === "public" ? ["world"] : p.exposure === "rpc" ? ["rpc", "network"] : [];
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
    const port = options.sshPort ?? SSH_DEFAULTS.port;
    byKey.set(`ssh-${port}-tcp`, {
      key: `ssh-${port}-tcp`,
      source: "admin",
      protocol: "tcp",
      port,
      cidrs: admin,
      description: "ssh",
    });
  }
  return [...byKey.values()].sort(
    (a, b) => order(a.source) - order(b.source) || a.port - b.port || a.protocol.localeCompare(b.protocol),
  );
}

const order = (s: SourceClass) => ({ world: 0, rpc: 1, network: 2, admin: 3 })[s];

/** Port of the chain's RPC (the catalog's `rpc` entry) on a node. */
export function rpcPort(
  node: { chain: string; clients: Record<string, string> },
  catalog: Catalog,
): { service: string; port: number } {
  const chain = catalog.chains.get(node.chain);
  if (!chain) throw new Error(`unknown chain '${node.chain}'`);
  const clientId = node.clients[chain.rpc.layer];
  const port = catalog.clients.get(clientId)?.ports.find((p) => p.name === chain.rpc.port);
  if (!port) throw new Error(`${node.chain}: client ${clientId} has no port ${chain.rpc.port}`);
  return { service: chain.rpc.layer, port: port.port };
}

/** A CIDR list from config or args, checked and made canonical; `problems` empty when every entry is usable. */
export interface CidrList {
  /** Canonical CIDRs (host bits cleared, IPv6 in RFC 5952 form), duplicates and ranges inside another dropped. */
  cidrs: string[];
  problems: string[];
  /** What was changed on the way, for a warning. */
  notes: string[];
}

interface Cidr {
  v6: boolean;
  start: bigint;
  prefix: number;
  text: string;
  hostBits: boolean;
}

/**
 * Validates and normalises a list of CIDRs: each an IPv4 or IPv6 address with a prefix length,
 * host bits cleared, duplicates and ranges inside another one dropped, so no firewall (nftables
 * interval sets, cloud rules) can refuse the list at `up` after preview accepted it.
 */
export function normalizeCidrs(key: string, values: readonly unknown[]): CidrList {
  const problems: string[] = [];
  const notes: string[] = [];
  const parsed: Cidr[] = [];
  values.forEach((value, i) => {
    const at = `${key}[${i}]`;
    if (typeof value !== "string") {
      problems.push(`${at}: expected a CIDR string like 203.0.113.0/24, got ${value === null ? "null" : typeof value}`);
      return;
    }
    const cidr = parseCidr(value.trim());
    if (!cidr) {
      problems.push(
        `${at}: ${quote(value)} is not a CIDR (write an address with a prefix length, e.g. 203.0.113.7/32 or 2001:db8::/48)`,
      );
      return;
    }
    if (cidr.text !== value)
      notes.push(`${at}: ${quote(value)} is read as ${cidr.text}${cidr.hostBits ? " (host bits cleared)" : ""}`);
    parsed.push(cidr);
  });
  parsed.sort(
    (a, b) => Number(a.v6) - Number(b.v6) || (a.start < b.start ? -1 : a.start > b.start ? 1 : a.prefix - b.prefix),
  );
  const kept: Cidr[] = [];
  for (const c of parsed) {
    const outer = kept.find((k) => contains(k, c));
    if (outer) {
      notes.push(
        outer.text === c.text ? `${key}: ${c.text} is listed twice` : `${key}: ${c.text} is inside ${outer.text}`,
      );
      continue;
    }
    kept.push(c);
  }
  return { cidrs: kept.map((c) => c.text), problems, notes };
}

function contains(outer: Cidr, inner: Cidr): boolean {
  if (outer.v6 !== inner.v6 || outer.prefix > inner.prefix) return false;
  const shift = BigInt((outer.v6 ? 128 : 32) - outer.prefix);
  return inner.start >> shift === outer.start >> shift;
}

/** `203.0.113.7/24` -> 203.0.113.0/24; `2001:DB8:0::1/64` -> 2001:db8::/64; undefined when not a CIDR. */
export function parseCidr(text: string): Cidr | undefined {
  const m = /^([^/]+)\/(0|[1-9]\d{0,2})$/.exec(text);
  if (!m) return undefined;
  const v6 = m[1].includes(":");
  const bits = v6 ? 128 : 32;
  const prefix = Number(m[2]);
  const address = v6 ? parseIpv6(m[1]) : parseIpv4(m[1]);
  if (prefix > bits || address === undefined) return undefined;
  const start = address & ~((1n << BigInt(bits - prefix)) - 1n);
  return {
    v6,
    start,
    prefix,
    text: `${v6 ? formatIpv6(start) : formatIpv4(start)}/${prefix}`,
    hostBits: start !== address,
  };
}

/** The whole internet: RPC open to it only with an explicit opt-in. */
export const isWorld = (cidr: string) => cidr === WORLD_IPV4 || cidr === WORLD_IPV6;

/** Problems with a CIDR list from config (empty when all are valid). */
export function cidrProblems(key: string, cidrs: readonly unknown[]): string[] {
  return normalizeCidrs(key, cidrs).problems;
}

/**
 * A resource-name-safe form of a CIDR, different for different CIDRs: IPv4 keeps its digits
 * (`10-0-0-0-8`, so names already deployed stay), IPv6 is spelt out in full (`v6-20010db8...-48`).
 */
export function cidrSlug(cidr: string): string {
  const c = parseCidr(cidr);
  if (!c) throw new Error(`not a CIDR: ${cidr}`);
  return c.v6 ? `v6-${c.start.toString(16).padStart(32, "0")}-${c.prefix}` : c.text.replace(/[./]/g, "-");
}

export function isIpv6(cidr: string): boolean {
  return cidr.includes(":");
}
