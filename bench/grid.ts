/**
 * The fleets of the planning grid (`npm run bench:grid`): `sites` candidate sites (AWS, GCP and Azure
 * in 3 regions each, Akash, and `sites - 10` rented bare-metal hosts) times `chains` chain entries,
 * under the policy of bench/fleet.ts. Hosts come in 66 kinds (11 operators x 2 regions x 3 sizes),
 * as a provider rents batches of one machine type in one data centre: 990 hosts are 15 of each kind.
 */
import type { z } from "zod";
import type { FleetSpec } from "../core/fleet-spec/schema";

type SpecInput = z.input<typeof FleetSpec>;

const OPERATORS: Array<{ operator: string; country: string; regions: [string, string]; usd: number }> = [
  { operator: "hetzner", country: "DE", regions: ["fsn1", "nbg1"], usd: 190 },
  { operator: "ovh", country: "FR", regions: ["gra", "rbx"], usd: 240 },
  { operator: "scaleway", country: "FR", regions: ["par1", "par2"], usd: 260 },
  { operator: "leaseweb", country: "NL", regions: ["ams1", "ams2"], usd: 280 },
  { operator: "upcloud", country: "FI", regions: ["hel1", "hel2"], usd: 300 },
  { operator: "cherry", country: "LT", regions: ["vno1", "vno2"], usd: 210 },
  { operator: "latitude", country: "US", regions: ["dal1", "nyc1"], usd: 320 },
  { operator: "vultr", country: "SG", regions: ["sgp1", "sgp2"], usd: 340 },
  { operator: "digitalocean", country: "US", regions: ["sfo3", "nyc3"], usd: 330 },
  { operator: "oracle", country: "US", regions: ["ash1", "phx1"], usd: 310 },
  { operator: "alibaba", country: "SG", regions: ["sg1", "sg2"], usd: 230 },
];
const SIZES = [
  { cpu: 32, memoryGb: 128, diskGb: 7680, factor: 1 },
  { cpu: 48, memoryGb: 256, diskGb: 11520, factor: 1.45 },
  { cpu: 64, memoryGb: 384, diskGb: 15360, factor: 1.9 },
];

/** Chain entries, most distinct first: 2 takes Ethereum and Bitcoin mainnet, 20 takes them all. */
const ENTRIES: Array<[chain: string, network: string, role: string]> = [
  ["ethereum", "mainnet", "full"],
  ["bitcoin", "mainnet", "full"],
  ["ethereum", "mainnet", "archive"],
  ["base", "mainnet", "full"],
  ["cosmoshub", "mainnet", "full"],
  ["polygon", "mainnet", "full"],
  ["arbitrum", "mainnet", "full"],
  ["optimism", "mainnet", "full"],
  ["optimism", "mainnet", "archive"],
  ["ethereum", "sepolia", "full"],
  ["ethereum", "hoodi", "full"],
  ["bitcoin", "testnet4", "full"],
  ["bitcoin", "signet", "full"],
  ["base", "sepolia", "full"],
  ["arbitrum", "sepolia", "full"],
  ["polygon", "amoy", "full"],
  ["optimism", "sepolia", "full"],
  ["ethereum", "sepolia", "archive"],
  ["ethereum", "hoodi", "archive"],
  ["optimism", "sepolia", "archive"],
];

export function gridHosts(count: number) {
  return Array.from({ length: count }, (_, i) => {
    const o = OPERATORS[i % OPERATORS.length];
    const size = SIZES[Math.floor(i / OPERATORS.length) % SIZES.length];
    const region = o.regions[Math.floor(i / (OPERATORS.length * SIZES.length)) % 2];
    return {
      name: `${o.operator}-${i + 1}`,
      address: `10.${Math.floor(i / 250)}.${i % 250}.10`,
      operator: o.operator,
      country: o.country,
      region,
      monthlyUsd: Math.round(o.usd * size.factor),
      cpu: size.cpu,
      memoryGb: size.memoryGb,
      diskGb: size.diskGb,
      disk: "nvme" as const,
    };
  });
}

/** `chains` entries (at most 20) of about sites / chains / 2 nodes each, an even count (base has 2 clients under a 0.5 cap). */
export function gridSpec(sites: number, chains: number, budget?: number): SpecInput {
  if (sites < 11 || chains < 1 || chains > ENTRIES.length)
    throw new Error(`grid: ${sites} sites x ${chains} chains is outside the grid`);
  const count = 2 * Math.max(2, Math.round(sites / chains / 4));
  return {
    name: `grid-${sites}x${chains}`,
    chains: ENTRIES.slice(0, chains).map(([chain, network, role]) => ({ chain, network, role, count })),
    sites: {
      aws: { regions: ["us-east-1", "eu-central-1", "ap-southeast-1"] },
      gcp: { regions: ["us-east4", "europe-west3", "asia-southeast1"] },
      azure: { regions: ["eastus", "germanywestcentral", "southeastasia"] },
      akash: {},
      baremetal: { hosts: gridHosts(sites - 10) },
    },
    policy: {
      maxShare: { operator: 0.34, region: 0.34, jurisdiction: 0.67, client: 0.5 },
      minOperators: 3,
      survive: { operatorLoss: 1, regionLoss: 1, minNodes: 2 },
    },
    ...(budget === undefined ? {} : { budget: { monthlyUsd: budget } }),
  };
}
