import { z } from "zod";
import { CATALOG_PROVIDER_IDS, CLOUD_PROVIDER_IDS, PROVIDERS, SITE_PROVIDER_IDS, type ProviderFacts } from "../providers";

/** Where a figure comes from. Every price in the catalog carries one. */
export const Sourced = z.strictObject({
  source: z.string().min(3),
  asOf: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "asOf must be a date YYYY-MM-DD"),
  estimate: z.boolean().optional(),
});
export type Sourced = z.infer<typeof Sourced>;

const SourcedValue = Sourced.extend({ value: z.number().nonnegative() });
export type SourcedValue = z.infer<typeof SourcedValue>;

const Operator = z.strictObject({
  id: z.string(),
  name: z.string(),
  /** Legal home (a jurisdiction id); the legal regimes that reach it follow from catalog/jurisdictions.yaml. */
  headquarters: z.string(),
});

const Region = z.strictObject({ id: z.string(), country: z.string(), metro: z.string() });

const Shape = z.strictObject({
  id: z.string(),
  vcpu: z.number().int().positive(),
  memoryGb: z.number().positive(),
  localNvmeGb: z.number().positive().optional(),
  /**
   * What the machine sustains to network block storage (AWS EBS baseline, not the 30-minute burst):
   * no attached volume delivers more, so throughput is never provisioned above it. Absent = not known,
   * not capped.
   */
  blockStorage: Sourced.extend({ baselineThroughputMBps: z.number().positive() }).optional(),
});
export type Shape = z.infer<typeof Shape>;

const Performance = z.strictObject({
  included: z.number().nonnegative(),
  perGb: z.number().nonnegative().optional(),
  max: z.number().positive(),
  provisionedUsdPerMonth: z.number().nonnegative().optional(),
});
export type Performance = z.infer<typeof Performance>;

const DiskTier = z.strictObject({
  id: z.string(),
  sizeGb: z.number().positive(),
  iops: z.number().positive(),
  throughputMBps: z.number().positive(),
});

const StorageClass = z.strictObject({
  id: z.string(),
  media: z.enum(["hdd", "ssd", "nvme"]).optional(),
  /** Local to the machine (NVMe/local SSD): meets `localNvme: required`, lost with the machine. */
  local: z.boolean().optional(),
  unitGb: z.number().positive().optional(),
  /** Numbers of units a machine can attach (GCP N2 takes 1, 2, 4, 8, 16 or 24 local SSDs); absent = any. */
  unitCounts: z.array(z.number().int().positive()).optional(),
  maxGb: z.number().positive(),
  iops: Performance.optional(),
  throughputMBps: Performance.optional(),
  /** Machine families that can attach this class (shape id prefixes); absent = every shape. */
  shapePrefixes: z.array(z.string()).optional(),
  /** Fixed-size tiers whose performance belongs to the tier (Azure Premium SSD). */
  tiers: z.array(DiskTier).optional(),
  /** Where the performance figures come from, when the provider does not publish them (Akash). */
  source: Sourced.optional(),
});
export type StorageClass = z.infer<typeof StorageClass>;

/** Hours in the month every monthly figure uses: the catalog's prices are per hour (730 = 8760 / 12). */
export const HOURS_PER_MONTH = 730;

const ComputePrice = Sourced.extend({ shape: z.string(), usdPerHour: z.number().positive() });
const StoragePrice = Sourced.extend({
  class: z.string(),
  tier: z.string().optional(),
  usdPerGbMonth: z.number().positive().optional(),
  usdPerMonth: z.number().positive().optional(),
}).refine((p) => (p.usdPerGbMonth === undefined) !== (p.usdPerMonth === undefined), {
  message: "a storage price has exactly one of usdPerGbMonth or usdPerMonth (tiered)",
});
export type StoragePrice = z.infer<typeof StoragePrice>;

/** Ways to pay for compute besides on-demand; the discount is off the on-demand compute price. */
export const PURCHASE_OPTIONS = ["committed-1y", "committed-3y", "spot"] as const;
export type PurchaseOption = (typeof PURCHASE_OPTIONS)[number];
export type Pricing = "on-demand" | PurchaseOption;

/** Egress billed in one region: a free allowance, then per-GB tiers (the last tier has no upper bound). */
const EgressTiers = Sourced.extend({
  freeGbMonth: z.number().nonnegative(),
  tiers: z.array(z.strictObject({ upToGb: z.number().positive().optional(), usdPerGb: z.number().nonnegative() })).min(1),
});
export type EgressTiers = z.infer<typeof EgressTiers>;

/** How a marketplace (Akash) bills: a price per block in a denomination, and who audits providers. */
const Market = Sourced.extend({
  denom: z.string().regex(/^(uakt|uact|ibc\/.+)$/, "an Akash denomination: uakt, uact or ibc/..."),
  usdPerDenom: z.number().positive(),
  blocksPerMonth: z.number().positive(),
  /** The SDL's price ceiling per profile: the catalog estimate times this. */
  ceilingFactor: z.number().min(1),
  /** Auditor accounts `signedBy` names when a spec asks for audited providers. */
  auditors: z.array(z.string().regex(/^akash1[0-9a-z]{38}$/)).min(1),
});
export type Market = z.infer<typeof Market>;

/**
 * The providers, from their folders (core/providers/index.ts, one line each): the catalog's provider
 * files (catalog/providers/<id>.yaml) must be one of the clouds and marketplaces, and everything
 * else (spec sites, resolve, compare, saved plans, component bindings) derives from these lists or
 * from the loaded catalog. Bare metal is not a catalog provider.
 */
export const CATALOG_PROVIDERS = CATALOG_PROVIDER_IDS;
/** The clouds among them: sites are regions (`sites.<cloud>.regions`). */
export const CLOUD_PROVIDERS = CLOUD_PROVIDER_IDS;
/** Every provider a planned node can have. */
export const SITE_PROVIDERS = SITE_PROVIDER_IDS;
/** Providers whose nodes cannot join the overlay (Akash); gateways reach them over mTLS (core/gateway/upstream-tls). */
export const OUTSIDE_OVERLAY: ReadonlySet<string> = new Set(
  PROVIDERS.filter((p: ProviderFacts) => p.outsideOverlay).map((p) => p.id),
);

export const ProviderFile = z.strictObject({
  id: z.enum(CATALOG_PROVIDERS),
  kind: z.enum(["cloud", "akash"]),
  operator: Operator,
  sources: z.record(z.string(), Sourced).optional(),
  regions: z.array(Region).min(1),
  shapes: z.array(Shape).default([]),
  computePrices: z.record(z.string(), z.array(ComputePrice)).default({}),
  resourcePrices: z.strictObject({
    cpuUsdPerThreadMonth: SourcedValue,
    memoryUsdPerGbMonth: SourcedValue,
    endpointUsdPerPortMonth: SourcedValue,
    ipLeaseUsdPerMonth: SourcedValue,
  }).optional(),
  storageClasses: z.array(StorageClass).min(1),
  storagePrices: z.record(z.string(), z.array(StoragePrice)),
  /** The root disk every VM the components create has (priced like a data disk of that class). */
  bootDisk: z.strictObject({ class: z.string(), sizeGb: z.number().positive(), tier: z.string().optional() }).optional(),
  /** Discounts the provider applies by itself to a full month of on-demand use (GCP sustained use). */
  sustainedUse: z.array(Sourced.extend({
    shapePrefixes: z.array(z.string()).min(1),
    fullMonthDiscount: z.number().min(0).max(0.9),
  })).optional(),
  /** Committed-use and spot discounts off on-demand compute. */
  purchaseOptions: z.partialRecord(z.enum(PURCHASE_OPTIONS), Sourced.extend({ computeDiscount: z.number().min(0).max(0.95) })).optional(),
  network: z.strictObject({
    publicIpv4UsdPerHour: SourcedValue,
    /** Flat first-tier rate, where no per-region tiers are given. */
    egressUsdPerGb: SourcedValue,
    /** Per-region internet egress: free allowance and volume tiers. */
    egress: z.record(z.string(), EgressTiers).optional(),
  }).optional(),
  market: Market.optional(),
});
export type ProviderFile = z.infer<typeof ProviderFile>;

const Profile = Sourced.extend({
  vcpu: z.number().positive(),
  memoryGb: z.number().positive(),
  diskGb: z.number().positive(),
  iops: z.number().nonnegative(),
  throughputMBps: z.number().nonnegative(),
  localNvme: z.enum(["required", "preferred", "none"]),
  /** Internet egress the plan is priced with (the low end of the range). */
  egressGbMonth: z.number().nonnegative(),
  /** High end of the egress range (busy peers, RPC responses); default = egressGbMonth. */
  egressGbMonthHigh: z.number().nonnegative().optional(),
  egressSource: Sourced,
  /**
   * Disk by client where clients differ a lot (archive nodes: erigon's is far smaller than geth's),
   * GB for the whole node. Used when every allowed client of a layer has a size (the largest wins).
   */
  diskGbByClient: Sourced.extend({ sizes: z.record(z.string(), z.number().positive()) }).optional(),
});
export type Profile = z.infer<typeof Profile>;

export const ChainsFile = z.strictObject({
  sources: z.record(z.string(), Sourced).optional(),
  chains: z.array(z.strictObject({
    id: z.string(),
    name: z.string(),
    networks: z.array(z.string()).min(1),
    /** EVM chain id per network, filled into client commands as {chainId}. */
    chainIds: z.record(z.string(), z.number().int().positive()).optional(),
    /** Public sequencer endpoint per network, for rollup execution clients that forward transactions. */
    sequencerUrls: z.record(z.string(), z.string().url()).optional(),
    /** Beacon API serving finalized states per network, filled into consensus client commands as {checkpointSyncUrl}. */
    checkpointSyncUrls: z.record(z.string(), z.string().url()).optional(),
    /**
     * An archive serving the chain's blob data per network, filled into commands as {blobArchiveUrl}: since
     * PeerDAS (Fusaka) an ordinary beacon node no longer serves old blobs, so rollup nodes that derive from
     * L1 blobs (Scroll's l2geth) read them from the operator's archive.
     */
    blobArchiveUrls: z.record(z.string(), z.string().url()).optional(),
    /**
     * Execution-layer bootnodes (enode URLs) per network, filled into commands as {bootnodes} (comma
     * separated): for clients that have no built-in list for the chain (geth following Linea).
     */
    bootnodes: z.record(z.string(), z.array(z.string().regex(/^enode:\/\/[0-9a-f]{128}@[\w.-]+:\d+$/, "an enode URL"))).optional(),
    layers: z.array(z.string()).min(1),
    clients: z.record(z.string(), z.array(z.string()).min(1)),
    requires: z.array(z.enum(["l1Rpc", "l1Beacon"])).optional(),
    // kind: a folder of core/rpc-kinds (checked when the catalog loads: an unknown kind is named there).
    rpc: z.strictObject({ layer: z.string(), port: z.string(), kind: z.string() }),
    roles: z.record(z.string(), Profile),
  }).superRefine((chain, ctx) => {
    for (const [role, profile] of Object.entries(chain.roles))
      for (const client of Object.keys(profile.diskGbByClient?.sizes ?? {}))
        if (!Object.values(chain.clients).some((ids) => ids.includes(client)))
          ctx.addIssue({ code: "custom", path: ["roles", role, "diskGbByClient", "sizes", client], message: `'${client}' is not a client of chain ${chain.id}` });
    // Per-network values must name networks the chain has: a typo would silently leave a network without its value.
    for (const key of ["chainIds", "sequencerUrls", "checkpointSyncUrls", "blobArchiveUrls", "bootnodes"] as const) {
      for (const network of Object.keys(chain[key] ?? {})) {
        if (!chain.networks.includes(network)) {
          ctx.addIssue({ code: "custom", path: [key, network], message: `'${network}' is not a network of chain ${chain.id} (${chain.networks.join(", ")})` });
        }
      }
    }
  })),
});
export type Chain = z.infer<typeof ChainsFile>["chains"][number];

const Port = z.strictObject({
  name: z.string(),
  port: z.number().int().min(1).max(65535),
  protocol: z.enum(["tcp", "udp"]),
  exposure: z.enum(["public", "rpc", "internal", "private"]),
});
export type Port = z.infer<typeof Port>;

/** Container arguments, space separated in the data file. */
const args = z.string().transform((s) => s.trim().split(/\s+/).filter(Boolean));

/**
 * A file a client reads (a config file, a genesis), rendered into the node's config directory and
 * mounted read-only into the container at `{filesDir}/<name>`. Content per `chain/network` (or
 * `network`), with the command placeholders filled ({engineUrl}, {jwtPath}, {dataDir}...; never a
 * secret: files are not secrets). In the data file a content is the text itself, or `{ file, sha256 }`
 * naming a file under `catalog/` (the loader reads it and checks the hash): the renderer never fetches.
 */
const ClientFile = Sourced.extend({
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "a file name: letters, digits, . _ -"),
  content: z.record(
    z.string(),
    z.union([
      z.string().min(1),
      z.strictObject({ file: z.string(), sha256: z.string().regex(/^[0-9a-f]{64}$/, "a sha256, 64 hex digits") }),
    ]),
  ),
});
export type ClientFile = z.infer<typeof ClientFile>;

/** A client's releases: a GitHub repository's releases (tags `<tagPrefix><version>`), its images in the registry of `image.repository`. */
const ReleaseFeed = z.strictObject({
  github: z.string().regex(/^[\w.-]+\/[\w.-]+$/, "github is owner/repository"),
  /** Prefix of the client's release tags in a monorepo (`op-node/` in ethereum-optimism/optimism). @default "" */
  tagPrefix: z.string().optional(),
});

/**
 * Upstream ends support of a client: from `endsAt` it is never placed on the chains named (all of the
 * client's chains when absent), and a node that still runs it is flagged with `replacedBy`.
 */
const SupportEnd = Sourced.extend({
  endsAt: z.iso.date(),
  chains: z.array(z.string()).optional(),
  /** The client that takes its place, per chain when they differ (`{ base: base-reth-node }`) or one id. */
  replacedBy: z.union([z.string(), z.record(z.string(), z.string())]),
  reason: z.string().min(3),
});
export type SupportEnd = z.infer<typeof SupportEnd>;

export const ClientsFile = z.strictObject({
  sources: z.record(z.string(), Sourced).optional(),
  clients: z.array(z.strictObject({
    id: z.string(),
    name: z.string(),
    layer: z.string(),
    image: Sourced.extend({ repository: z.string(), tag: z.string().regex(/^[\w][\w.-]{0,127}$/) }),
    ports: z.array(Port),
    /** How the client names a network, by `chain/network` or `network`, where it differs from the catalog's. */
    networkNames: z.record(z.string(), z.string()).optional(),
    /** Container arguments, space separated in the data file. */
    command: args,
    /**
     * Arguments appended to `command` for a node role (`full`, `archive`...), space separated: what
     * makes the client keep the history the role promises. Roles without an entry run `command` as is.
     */
    roleArgs: z.record(z.string(), args).optional(),
    /** Files the client reads, mounted read-only at `{filesDir}/<name>`. */
    files: z.array(ClientFile).optional(),
    /**
     * Arguments of a one-shot run of the client's image before every start of the client (same
     * data and files; `geth init` of a genesis): the client starts only when it exits 0, so it must
     * be idempotent. Placeholders as in `command`.
     */
    init: args.optional(),
    /** Where the client's releases are published, for `sovereign catalog refresh`. */
    releases: ReleaseFeed.optional(),
    /** When upstream stops supporting the client (everywhere, or on some chains), and what replaces it. */
    support: z.array(SupportEnd).optional(),
  }).superRefine((client, ctx) => {
    const names = (client.files ?? []).map((f) => f.name);
    for (const [i, name] of names.entries())
      if (names.indexOf(name) !== i) ctx.addIssue({ code: "custom", path: ["files", i, "name"], message: `two files named ${name}` });
  })),
});
export type Client = z.infer<typeof ClientsFile>["clients"][number];

/** Machine sizes of RPC gateways, and the traffic assumed to price what they send. */
/** An image of one of Sovereign's own parts (catalog/images.yaml), pinned by tag with its source. */
const PartImage = Sourced.extend({ repository: z.string().min(1), tag: z.string().regex(/^[\w][\w.-]{0,127}$/) });

/** catalog/images.yaml: the gateway's, the integrity layer's and the monitor's programs' images. */
export const PartImagesFile = z.strictObject({
  images: z.strictObject({
    gateway: PartImage,
    erpc: PartImage,
    prometheus: PartImage,
    alertmanager: PartImage,
    blackbox: PartImage,
    nodeExporter: PartImage,
    grafana: PartImage,
  }),
});
export type PartImagesFile = z.infer<typeof PartImagesFile>;
export type PartName = keyof PartImagesFile["images"];

export const GatewaysFile = z.strictObject({
  sources: z.record(z.string(), Sourced).optional(),
  sizes: z.record(
    z.string(),
    Sourced.extend({
      vcpu: z.number().positive(),
      memoryGb: z.number().positive(),
      diskGb: z.number().positive(),
    }),
  ),
  traffic: Sourced.extend({
    /** Per chain, averaged over the month. */
    requestsPerSecond: z.number().nonnegative(),
    /** Mean size of one JSON-RPC response. */
    responseKb: z.number().positive(),
  }),
});
export type GatewaysFile = z.infer<typeof GatewaysFile>;

/**
 * A law that lets a state compel a company to hand over data wherever the data is stored (the US
 * CLOUD Act): it reaches every operator whose legal home is one of `reaches`.
 */
const Regime = Sourced.extend({
  id: z.string().regex(/^[a-zA-Z][a-zA-Z0-9]*$/, "a regime id is one word, e.g. cloudAct"),
  name: z.string(),
  reaches: z.array(z.string()).min(1),
});
export type Regime = z.infer<typeof Regime>;

export const JurisdictionsFile = z.strictObject({
  sources: z.record(z.string(), Sourced).optional(),
  regimes: z.array(Regime),
  jurisdictions: z.array(
    Sourced.extend({
      id: z.string(),
      name: z.string(),
      /** A placeholder legal home (Akash before the bid): within every regime's reach. @default false */
      unknown: z.boolean().optional(),
    }),
  ),
});

export const OperatorsFile = z.strictObject({
  sources: z.record(z.string(), Sourced).optional(),
  operators: z.array(Sourced.extend({ id: z.string(), name: z.string(), headquarters: z.string() })),
});

/** A release version as the catalog writes it (`1.16.7`); compared numerically, part by part. */
const Version = z.union([z.string(), z.number()]).transform((v) => String(v))
  .refine((v) => /^\d+(\.\d+)*$/.test(v), "a version is numbers separated by dots, e.g. 1.16.7");

export const UpgradesFile = z.strictObject({
  sources: z.record(z.string(), Sourced).optional(),
  /**
   * One per chain and network: the day its upgrade list below was last checked against upstream, and
   * where. A network whose list is complete with no upgrade says so here (`none`); a network without a
   * schedule, or with one older than the readiness check's limit, is `unknown`, never ready.
   */
  schedules: z.array(Sourced.extend({
    chain: z.string(),
    network: z.string(),
    /** What the check found beside the upgrades listed (`no scheduled upgrade`, a fork being discussed). */
    note: z.string().optional(),
    /** Nobody has checked this network's upgrades against upstream: its readiness is `unknown`. @default false */
    unverified: z.boolean().optional(),
  })),
  upgrades: z.array(Sourced.extend({
    chain: z.string(),
    network: z.string(),
    name: z.string(),
    /** Activation time (UTC, ISO 8601). */
    activatesAt: z.iso.datetime(),
    /** A target date not yet final: reported, never failed on. */
    tentative: z.boolean().optional(),
    /** Oldest release of each client that follows the chain past the upgrade. */
    minimums: z.record(z.string(), Version),
  })),
});
export type Upgrade = z.infer<typeof UpgradesFile>["upgrades"][number];
export type Schedule = z.infer<typeof UpgradesFile>["schedules"][number];
