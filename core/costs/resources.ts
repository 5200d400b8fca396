/**
 * The monthly cost of arbitrary Pulumi resources (what the resource reader found), priced from the
 * catalog with the same figures and functions the planner uses. A resource the catalog cannot price
 * is listed as unpriced with the reason, never dropped and never given an invented price; traffic
 * (egress) is usage-based: priced only with a usage file, as in Infracost.
 */
import type { Catalog } from "../catalog/load";
import { HOURS_PER_MONTH, type ProviderFile, type Sourced } from "../catalog/schema";
import type {
  Disk,
  Machine,
  ProviderKind,
  PublicIp,
  RawResource,
  ReadResult,
  StackResources,
  TagMapping,
} from "../resources/types";
import { SpecError } from "../errors";
import { own } from "../own";
import { FREE_PROVIDER_TYPES, providerFacts } from "../providers";
import { quantityProblems } from "../resources/quantities";
import { readResources } from "../resources/read";
import { provision } from "./options";

/** One billed line of a resource, the shape of an Infracost cost component. */
export interface CostComponent {
  name: string;
  unit: string;
  /** null when it depends on usage nobody gave. */
  monthlyQuantity: number | null;
  /** USD per unit; null when the catalog has no price. */
  price: number | null;
  monthlyCost: number | null;
  usageBased?: boolean;
  estimate?: boolean;
  source?: string;
}

export type PriceStatus = "priced" | "usage-based" | "unpriced" | "free";

export interface PricedResource {
  /** Resource name (Pulumi name; inline disks are folded into their machine). */
  name: string;
  resourceType: string;
  urn: string;
  provider: string;
  region?: string;
  /** Sum of the priced components; null when nothing could be priced. */
  monthlyCost: number | null;
  costComponents: CostComponent[];
  status: PriceStatus;
  /** Why a resource or a component is not priced. */
  notes: string[];
  tags: Record<string, string>;
}

export interface CostEstimate {
  currency: "USD";
  resources: PricedResource[];
  totalMonthlyCost: number;
  /** True when any price used is an estimate. */
  estimate: boolean;
  summary: { total: number; priced: number; usageBased: number; unpriced: number; free: number };
  warnings: string[];
}

/** Usage the catalog cannot know (Infracost's usage file): per resource name or URN, or per type. */
export interface Usage {
  resources?: Record<string, ResourceUsage>;
  types?: Record<string, ResourceUsage>;
}
export interface ResourceUsage {
  /** Outbound internet traffic per month, GB. */
  monthlyEgressGb?: number;
}

/**
 * Resource types that cost nothing by themselves: each provider's (networks, rules, attachments, key
 * pairs, internal addresses: core/providers/<id>), and these that every fleet has.
 */
const FREE_TYPES: ReadonlySet<string> = new Set([
  ...FREE_PROVIDER_TYPES,
  "command:local:Command",
  "random:index/randomPassword:RandomPassword",
  "tls:index/privateKey:PrivateKey",
]);

const round = (n: number) => Math.round(n * 100) / 100;
const cite = (s: Sourced) => `${s.source} (${s.asOf}${s.estimate ? ", estimate" : ""})`;

function component(
  name: string,
  unit: string,
  quantity: number | null,
  price: number | null,
  src?: Sourced,
  usageBased = false,
): CostComponent {
  // Unrounded: lines add up exactly; the total is rounded to cents once.
  const monthlyCost = quantity === null || price === null ? null : quantity * price;
  return {
    name,
    unit,
    monthlyQuantity: quantity,
    price,
    monthlyCost,
    ...(usageBased ? { usageBased } : {}),
    ...(src?.estimate ? { estimate: true } : {}),
    ...(src ? { source: cite(src) } : {}),
  };
}

function unpriced(name: string, unit: string, quantity: number | null): CostComponent {
  return { name, unit, monthlyQuantity: quantity, price: null, monthlyCost: null };
}

function cloud(catalog: Catalog, provider: ProviderKind): ProviderFile | undefined {
  return catalog.providers.get(provider as ProviderFile["id"]);
}

function regionProblem(file: ProviderFile, region: string | undefined): string | undefined {
  if (!region) return "no region on the resource, its provider or the stack config";
  if (!file.regions.some((r) => r.id === region))
    return `the catalog has no ${file.id} prices for region ${region} (it has ${file.regions.map((r) => r.id).join(", ")})`;
  return undefined;
}

/** Storage (and provisioned IOPS/throughput above what the class includes) of one disk. */
export function diskComponents(
  d: Disk,
  catalog: Catalog,
  label = "Storage",
): { components: CostComponent[]; notes: string[] } {
  const file = cloud(catalog, d.provider);
  const what = `${label} (${d.storageClass ?? "unknown class"}${d.sizeGb ? `, ${d.sizeGb} GB` : ""})`;
  const fail = (note: string) => ({
    components: [unpriced(what, "GB", d.sizeGb ?? null)],
    notes: [`${d.name}: ${note}`],
  });
  if (!file) return fail("not a cloud disk");
  const problem = regionProblem(file, d.region);
  if (problem) return fail(problem);
  const cls = file.storageClasses.find((c) => c.id === d.storageClass);
  if (!cls)
    return fail(
      `storage class ${d.storageClass ?? "(none)"} is not in the catalog (${file.storageClasses.map((c) => c.id).join(", ")})`,
    );
  if (d.sizeGb === undefined) return fail("size not known before deployment (it comes from the image)");
  const prices = file.storagePrices[d.region!] ?? [];
  if (cls.tiers) {
    const tier = [...cls.tiers].sort((a, b) => a.sizeGb - b.sizeGb).find((t) => t.sizeGb >= d.sizeGb!);
    const price = tier && prices.find((p) => p.class === cls.id && p.tier === tier.id);
    if (!tier || !price?.usdPerMonth) return fail(`no ${cls.id} tier holds ${d.sizeGb} GB`);
    return {
      components: [
        component(`${label} (${cls.id} ${tier.id}, ${tier.sizeGb} GB)`, "months", 1, price.usdPerMonth, price),
      ],
      notes: [],
    };
  }
  const price = prices.find((p) => p.class === cls.id);
  if (!price?.usdPerGbMonth) return fail(`no ${cls.id} price in ${d.region}`);
  const components = [component(`${label} (${cls.id})`, "GB", d.sizeGb, price.usdPerGbMonth, price)];
  const notes: string[] = [];
  for (const [need, perf, name, unit] of [
    [d.iops, cls.iops, "Provisioned IOPS", "IOPS"],
    [d.throughputMBps, cls.throughputMBps, "Provisioned throughput", "MBps"],
  ] as const) {
    if (need === undefined || !perf) continue;
    const level = provision(need, perf, d.sizeGb);
    if (!level) {
      notes.push(`${d.name}: ${need} ${unit} is beyond what ${cls.id} offers (${perf.max})`);
      continue;
    }
    const extra = level.usd > 0 ? level.usd / perf.provisionedUsdPerMonth! : 0;
    if (extra > 0)
      components.push(
        component(`${name} (${cls.id})`, unit, Math.round(extra * 1000) / 1000, perf.provisionedUsdPerMonth!, price),
      );
  }
  return { components, notes };
}

function machineComponents(m: Machine, catalog: Catalog): { components: CostComponent[]; notes: string[] } {
  if (providerFacts(m.provider)?.kind === "hosts") {
    return m.monthlyUsd === undefined
      ? {
          components: [unpriced("Host share", "months", 1)],
          notes: [`${m.name}: the bare-metal host's price is not recorded on the resource`],
        }
      : {
          components: [component("Host share (the fleet spec's monthlyUsd for the host)", "months", 1, m.monthlyUsd)],
          notes: [],
        };
  }
  const file = cloud(catalog, m.provider)!;
  if (file.kind === "akash") {
    const shape = /^akash-(\d{1,5})cpu-(\d{1,6})gb$/.exec(m.shape ?? "");
    const prices = file.resourcePrices!;
    if (!shape)
      return {
        components: [unpriced("Compute", "months", 1)],
        notes: [`${m.name}: Akash resources not known (shape ${m.shape ?? "none"})`],
      };
    return {
      components: [
        component("CPU", "threads", Number(shape[1]), prices.cpuUsdPerThreadMonth.value, prices.cpuUsdPerThreadMonth),
        component("Memory", "GB", Number(shape[2]), prices.memoryUsdPerGbMonth.value, prices.memoryUsdPerGbMonth),
        component("IP lease", "months", 1, prices.ipLeaseUsdPerMonth.value, prices.ipLeaseUsdPerMonth),
      ],
      notes: [],
    };
  }
  const what = `Instance usage (Linux, on-demand, ${m.shape ?? "unknown shape"})`;
  const problem = regionProblem(file, m.region);
  if (problem) return { components: [unpriced(what, "hours", HOURS_PER_MONTH)], notes: [`${m.name}: ${problem}`] };
  const price = (file.computePrices[m.region!] ?? []).find((p) => p.shape === m.shape);
  if (!price) {
    return {
      components: [unpriced(what, "hours", HOURS_PER_MONTH)],
      notes: [`${m.name}: the catalog has no price for ${m.shape ?? "(no shape)"} in ${file.id}/${m.region}`],
    };
  }
  return { components: [component(what, "hours", HOURS_PER_MONTH, price.usdPerHour, price)], notes: [] };
}

function egressComponent(
  provider: ProviderKind,
  catalog: Catalog,
  usage: ResourceUsage | undefined,
): CostComponent | undefined {
  const file = cloud(catalog, provider);
  const network = file?.network;
  if (!network) return undefined; // Akash does not bill egress; bare metal is in the host price
  return component(
    "Outbound data transfer (internet)",
    "GB",
    usage?.monthlyEgressGb ?? null,
    network.egressUsdPerGb.value,
    network.egressUsdPerGb,
    true,
  );
}

function usageOf(usage: Usage | undefined, r: { name: string; urn: string; type: string }): ResourceUsage | undefined {
  const resources = usage?.resources ?? {};
  return own(resources, r.name) ?? own(resources, r.urn) ?? own(usage?.types ?? {}, r.type);
}

function finish(base: Omit<PricedResource, "monthlyCost" | "status">): PricedResource {
  const costs = base.costComponents.map((c) => c.monthlyCost);
  const known = costs.filter((c): c is number => c !== null);
  const monthlyCost = known.length ? known.reduce((a, b) => a + b, 0) : null;
  const missing = base.costComponents.some((c) => c.monthlyCost === null && !c.usageBased);
  const status: PriceStatus =
    missing && monthlyCost === null
      ? "unpriced"
      : base.costComponents.every((c) => c.usageBased)
        ? "usage-based"
        : "priced";
  return { ...base, monthlyCost, status };
}

/** Prices everything the reader found; other resources are listed as free (known) or unpriced. */
export function priceResources(read: ReadResult, catalog: Catalog, usage?: Usage): CostEstimate {
  const resources: PricedResource[] = [];
  const disksOf = new Map<string, Disk[]>();
  for (const d of read.disks) disksOf.set(d.urn, [...(disksOf.get(d.urn) ?? []), d]);
  const machineUrns = new Set(read.machines.map((m) => m.urn));

  for (const m of read.machines) {
    const { components, notes } = machineComponents(m, catalog);
    for (const d of disksOf.get(m.urn) ?? []) {
      // Readers list a local disk only where it is billed apart (GCP local SSD); instance-store NVMe is in the shape's price.
      const label = d.role === "root" ? "Root disk" : d.role === "local" ? "Local SSD" : "Data disk";
      const priced = diskComponents(d, catalog, label);
      components.push(...priced.components);
      notes.push(...priced.notes);
    }
    const egress = egressComponent(m.provider, catalog, usageOf(usage, m));
    if (egress) components.push(egress);
    resources.push(
      finish({
        name: m.name,
        resourceType: m.type,
        urn: m.urn,
        provider: m.provider,
        region: m.region,
        costComponents: components,
        notes,
        tags: m.tags,
      }),
    );
  }
  for (const [urn, disks] of disksOf) {
    if (machineUrns.has(urn)) continue;
    const d = disks[0];
    const priced = diskComponents(d, catalog);
    resources.push(
      finish({
        name: d.name,
        resourceType: d.type,
        urn,
        provider: d.provider,
        region: d.region,
        costComponents: priced.components,
        notes: priced.notes,
        tags: d.tags,
      }),
    );
  }
  for (const ip of read.publicIps) resources.push(finish(ipResource(ip, catalog)));
  for (const r of read.others) resources.push(otherResource(r));

  const total = round(resources.reduce((a, r) => a + (r.monthlyCost ?? 0), 0));
  const count = (s: PriceStatus) => resources.filter((r) => r.status === s).length;
  return {
    currency: "USD",
    resources,
    totalMonthlyCost: total,
    estimate: resources.some((r) =>
      r.costComponents.some((c) => c.estimate || (c.usageBased && c.monthlyCost !== null)),
    ),
    summary: {
      total: resources.length,
      priced: count("priced"),
      usageBased: count("usage-based"),
      unpriced: count("unpriced"),
      free: count("free"),
    },
    warnings: read.warnings,
  };
}

function ipResource(ip: PublicIp, catalog: Catalog): Omit<PricedResource, "monthlyCost" | "status"> {
  const base = {
    name: ip.name,
    resourceType: ip.type,
    urn: ip.urn,
    provider: ip.provider,
    region: ip.region,
    tags: ip.tags,
  };
  const network = cloud(catalog, ip.provider)?.network;
  if (!network)
    return {
      ...base,
      costComponents: [unpriced("Public IPv4 address", "hours", HOURS_PER_MONTH)],
      notes: [`${ip.name}: no network prices for ${ip.provider}`],
    };
  return {
    ...base,
    costComponents: [
      component(
        "Public IPv4 address",
        "hours",
        HOURS_PER_MONTH,
        network.publicIpv4UsdPerHour.value,
        network.publicIpv4UsdPerHour,
      ),
    ],
    notes: [],
  };
}

function otherResource(r: RawResource): PricedResource {
  const free = FREE_TYPES.has(r.type);
  return {
    name: r.name,
    resourceType: r.type,
    urn: r.urn,
    provider: r.type.split(":")[0],
    monthlyCost: free ? 0 : null,
    costComponents: [],
    status: free ? "free" : "unpriced",
    notes: free ? [] : [`${r.name}: ${r.type} is not in the catalog; its cost is not included`],
    tags: {},
  };
}

/** Enough to fix a file by; a generated preview can repeat one mistake thousands of times. */
const MAX_PROBLEMS = 20;

/** What `sovereign cost` does to a parsed preview or export. */
export function estimateStack(
  stack: StackResources,
  catalog: Catalog,
  options: { usage?: Usage; mapping?: TagMapping } = {},
): CostEstimate {
  const read = readResources(stack, catalog, options.mapping);
  const problems = quantityProblems(read);
  if (problems.length) throw new SpecError(problems.slice(0, MAX_PROBLEMS));
  return priceResources(read, catalog, options.usage);
}
