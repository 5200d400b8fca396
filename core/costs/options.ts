import type { Catalog } from "../catalog/load";
import type { Performance, Profile, ProviderFile, Shape, Sourced, StorageClass } from "../catalog/schema";
import type { Site } from "../fleet-spec/resolve";

export const HOURS_PER_MONTH = 730;

/** Monthly USD of one node, by what is billed. */
export interface CostBreakdown {
  compute: number;
  storage: number;
  /** Provisioned IOPS and throughput above what the disk includes. */
  performance: number;
  publicIp: number;
  egress: number;
  total: number;
}

export interface StorageChoice {
  class: string;
  tier?: string;
  sizeGb: number;
  /** Absent for instance-store NVMe: not limited by a disk class. */
  iops?: number;
  /** Absent for instance-store NVMe: not limited by a disk class. */
  throughputMBps?: number;
  /** Local NVMe / local SSD: fast, and lost with the machine. */
  local: boolean;
}

/** The cheapest way to run one node of a profile at a site. */
export interface NodeOption {
  shape: string;
  vcpu: number;
  memoryGb: number;
  storage: StorageChoice;
  cost: CostBreakdown;
  /** True when any price used is an estimate (egress always is: it depends on traffic). */
  estimate: boolean;
  /** The sources of every price used, with dates. */
  sources: string[];
}

export type OptionResult = { ok: true; option: NodeOption } | { ok: false; reason: string };

const cite = (s: Sourced) => `${s.source} (${s.asOf}${s.estimate ? ", estimate" : ""})`;
const round = (n: number) => Math.round(n * 100) / 100;

function breakdown(parts: Omit<CostBreakdown, "total">): CostBreakdown {
  const rounded = {
    compute: round(parts.compute), storage: round(parts.storage), performance: round(parts.performance),
    publicIp: round(parts.publicIp), egress: round(parts.egress),
  };
  return { ...rounded, total: round(Object.values(rounded).reduce((a, b) => a + b, 0)) };
}

/** Cheapest fitting node option at a cloud region or on Akash; bare metal is priced per host. */
export function cheapestOption(profile: Profile, site: Site, catalog: Catalog): OptionResult {
  if (site.provider === "baremetal") throw new Error("bare-metal nodes are priced by their host, not per node");
  const provider = catalog.providers.get(site.provider)!;
  return provider.kind === "akash" ? akashOption(profile, provider) : cloudOption(profile, provider, site.region);
}

function cloudOption(profile: Profile, provider: ProviderFile, region: string): OptionResult {
  const network = provider.network!;
  const publicIp = network.publicIpv4UsdPerHour.value * HOURS_PER_MONTH;
  const egress = profile.egressGbMonth * network.egressUsdPerGb.value;
  let best: NodeOption | undefined;
  let closestMiss = "no shape has the vCPU and memory";
  for (const price of provider.computePrices[region] ?? []) {
    const shape = provider.shapes.find((s) => s.id === price.shape)!;
    if (shape.vcpu < profile.vcpu || shape.memoryGb < profile.memoryGb) continue;
    const storage = storageFor(profile, provider, region, shape);
    if (!storage) { closestMiss = `no disk meets ${profile.diskGb} GB at ${profile.iops} IOPS${profile.localNvme === "required" ? " on local NVMe" : ""}`; continue; }
    const compute = price.usdPerHour * HOURS_PER_MONTH;
    const cost = breakdown({ compute, storage: storage.usd, performance: storage.performanceUsd, publicIp, egress });
    if (!best || cost.total < best.cost.total) {
      best = {
        shape: shape.id, vcpu: shape.vcpu, memoryGb: shape.memoryGb, storage: storage.choice, cost,
        estimate: true,
        sources: [cite(price), ...storage.sources, cite(network.publicIpv4UsdPerHour), `egress ${profile.egressGbMonth} GB/month: ${cite(profile.egressSource)}; ${cite(network.egressUsdPerGb)}`],
      };
    }
  }
  return best ? { ok: true, option: best } : { ok: false, reason: `${provider.id}/${region}: ${closestMiss} for ${profile.vcpu} vCPU / ${profile.memoryGb} GB` };
}

interface PricedStorage { choice: StorageChoice; usd: number; performanceUsd: number; sources: string[] }

function storageFor(profile: Profile, provider: ProviderFile, region: string, shape: Shape): PricedStorage | undefined {
  const candidates: PricedStorage[] = [];
  if (shape.localNvmeGb && shape.localNvmeGb >= profile.diskGb && profile.localNvme !== "none") {
    // Instance-store NVMe is part of the shape's price; no disk class limits its IOPS or throughput.
    candidates.push({ choice: { class: "instance-nvme", sizeGb: shape.localNvmeGb, local: true }, usd: 0, performanceUsd: 0, sources: [] });
  }
  for (const cls of provider.storageClasses) {
    if (cls.local ? profile.localNvme === "none" : profile.localNvme === "required") continue;
    if (cls.shapePrefixes && !cls.shapePrefixes.some((prefix) => shape.id.startsWith(prefix))) continue;
    const priced = priceStorageClass(profile, cls, provider.storagePrices[region] ?? []);
    if (priced) candidates.push(priced);
  }
  return candidates.sort((a, b) => a.usd + a.performanceUsd - (b.usd + b.performanceUsd))[0];
}

/** Sizes a disk of one class for the profile (growing it where performance scales with size) and prices it. */
export function priceStorageClass(profile: Profile, cls: StorageClass, prices: ProviderFile["storagePrices"][string]): PricedStorage | undefined {
  if (cls.tiers) {
    for (const tier of [...cls.tiers].sort((a, b) => a.sizeGb - b.sizeGb)) {
      if (tier.sizeGb < profile.diskGb || tier.iops < profile.iops || tier.throughputMBps < profile.throughputMBps) continue;
      const price = prices.find((p) => p.class === cls.id && p.tier === tier.id);
      if (!price?.usdPerMonth) continue;
      return { choice: { class: cls.id, tier: tier.id, sizeGb: tier.sizeGb, iops: tier.iops, throughputMBps: tier.throughputMBps, local: false }, usd: price.usdPerMonth, performanceUsd: 0, sources: [cite(price)] };
    }
    return undefined;
  }
  const price = prices.find((p) => p.class === cls.id);
  if (!price?.usdPerGbMonth || !cls.iops || !cls.throughputMBps) return undefined;
  let size = Math.max(profile.diskGb, growFor(profile.iops, cls.iops), growFor(profile.throughputMBps, cls.throughputMBps));
  if (cls.unitGb) {
    const units = Math.ceil(size / cls.unitGb);
    const allowed = cls.unitCounts ? cls.unitCounts.find((n) => n >= units) : units;
    if (allowed === undefined) return undefined;
    size = allowed * cls.unitGb;
  }
  if (size > cls.maxGb) return undefined;
  const iops = provision(profile.iops, cls.iops, size);
  const throughput = provision(profile.throughputMBps, cls.throughputMBps, size);
  if (!iops || !throughput) return undefined;
  return {
    choice: { class: cls.id, sizeGb: size, iops: iops.level, throughputMBps: throughput.level, local: cls.local ?? false },
    usd: size * price.usdPerGbMonth,
    performanceUsd: iops.usd + throughput.usd,
    sources: [cite(price)],
  };
}

/** Disk size at which size-scaled performance reaches `need` (0 when it does not scale, or never does). */
function growFor(need: number, perf: Performance): number {
  if (!perf.perGb || need <= perf.included || perf.provisionedUsdPerMonth !== undefined) return 0;
  return need > perf.max ? 0 : Math.ceil((need - perf.included) / perf.perGb);
}

/** The performance level a disk of `sizeGb` gets for `need`, and what the provisioned part costs. */
export function provision(need: number, perf: Performance, sizeGb: number): { level: number; usd: number } | undefined {
  const base = Math.min(perf.max, perf.included + (perf.perGb ?? 0) * sizeGb);
  if (need <= base) return { level: base, usd: 0 };
  if (perf.provisionedUsdPerMonth === undefined || need > perf.max) return undefined;
  return { level: need, usd: (need - base) * perf.provisionedUsdPerMonth };
}

function akashOption(profile: Profile, provider: ProviderFile): OptionResult {
  const prices = provider.resourcePrices!;
  const cpu = Math.ceil(profile.vcpu);
  const compute = cpu * prices.cpuUsdPerThreadMonth.value + profile.memoryGb * prices.memoryUsdPerGbMonth.value;
  const region = provider.regions[0].id;
  const storage = provider.storageClasses
    .filter((cls) => profile.localNvme !== "required" || cls.local)
    .map((cls) => priceStorageClass(profile, cls, provider.storagePrices[region]))
    .filter((s): s is PricedStorage => !!s)
    .sort((a, b) => a.usd - b.usd)[0];
  if (!storage) return { ok: false, reason: `akash: no storage class meets ${profile.iops} IOPS${profile.localNvme === "required" ? " on local NVMe" : ""}` };
  // A node needs an IP lease so peers can dial its P2P ports; egress is not billed on Akash.
  const cost = breakdown({ compute, storage: storage.usd, performance: 0, publicIp: prices.ipLeaseUsdPerMonth.value, egress: 0 });
  return {
    ok: true,
    option: {
      shape: `akash-${cpu}cpu-${profile.memoryGb}gb`, vcpu: cpu, memoryGb: profile.memoryGb, storage: storage.choice, cost,
      estimate: true, sources: [cite(prices.cpuUsdPerThreadMonth), ...storage.sources],
    },
  };
}

/** Whether one node of the profile fits an (empty) bare-metal host at all. */
export function hostFits(profile: Profile, site: Site): string | undefined {
  const h = site.host!;
  if (h.cpu < profile.vcpu) return `${h.name} has ${h.cpu} CPU threads, a node needs ${profile.vcpu}`;
  if (h.memoryGb < profile.memoryGb) return `${h.name} has ${h.memoryGb} GB memory, a node needs ${profile.memoryGb}`;
  if (h.diskGb < profile.diskGb) return `${h.name} has ${h.diskGb} GB disk, a node needs ${profile.diskGb}`;
  if (profile.localNvme === "required" && h.disk !== "nvme") return `${h.name} has ${h.disk} disks, the node needs local NVMe`;
  return undefined;
}
