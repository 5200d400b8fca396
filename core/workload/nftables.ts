/**
 * The host firewall of a bare-metal node, as an nftables ruleset: the same exposure the clouds get
 * (core/workload/firewall.ts), enforced on the host itself.
 *
 * It must hold with Docker in front: a port Docker publishes is DNAT-ed in prerouting and then
 * forwarded to the container, so it never passes the input hook. The `forward` chain therefore
 * matches the port the client dialled (`ct original proto-dst`) on DNAT-ed connections; the
 * `input` chain covers userland-proxied and host-network ports. Forwarded packets are judged by the
 * connection's original source, so the container's replies pass with the request they answer. Drops in this table are final
 * whatever other tables (Docker's own) accept. The table holds only this node's ports and accepts
 * everything else, so it coexists with the host's own rules and with other nodes on the host.
 */
import { isIpv6 } from "./firewall";
import type { PublishedPort } from "./render";

export interface HostFirewallOptions {
  /** Sources allowed to reach the node's rpc-exposure ports. */
  rpcAllowCidrs: readonly string[];
  /** Fleet of the node: part of the table name, so fleets sharing a host keep their own tables. @default none */
  fleet?: string;
  /**
   * The private overlay (core/overlay): its gateways' addresses may reach the rpc-exposure ports,
   * only when the packets come in through the overlay's interface (WireGuard has authenticated them).
   * @default none
   */
  overlay?: { interface: string; sources: readonly string[] };
}

/**
 * nftables table name of a node: `sovereign_<node>`, with a fleet `sovereign_<fleet>_<node>` (dashes
 * kept). Fleet names and node ids hold no '_', so no two (fleet, node) pairs share a table.
 */
export function nftTableName(nodeId: string, fleet?: string): string {
  // Without a fleet, dashes become underscores; ids that already hold '_' or '.' could then meet another node's table.
  if (!/^[a-zA-Z0-9-]+$/.test(nodeId))
    throw new Error(`node id '${nodeId}' cannot name a host firewall table: use letters, digits and dashes`);
  if (fleet === undefined) return `sovereign_${nodeId.replace(/-/g, "_")}`;
  if (!/^[a-z0-9][a-z0-9-]*$/.test(fleet))
    throw new Error(`fleet '${fleet}' cannot name a host firewall table: use lower-case letters, digits and dashes`);
  return `sovereign_${fleet}_${nodeId}`;
}

/**
 * The ruleset, loaded with `nft -f`. It creates the table if missing, deletes it, and defines it
 * again in one transaction, so a reload replaces the node's rules atomically.
 */
export function renderNftables(nodeId: string, ports: readonly PublishedPort[], options: HostFirewallOptions): string {
  const table = nftTableName(nodeId, options.fleet);
  const v4 = options.rpcAllowCidrs.filter((c) => !isIpv6(c));
  const v6 = options.rpcAllowCidrs.filter(isIpv6);
  const byProto = (exposures: string[]) =>
    (["tcp", "udp"] as const).flatMap((proto) => {
      const list = [
        ...new Set(ports.filter((p) => exposures.includes(p.exposure) && p.protocol === proto).map((p) => p.port)),
      ].sort((a, b) => a - b);
      return list.length ? [{ proto, set: `{ ${list.join(", ")} }` }] : [];
    });
  const rpc = byProto(["rpc"]);
  const closed = byProto(["private", "internal"]);
  const input: string[] = ['iifname "lo" accept'];
  const forward: string[] = [];
  const overlay = options.overlay && options.overlay.sources.length ? options.overlay : undefined;
  if (overlay && !/^[a-zA-Z0-9_-]{1,15}$/.test(overlay.interface))
    throw new Error(`${nodeId}: '${overlay.interface}' is not an interface name`);
  if (overlay?.sources.some(isIpv6)) throw new Error(`${nodeId}: overlay sources are IPv4 addresses`);
  const why = overlay
    ? "rpc: only from the gateways over the overlay and rpcAllowCidrs"
    : "rpc: only from rpcAllowCidrs";
  for (const { proto, set } of rpc) {
    if (overlay) {
      input.push(`iifname "${overlay.interface}" ${proto} dport ${set} ip saddr @rpc_overlay accept`);
      // Requests only through the overlay; their replies (from the container, another interface) by direction.
      for (const from of [`iifname "${overlay.interface}"`, "ct direction reply"]) {
        forward.push(
          `${from} ct status dnat meta l4proto ${proto} ct original proto-dst ${set} ct original ip saddr @rpc_overlay accept`,
        );
      }
    }
    if (v4.length) {
      input.push(`${proto} dport ${set} ip saddr @rpc_allow_v4 accept`);
      forward.push(
        `ct status dnat meta l4proto ${proto} ct original proto-dst ${set} ct original ip saddr @rpc_allow_v4 accept`,
      );
    }
    if (v6.length) {
      input.push(`${proto} dport ${set} ip6 saddr @rpc_allow_v6 accept`);
      forward.push(
        `ct status dnat meta l4proto ${proto} ct original proto-dst ${set} ct original ip6 saddr @rpc_allow_v6 accept`,
      );
    }
    input.push(`${proto} dport ${set} counter drop comment "${why}"`);
    forward.push(`ct status dnat meta l4proto ${proto} ct original proto-dst ${set} counter drop comment "${why}"`);
  }
  for (const { proto, set } of closed) {
    input.push(`${proto} dport ${set} counter drop comment "engine, admin, metrics: never from outside"`);
    forward.push(
      `ct status dnat meta l4proto ${proto} ct original proto-dst ${set} counter drop comment "engine, admin, metrics: never from outside"`,
    );
  }
  const set = (name: string, type: string, cidrs: string[]) =>
    cidrs.length
      ? [`  set ${name} {`, `    type ${type}; flags interval;`, `    elements = { ${cidrs.join(", ")} }`, "  }"]
      : [];
  return [
    `# Host firewall of Sovereign node ${nodeId}${options.fleet ? ` of fleet ${options.fleet}` : ""}; rendered by core/workload/nftables.ts.`,
    `table inet ${table}`,
    `delete table inet ${table}`,
    `table inet ${table} {`,
    ...set("rpc_allow_v4", "ipv4_addr", v4),
    ...set("rpc_allow_v6", "ipv6_addr", v6),
    ...set("rpc_overlay", "ipv4_addr", [...(overlay?.sources ?? [])]),
    "  chain input {",
    "    type filter hook input priority filter - 5; policy accept;",
    ...input.map((r) => `    ${r}`),
    "  }",
    "  chain forward {",
    "    type filter hook forward priority filter - 5; policy accept;",
    ...forward.map((r) => `    ${r}`),
    "  }",
    "}",
    "",
  ].join("\n");
}
