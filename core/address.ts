/**
 * IP addresses and host names as users write them in a spec or config: parsed strictly, written
 * back in one canonical form (so one box never counts as two), with no library in between.
 */
import { isIPv4, isIPv6 } from "node:net";

/** `203.0.113.7` as a 32-bit number; undefined unless four decimal octets without leading zeros. */
export function parseIpv4(text: string): bigint | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  let n = 0n;
  for (const p of parts) {
    // No leading zeros: 010 reads as octal to some tools and as decimal to others.
    if (!/^(0|[1-9]\d{0,2})$/.test(p) || Number(p) > 255) return undefined;
    n = (n << 8n) | BigInt(p);
  }
  return n;
}

/** An IPv6 address (any RFC 4291 form, an embedded IPv4 tail too, no zone) as a 128-bit number. */
export function parseIpv6(text: string): bigint | undefined {
  if (!isIPv6(text) || text.includes("%")) return undefined;
  let head = text;
  let tail: bigint | undefined;
  const last = text.lastIndexOf(":");
  if (text.slice(last + 1).includes(".")) {
    tail = parseIpv4(text.slice(last + 1));
    if (tail === undefined) return undefined;
    head = `${text.slice(0, last + 1)}0:0`;
  }
  const [left, right] = head.includes("::") ? head.split("::") : [head, undefined];
  const l = left ? left.split(":") : [];
  const r = right ? right.split(":") : [];
  const groups = right === undefined ? l : [...l, ...Array<string>(8 - l.length - r.length).fill("0"), ...r];
  if (groups.length !== 8) return undefined;
  let n = 0n;
  for (const g of groups) n = (n << 16n) | BigInt(`0x${g}`);
  return tail === undefined ? n : (n & ~0xffffffffn) | tail;
}

export const formatIpv4 = (n: bigint) => [24n, 16n, 8n, 0n].map((s) => Number((n >> s) & 255n)).join(".");

/** RFC 5952: lower case, no leading zeros, the longest run (two or more) of zero groups as `::`. */
export function formatIpv6(n: bigint): string {
  const groups = Array.from({ length: 8 }, (_, i) => Number((n >> BigInt(16 * (7 - i))) & 0xffffn));
  let best = { at: -1, len: 1 };
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.len) best = { at: i, len: j - i };
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.at < 0) return hex.join(":");
  return `${hex.slice(0, best.at).join(":")}::${hex.slice(best.at + best.len).join(":")}`;
}

/** RFC 1123 host name: dot-separated labels of letters, digits and inner dashes, 63 per label, 253 in all. */
export function isDnsHostname(text: string): boolean {
  const name = text.endsWith(".") ? text.slice(0, -1) : text;
  if (name.length === 0 || name.length > 253) return false;
  const labels = name.split(".");
  // An all-numeric last label would read as a (malformed) IPv4 address.
  if (/^\d+$/.test(labels[labels.length - 1])) return false;
  return labels.every((l) => /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i.test(l));
}

/** An address to reach a host at: IPv4, IPv6 or a DNS host name. */
export function isHostAddress(text: string): boolean {
  return isIPv4(text)
    ? parseIpv4(text) !== undefined
    : isIPv6(text)
      ? parseIpv6(text) !== undefined
      : isDnsHostname(text);
}

/** The one spelling of an address: trimmed, lower case, no trailing dot, IPv6 in RFC 5952 form. */
export function canonicalAddress(text: string): string {
  const t = text.trim().toLowerCase().replace(/\.$/, "");
  const v6 = t.startsWith("[") && t.endsWith("]") ? parseIpv6(t.slice(1, -1)) : parseIpv6(t);
  return v6 === undefined ? t : formatIpv6(v6);
}
