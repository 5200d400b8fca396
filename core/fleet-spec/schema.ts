import { z } from "zod";
import { isHostAddress } from "../address";
import { ISO_COUNTRIES } from "./countries";
import { Gateways } from "./gateways";
import { Rollout } from "./rollout";
import { Monitoring } from "./monitoring";
import { CLOUD_PROVIDERS, SITE_PROVIDERS } from "../catalog/schema";
import { Policy } from "../diversity/policy";
import { SSH_DEFAULTS } from "../layout/ssh";

const count = z
  .number()
  .int("must be a whole number")
  .min(1, "must be at least 1")
  .max(10000, "at most 10,000 nodes per entry");

/** A number the solver can take: finite (zod refuses NaN and Infinity), at least `min`, at most `max`. */
const bounded = (min: number, max: number, what: string) =>
  z
    .number()
    .min(min, `must be at least ${min.toLocaleString("en-US")}`)
    .max(max, `at most ${max.toLocaleString("en-US")} ${what}`);

/** A catalog id (chain, network, role, layer, client): short, as every id in the catalog is. */
const catalogId = (what: string) =>
  z.string().min(1, `name a ${what}`).max(64, `at most 64 characters (no ${what} id is longer)`);

/** Ids of legal regimes (catalog/jurisdictions.yaml `regimes`), checked against the catalog at resolve. */
const regimeIds = (description: string) =>
  z
    .array(z.string().regex(/^[a-zA-Z][a-zA-Z0-9]*$/, "a legal regime id is one word, e.g. cloudAct"))
    .max(64)
    .optional()
    .describe(`${description} @default none`);

/** A DNS label: it becomes part of resource names, host names and labels on every provider. */
const dnsLabel = (example: string) =>
  z
    .string()
    .max(63, "at most 63 characters (a DNS label)")
    .regex(
      /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/,
      `use lower-case letters, digits and inner dashes, at most 63 characters (a DNS label), e.g. ${example}`,
    );

const countryCode = z
  .string()
  .refine((c) => ISO_COUNTRIES.has(c), "use an ISO 3166 alpha-2 country code in capitals, like DE or US");

/** Key types OpenSSH writes in known_hosts and .pub files. */
export const SSH_KEY_TYPES = [
  "ssh-ed25519",
  "ssh-rsa",
  "ecdsa-sha2-nistp256",
  "ecdsa-sha2-nistp384",
  "ecdsa-sha2-nistp521",
  "sk-ssh-ed25519@openssh.com",
  "sk-ecdsa-sha2-nistp256@openssh.com",
] as const;

/** `type AAAA...` whose base64 blob is well formed and names the same key type (the blob starts with it). */
export function sshKeyProblem(line: string): string | undefined {
  const [type, blob, ...rest] = line.trim().split(/ +/);
  if (!(SSH_KEY_TYPES as readonly string[]).includes(type))
    return `unknown key type; use one of ${SSH_KEY_TYPES.join(", ")}`;
  if (!blob || !/^[A-Za-z0-9+/]+={0,2}$/.test(blob) || blob.length % 4 !== 0)
    return "the key after the type is not base64";
  const bytes = Buffer.from(blob, "base64");
  const length = bytes.length >= 4 ? bytes.readUInt32BE(0) : -1;
  if (length !== type.length || bytes.subarray(4, 4 + length).toString("latin1") !== type)
    return `the key is not a ${type} key`;
  if (rest.some((word) => /^(ssh-|ecdsa-|sk-)/.test(word))) return "more than one key on the line";
  return undefined;
}

export const ChainGroup = z.strictObject({
  chain: catalogId("chain").describe("Chain id from the catalog (`sovereign catalog chains`)."),
  network: catalogId("network")
    .optional()
    .describe("Network of the chain. @default the catalog's first network (mainnet)"),
  role: catalogId("role")
    .default("full")
    .describe("Node role: full, archive (as the catalog defines per chain). @default full"),
  count: count.describe("How many nodes of this chain and role."),
  clients: z
    .record(catalogId("client layer"), z.array(catalogId("client")).min(1, "list at least one client").max(64))
    .optional()
    .describe(
      "Allowed implementations per client layer (execution, consensus, ...). @default every client the catalog knows for the chain",
    ),
  rollout: Rollout.optional().describe(
    "This entry's rolling-upgrade settings, field by field over the fleet's `rollout`. @default the fleet's",
  ),
});
export type ChainGroup = z.infer<typeof ChainGroup>;

const CloudSite = z.strictObject({
  regions: z
    .array(catalogId("region"))
    .min(1, "list at least one region")
    .max(1000, "at most 1,000 regions")
    .describe("Regions nodes may be placed in."),
  maxNodes: count.optional().describe("Cap on nodes at this provider (quota). @default no cap"),
});

/** How Sovereign reaches a machine of the user's over SSH (the private key comes from stack config as a secret). */
export const SshConnection = z.strictObject({
  user: z
    .string()
    .regex(
      /^[a-z_][a-z0-9_-]{0,31}$/,
      "use a POSIX user name: lower-case letters, digits, _ and -, " +
        "starting with a letter or _, at most 32 characters",
    )
    .default(SSH_DEFAULTS.user)
    .describe("@default root"),
  port: z.number().int().min(1).max(65535).default(SSH_DEFAULTS.port).describe("@default 22"),
  hostKey: z
    .string()
    .regex(
      /^\S+ \S+$/,
      "use the host's public key as one line 'ssh-ed25519 AAAA...' (ssh-keyscan -t ed25519 <address>), without the host name",
    )
    .superRefine((key, ctx) => {
      const problem = sshKeyProblem(key);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    })
    .optional()
    .describe(
      "The host's SSH public key; deploys check it so no one in the path can pose as the host. @default none: pulumi up refuses unless sovereign:sshAcceptUnknownHostKeys is true",
    ),
});

export const BareMetalHost = z.strictObject({
  name: dnsLabel("fra-1").describe("Unique host name."),
  address: z
    .string()
    .trim()
    .toLowerCase()
    .refine(
      isHostAddress,
      "use an IPv4 address (203.0.113.10), an IPv6 address (2001:db8::10) or a DNS host name (node1.example.com)",
    )
    .describe("IP address or DNS name the host is reached at over SSH."),
  operator: dnsLabel("hetzner").describe("The company (or person) that can switch this host off."),
  country: countryCode.describe("Where the host stands (ISO 3166 alpha-2)."),
  jurisdiction: countryCode
    .optional()
    .describe(
      "Legal home of the operator (ISO 3166 alpha-2). @default the catalog's headquarters for a known operator, else `country`",
    ),
  outsideReach: regimeIds(
    "Legal regimes (catalog/jurisdictions.yaml, e.g. cloudAct) whose reach you know this host's operator to be outside. For an operator whose legal home is unknown (not in catalog/operators.yaml, no `jurisdiction` given), which otherwise counts as within every regime's reach.",
  ),
  region: z
    .string()
    .min(1)
    .max(64, "at most 64 characters")
    .regex(/^[^\u0000-\u001f\u007f-\u009f]*$/, "no control characters or line breaks")
    .optional()
    .describe("Failure domain for region caps (e.g. fsn1). @default `<country>` in lower case"),
  monthlyUsd: bounded(0, 1_000_000, "$/month for one host").describe(
    "What the host costs per month; shared among its nodes.",
  ),
  setupUsd: bounded(0, 1_000_000, "$ once for one host")
    .optional()
    .describe(
      "One-time setup fee (Hetzner charges one on dedicated servers since 2026), spread over setupMonths in every price. @default 0",
    ),
  setupMonths: z
    .number()
    .int("must be a whole number")
    .min(1, "must be at least 1")
    .max(120, "at most 120 months")
    .optional()
    .describe("Months over which the setup fee is spread (how long you expect to keep the host). @default 12"),
  cpu: z
    .number()
    .int("must be a whole number")
    .min(1, "must be at least 1")
    .max(4096, "at most 4,096 CPU threads")
    .describe("CPU threads."),
  memoryGb: bounded(0.5, 65_536, "GB of memory"),
  diskGb: bounded(1, 1_000_000, "GB of disk"),
  disk: z.enum(["nvme", "ssd", "hdd"]).default("nvme").describe("Data disk media. @default nvme"),
  maxNodes: count.optional().describe("Cap on nodes on this host. @default as many as cpu, memory and disk allow"),
  ssh: SshConnection.optional().describe("SSH connection; the private key comes from stack config as a secret."),
});
export type BareMetalHost = z.infer<typeof BareMetalHost>;

/** `sites.<cloud>` for every cloud of the catalog's provider list. */
const cloudSites = Object.fromEntries(CLOUD_PROVIDERS.map((p) => [p, CloudSite.optional()])) as Record<
  (typeof CLOUD_PROVIDERS)[number],
  z.ZodOptional<typeof CloudSite>
>;

export const Sites = z
  .strictObject({
    ...cloudSites,
    akash: z
      .strictObject({
        maxNodes: count.optional().describe("Cap on nodes on Akash. @default no cap"),
        audited: z
          .boolean()
          .optional()
          .describe(
            "Lease only from providers an auditor signed (SDL signedBy: the catalog's auditors). @default false",
          ),
        attributes: z
          .record(
            z.string().regex(/^[a-z0-9][a-z0-9._/-]*$/, "use a provider attribute key like region or host"),
            z.string().min(1),
          )
          .optional()
          .describe("Provider attributes every bid must have, e.g. { region: us-west }. @default none"),
        outsideReach: regimeIds(
          "Legal regimes (catalog/jurisdictions.yaml, e.g. cloudAct) whose reach you know every provider your `attributes` admit to be outside (a provider's reach is its owner's). Without it an Akash node counts as within every regime's reach.",
        ),
      })
      .optional()
      .describe("Akash Network; the provider is chosen from bids at deploy time."),
    baremetal: z
      .strictObject({
        hosts: z.array(BareMetalHost).min(1, "list at least one host").max(10_000, "at most 10,000 hosts"),
      })
      .optional(),
  })
  .refine(
    (s) => Object.values(s).some((v) => v !== undefined),
    `allow at least one site (${SITE_PROVIDERS.join(", ")})`,
  );
export type Sites = z.infer<typeof Sites>;

export const FleetSpec = z
  .strictObject({
    name: dnsLabel("eth-rpc-prod").describe("Fleet name; prefixes every resource."),
    chains: z.array(ChainGroup).min(1, "list at least one chain").max(1000, "at most 1,000 chain entries"),
    sites: Sites,
    policy: Policy.default({}),
    budget: z
      .strictObject({
        monthlyUsd: z.number().positive("a budget must be above 0").max(1_000_000_000, "at most 1,000,000,000 $/month"),
      })
      .optional(),
    pricing: z
      .enum(["on-demand", "committed-1y", "committed-3y", "spot"])
      .optional()
      .describe(
        "How cloud compute is paid: on demand, 1- or 3-year committed use / reservations, or spot. @default on-demand",
      ),
    gateways: Gateways.optional(),
    rollout: Rollout.optional(),
    monitoring: Monitoring.optional(),
  })
  .describe("Sovereign fleet spec: which nodes to run, where they may go, and the diversity policy.");
export type FleetSpec = z.infer<typeof FleetSpec>;

/** JSON Schema for editors (yaml-language-server). */
export function fleetJsonSchema(): object {
  return z.toJSONSchema(FleetSpec, { io: "input", target: "draft-2020-12" });
}
