/**
 * Zone files and server configuration for self-hosted authoritative DNS (Knot DNS), and the stub
 * zone a recursive resolver (Unbound) needs to ask every one of them.
 */
import { createHash } from "node:crypto";
import { isIP } from "node:net";
import { fqdn, relativeName, type RecordSet } from "./records";

export interface NameServer {
  /** e.g. `ns1.rpc.example.org` */
  name: string;
  address: string;
}

export interface ZoneFileInput {
  /** The zone, e.g. `rpc.example.org` (the RPC hostname can be its apex). */
  zone: string;
  nameservers: NameServer[];
  records: RecordSet[];
  /** Mailbox of the zone's admin, as in SOA. @default `hostmaster.<zone>` */
  hostmaster?: string;
}

/** The zone's serial: from its content, so every server holding the same records says the same serial. */
export function zoneSerial(input: ZoneFileInput): number {
  const body = JSON.stringify({ ...input, hostmaster: input.hostmaster ?? "" });
  return 1 + (parseInt(createHash("sha256").update(body).digest("hex").slice(0, 8), 16) % 2_000_000_000);
}

/** RFC 1035 zone file text. */
export function renderZoneFile(input: ZoneFileInput): string {
  const zone = fqdn(input.zone, "dns.zone");
  if (input.nameservers.length === 0) throw new Error(`dns: zone ${zone} needs at least one name server`);
  for (const ns of input.nameservers) {
    if (isIP(ns.address) !== 4)
      throw new Error(`dns: name server ${ns.name} has address '${ns.address}', not an IPv4 address`);
  }
  const hostmaster = fqdn(input.hostmaster ?? `hostmaster.${zone}`, "dns.hostmaster");
  const minTtl = Math.min(...input.records.map((r) => r.ttl), 300);
  const lines = [
    `; Zone ${zone} of Sovereign's RPC access layer; rendered by core/dns/zone.ts. Every server holds the same.`,
    `$ORIGIN ${zone}`,
    `$TTL ${minTtl}`,
    `@ IN SOA ${fqdn(input.nameservers[0].name, "dns.nameservers")} ${hostmaster} ${zoneSerial(input)} 3600 600 86400 ${minTtl}`,
    ...input.nameservers.map((ns) => `@ 3600 IN NS ${fqdn(ns.name, "dns.nameservers")}`),
  ];
  for (const ns of input.nameservers) {
    const n = fqdn(ns.name, "dns.nameservers");
    if (n.endsWith(`.${zone}`)) lines.push(`${relativeName(n, zone)} 3600 IN A ${ns.address}`);
  }
  for (const r of input.records)
    for (const v of r.values) lines.push(`${relativeName(r.name, zone)} ${r.ttl} IN ${r.type} ${v}`);
  return `${lines.join("\n")}\n`;
}

export interface KnotServerInput {
  zone: string;
  /** Address:port knotd answers on. */
  listen: { address: string; port: number };
  /** Directory of the zone file, the PID file and the control socket. */
  dir: string;
}

/** knot.conf of one authoritative server for one zone, file-backed, no journal (the file is the truth). */
export function renderKnotConfig(input: KnotServerInput): string {
  const zone = fqdn(input.zone, "dns.zone");
  return [
    "# Knot DNS of Sovereign's RPC access layer; rendered by core/dns/zone.ts.",
    "server:",
    `    rundir: "${input.dir}"`,
    `    pidfile: "${input.dir}/knot.pid"`,
    `    listen: ${input.listen.address}@${input.listen.port}`,
    '    identity: ""',
    '    version: ""',
    "control:",
    `    listen: "${input.dir}/knot.sock"`,
    "log:",
    "  - target: stderr",
    "    any: info",
    "database:",
    `    storage: "${input.dir}"`,
    "template:",
    "  - id: default",
    `    storage: "${input.dir}"`,
    '    file: "%s.zone"',
    "    zonefile-sync: -1",
    "    zonefile-load: whole",
    "    journal-content: none",
    "    semantic-checks: on",
    "zone:",
    `  - domain: ${zone}`,
    "",
  ].join("\n");
}

/** Unbound configuration of a resolver that asks every authoritative server of the zone. */
export function renderUnboundConfig(input: {
  zone: string;
  servers: Array<{ address: string; port?: number }>;
  listen: { address: string; port: number };
  allow: string[];
}): string {
  const zone = fqdn(input.zone, "dns.zone");
  return [
    "# Unbound resolver in front of Sovereign's self-hosted RPC zone; rendered by core/dns/zone.ts.",
    "server:",
    `    interface: ${input.listen.address}@${input.listen.port}`,
    "    do-daemonize: no",
    "    use-syslog: no",
    '    logfile: ""',
    '    username: ""',
    '    chroot: ""',
    '    directory: ""',
    '    pidfile: ""',
    "    do-ip6: no",
    ...input.allow.map((c) => `    access-control: ${c} allow`),
    // A private zone: no DNSSEC chain to validate, and private addresses are the answer.
    `    domain-insecure: "${zone}"`,
    `    private-domain: "${zone}"`,
    '    module-config: "iterator"',
    // Give up on a dead server fast and ask the next one.
    "    infra-host-ttl: 30",
    "    infra-keep-probing: yes",
    "stub-zone:",
    `    name: "${zone}"`,
    ...input.servers.map((s) => `    stub-addr: ${s.address}@${s.port ?? 53}`),
    "",
  ].join("\n");
}
