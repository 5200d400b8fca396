/**
 * The RPC hostname's records, the same on every DNS provider: one A record set holding every
 * healthy gateway's public address. Pure: the components put it on Route 53, Cloud DNS, Azure DNS,
 * Cloudflare and self-hosted authoritative servers.
 */
import { isIP } from "node:net";

export interface RpcDnsEndpoint {
  /** Gateway id (Route 53 set identifier, record comments). */
  id: string;
  /** Public IPv4 address of the gateway. */
  address: string;
  /** False when its health check fails: it leaves the record set. @default true */
  healthy?: boolean;
}

export interface RecordSet {
  /** Fully qualified, with the trailing dot: `rpc.example.org.` */
  name: string;
  type: "A";
  ttl: number;
  values: string[];
}

/** Seconds resolvers may cache the answer: short, so a removed gateway leaves caches soon. */
export const DEFAULT_RPC_TTL = 30;

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** `rpc.example.org` or `rpc.example.org.` -> `rpc.example.org.`; `field` names the setting in errors. */
export function fqdn(name: string, field = "dns.hostname"): string {
  const n = name.trim().toLowerCase().replace(/\.$/, "");
  const labels = n.split(".");
  if (n.length > 253 || labels.length < 2 || !labels.every((l) => LABEL.test(l))) {
    throw new Error(
      `${field}: '${name}' is not a DNS name of two or more labels (letters, digits, dashes), e.g. rpc.example.org`,
    );
  }
  return `${n}.`;
}

/** The name relative to its zone (`rpc` of `rpc.example.org.` in `example.org.`; `@` at the apex). */
export function relativeName(name: string, zone: string): string {
  const n = fqdn(name),
    z = fqdn(zone, "dns.zone");
  if (n === z) return "@";
  if (!n.endsWith(`.${z}`)) throw new Error(`dns.hostname: ${n} is not inside the zone ${z}`);
  return n.slice(0, -z.length - 1);
}

/** The A record set of the hostname: healthy endpoints' addresses, deduplicated and sorted. */
export function rpcRecordSet(hostname: string, endpoints: readonly RpcDnsEndpoint[], ttl = DEFAULT_RPC_TTL): RecordSet {
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > 86400)
    throw new Error(`dns.ttl: ${ttl} is not a whole number of seconds from 1 to 86400`);
  for (const e of endpoints) {
    if (isIP(e.address) !== 4) throw new Error(`dns: gateway ${e.id} has address '${e.address}', not an IPv4 address`);
  }
  const values = [...new Set(endpoints.filter((e) => e.healthy !== false).map((e) => e.address))].sort((a, b) =>
    a
      .split(".")
      .map(Number)
      .reduce((d, x, i) => d || x - Number(b.split(".")[i]), 0),
  );
  if (values.length === 0)
    throw new Error(`dns: no healthy gateway for ${fqdn(hostname)}: a record set cannot be empty`);
  return { name: fqdn(hostname), type: "A", ttl, values };
}

/** A DNS provider holding the records, by the company (or operator) that runs it. */
export interface DnsProviderRef {
  /** e.g. `route53`, `clouddns`, `azure`, `cloudflare`, `self-hosted:sov-h8` */
  provider: string;
  /** Who runs it: `aws`, `gcp`, `azure`, `cloudflare`, or the host's operator. */
  operator: string;
}

/**
 * The company behind an operator name: `Hetzner ` and `hetzner` are one company, so spelling
 * cannot satisfy the two-operator rule.
 */
export function dnsOperator(name: string): string {
  return name.trim().replace(/\s+/g, " ").toLowerCase();
}

/** Where `sovereign:dns` (or RpcDns's args) puts the records, by provider and operator. */
export function dnsProviders(dns: {
  route53?: unknown;
  cloudDns?: unknown;
  azureDns?: unknown;
  cloudflare?: unknown;
  selfHosted?: { servers: ReadonlyArray<{ name: string; operator: string }> };
}): DnsProviderRef[] {
  return [
    ...(dns.route53 ? [{ provider: "route53", operator: "aws" }] : []),
    ...(dns.cloudDns ? [{ provider: "clouddns", operator: "gcp" }] : []),
    ...(dns.azureDns ? [{ provider: "azure", operator: "azure" }] : []),
    ...(dns.cloudflare ? [{ provider: "cloudflare", operator: "cloudflare" }] : []),
    ...(dns.selfHosted?.servers ?? []).map((s) => ({ provider: `self-hosted:${s.name}`, operator: s.operator })),
  ];
}

/** Why the records would live with fewer than `min` companies, or undefined. */
export function dnsDiversityProblem(providers: readonly DnsProviderRef[], min = 2): string | undefined {
  const operators = new Set(providers.map((p) => dnsOperator(p.operator)));
  if (operators.size >= min) return undefined;
  return (
    `the records are on ${operators.size} DNS operator(s) (${[...operators].join(", ") || "none"}); ` +
    `put them on at least ${min}: add another of route53, cloudDns, azureDns, cloudflare, or self-hosted servers run by another operator`
  );
}

/**
 * The records must live with at least `min` companies at once, so no single DNS provider can take
 * the hostname down (the us-east-1 lesson). Throws the fix when they do not.
 */
export function checkDnsDiversity(providers: readonly DnsProviderRef[], min = 2): void {
  const problem = dnsDiversityProblem(providers, min);
  if (problem) throw new Error(`dns: ${problem}`);
}

/** The part of a self-hosted server's name its resources are named by (`ns1` of ns1.example.org). */
export function serverResourceLabel(serverName: string): string {
  return serverName.split(".")[0];
}
