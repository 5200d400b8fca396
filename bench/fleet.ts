/**
 * The benchmark fleet: N nodes over 34 candidate sites (AWS, GCP and Azure in 3 regions each, Akash,
 * and 24 rented bare-metal hosts of 8 operators), several chain groups, and a policy that binds.
 */
import type { z } from "zod";
import type { FleetSpec } from "../core/fleet-spec/schema";

type SpecInput = z.input<typeof FleetSpec>;

const OPERATORS: Array<{ operator: string; country: string; region: string; usd: number }> = [
  { operator: "hetzner", country: "DE", region: "fsn1", usd: 190 },
  { operator: "ovh", country: "FR", region: "gra", usd: 240 },
  { operator: "scaleway", country: "FR", region: "par", usd: 260 },
  { operator: "leaseweb", country: "NL", region: "ams", usd: 280 },
  { operator: "upcloud", country: "FI", region: "hel", usd: 300 },
  { operator: "cherry", country: "LT", region: "vno", usd: 210 },
  { operator: "latitude", country: "US", region: "dal", usd: 320 },
  { operator: "vultr", country: "SG", region: "sgp", usd: 340 },
];

/** 24 hosts: 3 per operator, of three sizes, priced around each operator's rate. */
export function hosts() {
  const sizes = [
    { cpu: 32, memoryGb: 128, diskGb: 7680, factor: 1 },
    { cpu: 48, memoryGb: 256, diskGb: 11520, factor: 1.45 },
    { cpu: 64, memoryGb: 384, diskGb: 15360, factor: 1.9 },
  ];
  return OPERATORS.flatMap((o, i) =>
    sizes.map((s, j) => ({
      name: `${o.operator}-${j + 1}`,
      address: `198.51.${100 + i}.${10 + j}`,
      operator: o.operator,
      country: o.country,
      region: `${o.region}${j % 2 ? "2" : "1"}`,
      monthlyUsd: Math.round(o.usd * s.factor),
      cpu: s.cpu,
      memoryGb: s.memoryGb,
      diskGb: s.diskGb,
    })),
  );
}

/** Chain groups for `n` nodes (n >= 10). */
export function groups(n: number): SpecInput["chains"] {
  if (n < 50) {
    const eth = Math.ceil(n / 2);
    return [
      { chain: "ethereum", role: "full", count: eth },
      { chain: "bitcoin", role: "full", count: n - eth },
    ];
  }
  const parts: Array<[chain: string, role: string, share: number]> = [
    ["ethereum", "full", 0.4],
    ["ethereum", "archive", 0.1],
    ["bitcoin", "full", 0.15],
    ["base", "full", 0.1],
    ["cosmoshub", "full", 0.1],
    ["xrpl", "full", 0.1],
    ["polygon", "full", 0.05],
  ];
  const out = parts.map(([chain, role, share]) => ({ chain, role, count: Math.round(n * share) }));
  out[0].count += n - out.reduce((a, g) => a + g.count, 0);
  return out;
}

export function benchSpec(n: number): SpecInput {
  return {
    name: `bench-${n}`,
    chains: groups(n),
    sites: {
      aws: { regions: ["us-east-1", "eu-central-1", "ap-southeast-1"] },
      gcp: { regions: ["us-east4", "europe-west3", "asia-southeast1"] },
      azure: { regions: ["eastus", "germanywestcentral", "southeastasia"] },
      akash: {},
      baremetal: { hosts: hosts().map((h) => ({ ...h, disk: "nvme" as const })) },
    },
    policy: {
      // region 0.34: with one node per P2P port per host, 1,000 nodes do not fit under 0.25 of 34 sites.
      maxShare: { operator: 0.34, region: 0.34, jurisdiction: 0.67, client: 0.5 },
      minOperators: 3,
      survive: { operatorLoss: 1, regionLoss: 1, minNodes: 2 },
    },
  };
}
