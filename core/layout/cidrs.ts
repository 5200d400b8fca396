/**
 * Subnet CIDRs of the clouds' networks, derived from the network CIDR the user gives (AWS
 * `vpcCidr`, Azure `vnetCidr`) or, on GCP, from a fixed number per region, so a custom network
 * CIDR never leaves the subnet outside it and reordering the catalog never moves a subnet. Pure.
 */

/** Four dotted decimal octets (their range is checked by ipv4ToInt). */
export const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** A dotted IPv4 address as a 32-bit unsigned integer; undefined when it is not one. */
export function ipv4ToInt(ip: string): number | undefined {
  const m = IPV4.exec(ip);
  if (!m || m.slice(1).some((o) => Number(o) > 255)) return undefined;
  return m.slice(1).reduce((acc, o) => acc * 256 + Number(o), 0);
}

export function intToIpv4(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join(".");
}

/** Addresses in a block of this prefix length. */
export const blockSize = (prefix: number): number => 2 ** (32 - prefix);

interface Ipv4Block {
  base: number;
  prefix: number;
}

function parseIpv4Cidr(cidr: string, what: string): Ipv4Block {
  const m = /^([^/]+)\/(\d{1,2})$/.exec(cidr.trim());
  const addr = m ? ipv4ToInt(m[1]) : undefined;
  const prefix = m ? Number(m[2]) : NaN;
  if (addr === undefined || prefix > 32) throw new Error(`${what}: '${cidr}' is not an IPv4 CIDR (a.b.c.d/n)`);
  const size = blockSize(prefix);
  if (addr % size !== 0)
    throw new Error(`${what}: '${cidr}' has host bits set; use ${format(addr - (addr % size), prefix)}`);
  return { base: addr, prefix };
}

function format(addr: number, prefix: number): string {
  return `${intToIpv4(addr)}/${prefix}`;
}

/**
 * The `index`-th block of length `prefix` inside `network` (index 0: the first). Throws when the
 * block does not fit, naming the field.
 */
export function subnetCidr(network: string, prefix: number, index = 0, what = "network CIDR"): string {
  const net = parseIpv4Cidr(network, what);
  if (!Number.isInteger(prefix) || prefix < net.prefix || prefix > 28) {
    throw new Error(
      `${what}: '${network}' cannot hold a /${prefix} subnet; use a network of /${Math.min(prefix, 28)} or larger`,
    );
  }
  const count = 2 ** (prefix - net.prefix);
  if (!Number.isInteger(index) || index < 0 || index >= count)
    throw new Error(`${what}: '${network}' holds ${count} /${prefix} subnets, not ${index + 1}`);
  return format(net.base + index * blockSize(prefix), prefix);
}

/** True when two IPv4 CIDRs share an address. */
export function cidrsOverlap(a: string, b: string): boolean {
  const x = parseIpv4Cidr(a, "CIDR");
  const y = parseIpv4Cidr(b, "CIDR");
  const end = (c: Ipv4Block) => c.base + blockSize(c.prefix);
  return x.base < end(y) && y.base < end(x);
}

/**
 * Subnet CIDR per GCP region of one network: the given one, else `10.<100 + n>.0.0/20` with the
 * region's fixed number `n` (a table, not the catalog's order). Subnets of one network must not
 * overlap; a region without a number and without a given CIDR is an error naming the option.
 */
export function gcpSubnetCidrs(
  regions: readonly string[],
  numbers: Readonly<Record<string, number>>,
  given: Readonly<Record<string, string>> = {},
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const region of [...regions].sort()) {
    if (Object.hasOwn(given, region)) {
      const block = parseIpv4Cidr(given[region], `gcp.subnetCidrs.${region}`);
      out[region] = format(block.base, block.prefix);
      continue;
    }
    const n = Object.hasOwn(numbers, region) ? numbers[region] : undefined;
    if (n === undefined)
      throw new Error(`gcp region ${region} has no default subnet: set gcp.subnetCidrs.${region} (e.g. 10.199.0.0/20)`);
    out[region] = `10.${100 + n}.0.0/20`;
  }
  const list = Object.entries(out);
  for (let i = 0; i < list.length; i++) {
    for (let j = i + 1; j < list.length; j++) {
      if (cidrsOverlap(list[i][1], list[j][1])) {
        throw new Error(
          `gcp subnets of ${list[i][0]} (${list[i][1]}) and ${list[j][0]} (${list[j][1]}) overlap; set gcp.subnetCidrs so they do not`,
        );
      }
    }
  }
  return out;
}
