import type { Catalog } from "../catalog/load";
import type {
  EgressTiers,
  Performance,
  Pricing,
  Profile,
  ProviderFile,
  Shape,
  Sourced,
  StorageClass,
} from "../catalog/schema";
import { HOURS_PER_MONTH } from "../catalog/schema";
import type { Site } from "../fleet-spec/resolve";
import { TERMINATOR_RESOURCES } from "../workload/upstream-terminator";

/** Monthly USD of one node, by what is billed. */
export interface CostBreakdown {
  compute: number;
  storage: number;
  /** Provisioned IOPS and throughput above what the disk includes. */
  performance: number;
  publicIp: number;
  egress: number;
  total: number;
  /** Egress at the high end of the profile's range (not in total: the plan is priced at the low end). */
  egressHigh?: number;
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
  /**
   * The MB/s the profile asks for, when the machine's block-storage baseline holds the disk below it:
   * `throughputMBps` is then that baseline (paying for more would buy nothing the machine can use).
   */
  throughputWantedMBps?: number;
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
    compute: round(parts.compute),
    storage: round(parts.storage),
    performance: round(parts.performance),
    publicIp: round(parts.publicIp),
    egress: round(parts.egress),
  };
  const total = round(rounded.compute + rounded.storage + rounded.performance + rounded.publicIp + rounded.egress);
  return { ...rounded, total, ...(parts.egressHigh === undefined ? {} : { egressHigh: round(parts.egressHigh) }) };
}

/** Monthly USD of `gb` of internet egress in a region: the free allowance, then each volume tier in turn. */
export function egressUsd(gb: number, provider: ProviderFile, region: string): number {
  const network = provider.network!;
  const tiered: EgressTiers | undefined =
    network.egress && Object.hasOwn(network.egress, region) ? network.egress[region] : undefined;
  if (!tiered) return gb * network.egressUsdPerGb.value;
  // Tier bounds count total volume; the free allowance is the bottom of the first tier.
  let left = Math.max(0, gb - tiered.freeGbMonth);
  let floor = tiered.freeGbMonth;
  let usd = 0;
  for (const tier of tiered.tiers) {
    const span = tier.upToGb === undefined ? left : Math.min(left, tier.upToGb - floor);
    usd += span * tier.usdPerGb;
    left -= span;
    floor = tier.upToGb ?? floor;
    if (left <= 0) break;
  }
  return usd;
}

/** The share of on-demand compute paid under a pricing option (sustained use applies to on-demand only). */
function computeFactor(provider: ProviderFile, shape: Shape, pricing: Pricing): { factor: number; source?: Sourced } {
  if (pricing !== "on-demand") {
    const option = provider.purchaseOptions?.[pricing];
    return option ? { factor: 1 - option.computeDiscount, source: option } : { factor: 1 };
  }
  const sud = provider.sustainedUse?.find((d) => d.shapePrefixes.some((prefix) => shape.id.startsWith(prefix)));
  return sud ? { factor: 1 - sud.fullMonthDiscount, source: sud } : { factor: 1 };
}

/** Cheapest fitting node option at a cloud region or on Akash; bare metal is priced per host. */
export function cheapestOption(
  profile: Profile,
  site: Site,
  catalog: Catalog,
  pricing: Pricing = "on-demand",
  /** Gateways serve the node's chain (NodeGroup.behindGateways): on Akash it then runs an mTLS terminator too. */
  behindGateways = false,
): OptionResult {
  if (site.provider === "baremetal") throw new Error("bare-metal nodes are priced by their host, not per node");
  const provider = catalog.providers.get(site.provider)!;
  return provider.kind === "akash"
    ? akashOption(profile, provider, behindGateways)
    : cloudOption(profile, provider, site.region, pricing);
}

/** The VM's root disk, priced like a data disk of its class (every VM the components create has one). */
function bootDiskUsd(provider: ProviderFile, region: string): { usd: number; sources: string[] } {
  const boot = provider.bootDisk;
  if (!boot) return { usd: 0, sources: [] };
  const price = (provider.storagePrices[region] ?? []).find((p) => p.class === boot.class && p.tier === boot.tier);
  if (!price) return { usd: 0, sources: [] };
  const usd = price.usdPerMonth ?? boot.sizeGb * price.usdPerGbMonth!;
  return { usd, sources: [`boot disk ${boot.sizeGb} GB ${boot.tier ?? boot.class}: ${cite(price)}`] };
}

function cloudOption(profile: Profile, provider: ProviderFile, region: string, pricing: Pricing): OptionResult {
  const network = provider.network!;
  const publicIp = network.publicIpv4UsdPerHour.value * HOURS_PER_MONTH;
  const egress = egressUsd(profile.egressGbMonth, provider, region);
  const egressHigh = egressUsd(profile.egressGbMonthHigh ?? profile.egressGbMonth, provider, region);
  const egressCite =
    network.egress && Object.hasOwn(network.egress, region)
      ? cite(network.egress[region])
      : cite(network.egressUsdPerGb);
  const boot = bootDiskUsd(provider, region);
  let best: NodeOption | undefined;
  let closestMiss = "no shape has the vCPU and memory";
  for (const price of provider.computePrices[region] ?? []) {
    const shape = provider.shapes.find((s) => s.id === price.shape)!;
    if (shape.vcpu < profile.vcpu || shape.memoryGb < profile.memoryGb) continue;
    const storage = storageFor(profile, provider, region, shape);
    if (!storage) {
      closestMiss = `no disk meets ${profile.diskGb} GB at ${profile.iops} IOPS${profile.localNvme === "required" ? " on local NVMe" : ""}`;
      continue;
    }
    const { factor, source: discount } = computeFactor(provider, shape, pricing);
    const compute = price.usdPerHour * HOURS_PER_MONTH * factor;
    const cost = breakdown({
      compute,
      storage: storage.usd + boot.usd,
      performance: storage.performanceUsd,
      publicIp,
      egress,
      egressHigh,
    });
    if (!best || cost.total < best.cost.total) {
      const egressRange = `${profile.egressGbMonth}-${profile.egressGbMonthHigh ?? profile.egressGbMonth} GB/month`;
      best = {
        shape: shape.id,
        vcpu: shape.vcpu,
        memoryGb: shape.memoryGb,
        storage: storage.choice,
        cost,
        estimate: true,
        sources: [
          cite(price),
          ...(discount
            ? [`${pricing === "on-demand" ? "sustained use" : pricing} x${factor.toFixed(2)}: ${cite(discount)}`]
            : []),
          ...storage.sources,
          ...boot.sources,
          cite(network.publicIpv4UsdPerHour),
          `egress ${egressRange}: ${cite(profile.egressSource)}; ${egressCite}`,
        ],
      };
    }
  }
  return best
    ? { ok: true, option: best }
    : {
        ok: false,
        reason: `${provider.id}/${region}: ${closestMiss} for ${profile.vcpu} vCPU / ${profile.memoryGb} GB`,
      };
}

interface PricedStorage {
  choice: StorageChoice;
  usd: number;
  performanceUsd: number;
  sources: string[];
}

function storageFor(profile: Profile, provider: ProviderFile, region: string, shape: Shape): PricedStorage | undefined {
  const candidates: PricedStorage[] = [];
  if (shape.localNvmeGb && shape.localNvmeGb >= profile.diskGb && profile.localNvme !== "none") {
    // Instance-store NVMe is part of the shape's price; no disk class limits its IOPS or throughput.
    candidates.push({
      choice: { class: "instance-nvme", sizeGb: shape.localNvmeGb, local: true },
      usd: 0,
      performanceUsd: 0,
      sources: [],
    });
  }
  for (const cls of provider.storageClasses) {
    if (cls.local ? profile.localNvme === "none" : profile.localNvme === "required") continue;
    if (cls.shapePrefixes && !cls.shapePrefixes.some((prefix) => shape.id.startsWith(prefix))) continue;
    const priced = priceStorageClass(profile, cls, provider.storagePrices[region] ?? [], cls.local ? undefined : shape);
    if (priced) candidates.push(priced);
  }
  return candidates.sort((a, b) => a.usd + a.performanceUsd - (b.usd + b.performanceUsd))[0];
}

/**
 * The throughput a network disk on `shape` must deliver: the profile's, held at the machine's
 * block-storage baseline (whole MB/s, as the providers' APIs take it) when that is lower.
 */
export function throughputNeed(
  profile: Profile,
  shape?: Shape,
): { need: number; capped?: { wanted: number; source: string } } {
  const baseline = shape?.blockStorage && Math.floor(shape.blockStorage.baselineThroughputMBps);
  if (!baseline || baseline >= profile.throughputMBps) return { need: profile.throughputMBps };
  return {
    need: baseline,
    capped: {
      wanted: profile.throughputMBps,
      source: `${shape!.id} sustains ${shape!.blockStorage!.baselineThroughputMBps} MB/s to block storage, below the ${profile.throughputMBps} MB/s asked: throughput held there: ${cite(shape!.blockStorage!)}`,
    },
  };
}

/**
 * Sizes a disk of one class for the profile (growing it where performance scales with size) and prices it.
 * With `shape`, the disk's throughput is held at the machine's block-storage baseline ({@link throughputNeed}).
 */
export function priceStorageClass(
  profile: Profile,
  cls: StorageClass,
  prices: ProviderFile["storagePrices"][string],
  shape?: Shape,
): PricedStorage | undefined {
  const { need: throughputMBps, capped } = throughputNeed(profile, shape);
  const held = capped ? { throughputWantedMBps: capped.wanted } : {};
  const heldSources = capped ? [capped.source] : [];
  if (cls.tiers) {
    for (const tier of [...cls.tiers].sort((a, b) => a.sizeGb - b.sizeGb)) {
      if (tier.sizeGb < profile.diskGb || tier.iops < profile.iops || tier.throughputMBps < throughputMBps) continue;
      const price = prices.find((p) => p.class === cls.id && p.tier === tier.id);
      if (!price?.usdPerMonth) continue;
      return {
        choice: {
          class: cls.id,
          tier: tier.id,
          sizeGb: tier.sizeGb,
          iops: tier.iops,
          throughputMBps: capped ? Math.min(tier.throughputMBps, throughputMBps) : tier.throughputMBps,
          local: false,
          ...held,
        },
        usd: price.usdPerMonth,
        performanceUsd: 0,
        sources: [cite(price), ...heldSources],
      };
    }
    return undefined;
  }
  const price = prices.find((p) => p.class === cls.id);
  if (!price?.usdPerGbMonth || !cls.iops || !cls.throughputMBps) return undefined;
  let size = Math.max(profile.diskGb, growFor(profile.iops, cls.iops), growFor(throughputMBps, cls.throughputMBps));
  if (cls.unitGb) {
    const units = Math.ceil(size / cls.unitGb);
    const allowed = cls.unitCounts ? cls.unitCounts.find((n) => n >= units) : units;
    if (allowed === undefined) return undefined;
    size = allowed * cls.unitGb;
  }
  if (size > cls.maxGb) return undefined;
  const iops = provision(profile.iops, cls.iops, size);
  const throughput = provision(throughputMBps, cls.throughputMBps, size);
  if (!iops || !throughput) return undefined;
  return {
    choice: {
      class: cls.id,
      sizeGb: size,
      iops: iops.level,
      // A disk whose included throughput exceeds the machine's baseline still delivers only the baseline.
      throughputMBps: capped ? Math.min(throughput.level, throughputMBps) : throughput.level,
      local: cls.local ?? false,
      ...held,
    },
    usd: size * price.usdPerGbMonth,
    performanceUsd: iops.usd + throughput.usd,
    sources: [cite(price), ...heldSources],
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

function akashOption(profile: Profile, provider: ProviderFile, behindGateways: boolean): OptionResult {
  const prices = provider.resourcePrices!;
  const cpu = Math.ceil(profile.vcpu);
  // Behind gateways the lease also runs the mTLS terminator (core/workload/upstream-terminator) on its own port.
  const terminator = behindGateways
    ? TERMINATOR_RESOURCES.cpu * prices.cpuUsdPerThreadMonth.value +
      (TERMINATOR_RESOURCES.memoryMi / 1024) * prices.memoryUsdPerGbMonth.value +
      prices.endpointUsdPerPortMonth.value
    : 0;
  const compute =
    cpu * prices.cpuUsdPerThreadMonth.value + profile.memoryGb * prices.memoryUsdPerGbMonth.value + terminator;
  const region = provider.regions[0].id;
  const classes = provider.storageClasses.filter((cls) => profile.localNvme !== "required" || cls.local);
  if (classes.length === 0) {
    return {
      ok: false,
      reason: "akash: the node needs local NVMe and Akash persistent storage is network storage (Rook-Ceph)",
    };
  }
  const storage = classes
    .map((cls) => priceStorageClass(profile, cls, provider.storagePrices[region]))
    .filter((s): s is PricedStorage => !!s)
    .sort((a, b) => a.usd - b.usd)[0];
  if (!storage) {
    const best = classes.map(
      (c) =>
        `${c.id} ${c.iops?.max ?? 0} IOPS / ${c.throughputMBps?.max ?? 0} MB/s${c.source?.estimate ? " (assumed)" : ""}`,
    );
    return {
      ok: false,
      reason: `akash: persistent storage is network storage (Rook-Ceph) and no class meets ${profile.diskGb} GB at ${profile.iops} IOPS / ${profile.throughputMBps} MB/s (${best.join(", ")})`,
    };
  }
  // A node needs an IP lease so peers can dial its P2P ports; egress is not billed on Akash.
  const cost = breakdown({
    compute,
    storage: storage.usd,
    performance: 0,
    publicIp: prices.ipLeaseUsdPerMonth.value,
    egress: 0,
  });
  return {
    ok: true,
    option: {
      shape: `akash-${cpu}cpu-${profile.memoryGb}gb`,
      vcpu: cpu,
      memoryGb: profile.memoryGb,
      storage: storage.choice,
      cost,
      estimate: true,
      sources: [
        cite(prices.cpuUsdPerThreadMonth),
        ...storage.sources,
        ...(behindGateways
          ? [
              `mTLS terminator beside the node for the gateways: ${TERMINATOR_RESOURCES.cpu} CPU, ${TERMINATOR_RESOURCES.memoryMi} MiB, one port`,
            ]
          : []),
      ],
    },
  };
}

/** Whether one node of the profile fits an (empty) bare-metal host at all. */
export function hostFits(profile: Profile, site: Site): string | undefined {
  const h = site.host!;
  if (h.cpu < profile.vcpu) return `${h.name} has ${h.cpu} CPU threads, a node needs ${profile.vcpu}`;
  if (h.memoryGb < profile.memoryGb) return `${h.name} has ${h.memoryGb} GB memory, a node needs ${profile.memoryGb}`;
  if (h.diskGb < profile.diskGb) return `${h.name} has ${h.diskGb} GB disk, a node needs ${profile.diskGb}`;
  if (profile.localNvme === "required" && h.disk !== "nvme")
    return `${h.name} has ${h.disk} disks, the node needs local NVMe`;
  return undefined;
}
