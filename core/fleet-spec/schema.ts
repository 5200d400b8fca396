import { z } from "zod";

const share = (what: string) => z.number()
  .gt(0, `a share is a fraction in (0, 1], e.g. 0.34 for a third; 0 would forbid every ${what}`)
  .max(1, "a share is a fraction in (0, 1], e.g. 0.5 for half (not a percentage)")
  .describe(`Largest fraction of a chain's nodes one ${what} may hold, in (0, 1].`);

const lossCount = (what: string) => z.number().int("must be 0 or 1").min(0, "must be 0 or 1")
  .max(1, `must be 0 or 1: surviving the loss of several ${what} at once is not supported yet`);

const count = z.number().int("must be a whole number").min(1, "must be at least 1").max(10000, "at most 10,000 nodes per entry");

export const ChainGroup = z.strictObject({
  chain: z.string().describe("Chain id from the catalog (`sovereign catalog chains`)."),
  network: z.string().optional().describe("Network of the chain. @default the catalog's first network (mainnet)"),
  role: z.string().default("full").describe("Node role: full, archive (as the catalog defines per chain). @default full"),
  count: count.describe("How many nodes of this chain and role."),
  clients: z.record(z.string(), z.array(z.string()).min(1, "list at least one client"))
    .optional()
    .describe("Allowed implementations per client layer (execution, consensus, ...). @default every client the catalog knows for the chain"),
});
export type ChainGroup = z.infer<typeof ChainGroup>;

const CloudSite = z.strictObject({
  regions: z.array(z.string()).min(1, "list at least one region").describe("Regions nodes may be placed in."),
  maxNodes: count.optional().describe("Cap on nodes at this provider (quota). @default no cap"),
});

export const BareMetalHost = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "use lower-case letters, digits and dashes (a DNS label)").describe("Unique host name."),
  address: z.string().min(1).describe("IP address or DNS name the host is reached at over SSH."),
  operator: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, "use a lower-case id like hetzner or home").describe("The company (or person) that can switch this host off."),
  country: z.string().regex(/^[A-Z]{2}$/, "use a two-letter ISO country code like DE").describe("Where the host stands."),
  jurisdiction: z.string().regex(/^[A-Z]{2}$/, "use a two-letter ISO country code like DE").optional()
    .describe("Legal home of the operator. @default the catalog's headquarters for a known operator, else `country`"),
  region: z.string().optional().describe("Failure domain for region caps (e.g. fsn1). @default `<country>` in lower case"),
  monthlyUsd: z.number().nonnegative("a price cannot be negative").describe("What the host costs per month; shared among its nodes."),
  cpu: z.number().int().positive().describe("CPU threads."),
  memoryGb: z.number().positive(),
  diskGb: z.number().positive(),
  disk: z.enum(["nvme", "ssd", "hdd"]).default("nvme").describe("Data disk media. @default nvme"),
  maxNodes: count.optional().describe("Cap on nodes on this host. @default as many as cpu, memory and disk allow"),
  ssh: z.strictObject({
    user: z.string().default("root").describe("@default root"),
    port: z.number().int().min(1).max(65535).default(22).describe("@default 22"),
    hostKey: z.string().regex(/^(ssh-(ed25519|rsa)|ecdsa-sha2-nistp\d+) [A-Za-z0-9+/=]+$/, "use the host's public key as one line 'ssh-ed25519 AAAA...' (ssh-keyscan -t ed25519 <address>), without the host name")
      .optional().describe("The host's SSH public key; deploys check it so no one in the path can pose as the host. @default none: pulumi up refuses unless sovereign:sshAcceptUnknownHostKeys is true"),
  }).optional().describe("SSH connection; the private key comes from stack config as a secret."),
});
export type BareMetalHost = z.infer<typeof BareMetalHost>;

export const Sites = z.strictObject({
  aws: CloudSite.optional(),
  gcp: CloudSite.optional(),
  azure: CloudSite.optional(),
  akash: z.strictObject({
    maxNodes: count.optional().describe("Cap on nodes on Akash. @default no cap"),
    audited: z.boolean().optional()
      .describe("Lease only from providers an auditor signed (SDL signedBy: the catalog's auditors). @default false"),
    attributes: z.record(z.string().regex(/^[a-z0-9][a-z0-9._/-]*$/, "use a provider attribute key like region or host"), z.string().min(1))
      .optional().describe("Provider attributes every bid must have, e.g. { region: us-west }. @default none"),
  }).optional()
    .describe("Akash Network; the provider is chosen from bids at deploy time."),
  baremetal: z.strictObject({ hosts: z.array(BareMetalHost).min(1, "list at least one host") }).optional(),
}).refine((s) => Object.values(s).some((v) => v !== undefined), "allow at least one site (aws, gcp, azure, akash or baremetal)");
export type Sites = z.infer<typeof Sites>;

export const Policy = z.strictObject({
  maxShare: z.strictObject({
    operator: share("operator (company)").optional(),
    region: share("region").optional(),
    jurisdiction: share("jurisdiction").optional(),
    client: share("client implementation (per layer)").optional(),
  }).optional().describe("Caps per chain. @default no caps"),
  minOperators: z.number().int().min(1).max(100).optional().describe("Each chain runs on at least this many operators. @default 1"),
  survive: z.strictObject({
    operatorLoss: lossCount("operators").default(0).describe("Operators that may fail at once (0 or 1). @default 0"),
    regionLoss: lossCount("regions").default(0).describe("Regions that may fail at once (0 or 1). @default 0"),
    minNodes: z.number().int().min(1).describe("Nodes each chain keeps after the loss."),
  }).optional(),
});
export type Policy = z.infer<typeof Policy>;

export const FleetSpec = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "use lower-case letters, digits and dashes, e.g. eth-rpc-prod").describe("Fleet name; prefixes every resource."),
  chains: z.array(ChainGroup).min(1, "list at least one chain"),
  sites: Sites,
  policy: Policy.default({}),
  budget: z.strictObject({ monthlyUsd: z.number().positive("a budget must be above 0") }).optional(),
  pricing: z.enum(["on-demand", "committed-1y", "committed-3y", "spot"]).optional()
    .describe("How cloud compute is paid: on demand, 1- or 3-year committed use / reservations, or spot. @default on-demand"),
}).describe("Sovereign fleet spec: which nodes to run, where they may go, and the diversity policy.");
export type FleetSpec = z.infer<typeof FleetSpec>;

/** JSON Schema for editors (yaml-language-server). */
export function fleetJsonSchema(): object {
  return z.toJSONSchema(FleetSpec, { io: "input", target: "draft-2020-12" });
}
