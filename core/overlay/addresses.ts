/**
 * Overlay addresses: one IPv4 address per machine inside the overlay CIDR, chosen from a hash of the
 * machine's name so that adding or removing another machine never moves it, and pinned by the
 * addresses the deployed stack already uses (a machine keeps its address for life).
 */
import { createHash } from "node:crypto";
import { blockSize, intToIpv4 as intToIp, IPV4, ipv4ToInt } from "../layout/cidrs";

export interface Cidr {
  /** Network address as a 32-bit unsigned integer. */
  network: number;
  prefix: number;
  text: string;
}

function ipToInt(ip: string): number {
  const n = ipv4ToInt(ip);
  if (n === undefined) throw new Error(`'${ip}' is not an IPv4 address`);
  return n;
}

/** Parses an IPv4 CIDR for the overlay; `field` names the setting in errors. */
export function parseOverlayCidr(text: string, field = "overlay.cidr"): Cidr {
  const [ip, len, extra] = text.split("/");
  const prefix = Number(len);
  if (extra !== undefined || !Number.isInteger(prefix) || prefix < 8 || prefix > 29 || !IPV4.test(ip ?? "")) {
    throw new Error(`${field}: '${text}' is not an IPv4 CIDR with a prefix of /8 to /29 (e.g. 100.72.0.0/16)`);
  }
  const addr = ipToInt(ip);
  const size = blockSize(prefix);
  if (addr % size !== 0) {
    throw new Error(`${field}: '${text}' has host bits set; the network is ${intToIp(addr - (addr % size))}/${prefix}`);
  }
  if (!PRIVATE_RANGES.some((r) => inside(addr, size, r)))
    throw new Error(
      `${field}: '${text}' is public address space (its owners' machines would be unreachable from the fleet); use a private range inside ${PRIVATE_RANGES.map((r) => r.text).join(", ")}, e.g. 100.72.0.0/16`,
    );
  return { network: addr, prefix, text };
}

/** Private (RFC 1918) and carrier-grade NAT (RFC 6598) space: where an overlay never hides a real host. */
const PRIVATE_RANGES = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"].map((text) => {
  const [ip, len] = text.split("/");
  return { network: ipToInt(ip), size: blockSize(Number(len)), text };
});

const inside = (addr: number, size: number, range: { network: number; size: number }) =>
  addr >= range.network && addr + size <= range.network + range.size;

/** Number of usable host addresses (network and broadcast excluded). */
export function hostCount(cidr: Cidr): number {
  return blockSize(cidr.prefix) - 2;
}

export function contains(cidr: Cidr, ip: string): boolean {
  const n = ipToInt(ip);
  return n > cidr.network && n < cidr.network + hostCount(cidr) + 1;
}

/**
 * Addresses for `names`. Pinned addresses (from the deployed stack) are kept when they are inside the
 * CIDR and not taken twice; every other machine starts at the slot its name hashes to and walks on
 * to the next free one, in name order, so the result does not depend on input order.
 */
export function assignAddresses(
  cidr: Cidr,
  names: readonly string[],
  pinned: Readonly<Record<string, string>> = {},
): Map<string, string> {
  const unique = [...new Set(names)].sort();
  const size = hostCount(cidr);
  if (unique.length > size)
    throw new Error(
      `overlay.cidr ${cidr.text} holds ${size} machines; the fleet has ${unique.length}: use a larger CIDR`,
    );
  const taken = new Map<number, string>();
  const out = new Map<string, string>();
  for (const name of unique) {
    const ip = pinned[name];
    if (ip === undefined || !IPV4.test(ip) || !contains(cidr, ip)) continue;
    const slot = ipToInt(ip) - cidr.network;
    if (taken.has(slot)) continue;
    taken.set(slot, name);
    out.set(name, ip);
  }
  for (const name of unique) {
    if (out.has(name)) continue;
    let slot = 1 + (parseInt(createHash("sha256").update(name).digest("hex").slice(0, 8), 16) % size);
    while (taken.has(slot)) slot = (slot % size) + 1;
    taken.set(slot, name);
    out.set(name, intToIp(cidr.network + slot));
  }
  return out;
}
