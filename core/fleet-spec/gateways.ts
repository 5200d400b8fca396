import { z } from "zod";

const gatewayCount = z
  .number()
  .int("must be a whole number")
  .min(1, "must be at least 1")
  .max(1000, "at most 1,000 gateways");
/** More than any fleet has chains (1,000 entries) or sites; a larger list is a generated mistake. */
const MAX_LIST = 1000;
/** A list of site ids or providers (`gateways.sites`, `monitoring.sites`). */
export const siteList = (what: string) =>
  z
    .array(z.string().min(1, "name a site, e.g. aws/us-east-1").max(200, "at most 200 characters"))
    .min(1, `list at least one site, or leave ${what} out`)
    .max(MAX_LIST, `at most ${MAX_LIST.toLocaleString("en-US")} sites`);

const integrityMethods = z
  .array(z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, "a JSON-RPC method name, e.g. eth_getBalance"))
  .min(1, "list at least one method, or leave methods out for the RPC kind's default")
  .max(200, "at most 200 methods");
const integrityMinOperators = z
  .number()
  .int("must be a whole number")
  .min(2, "must be at least 2: one operator's word is what the integrity layer refuses");

/**
 * The integrity layer: state and history reads answered only when nodes on several operators agree
 * (eRPC's consensus beside each gateway; head reads, writes and WebSocket stay on HAProxy).
 */
export const GatewaysIntegrity = z
  .strictObject({
    minOperators: integrityMinOperators
      .default(2)
      .describe(
        "Operators whose nodes must return the same answer before a gateway passes an integrity read on; with fewer reachable, the read fails with a JSON-RPC error. @default 2",
      ),
    methods: integrityMethods
      .optional()
      .describe(
        "Methods that need the agreement. @default the RPC kind's (EVM: eth_call, eth_getBalance, eth_getCode, eth_getStorageAt, eth_getTransactionCount, eth_getTransactionReceipt, eth_getTransactionByHash, eth_getLogs, eth_getBlockByNumber/ByHash, eth_getProof)",
      ),
    perChain: z
      .record(
        z.string(),
        z.strictObject({ minOperators: integrityMinOperators.optional(), methods: integrityMethods.optional() }),
      )
      .optional()
      .describe("Per chain key (`chain/network`): minOperators or methods in place of the ones above. @default none"),
  })
  .describe(
    "Integrity reads confirmed across operators (quorum). Chains whose RPC kind has no integrity methods are served as before. @default off",
  );
export type GatewaysIntegrity = z.infer<typeof GatewaysIntegrity>;

/**
 * The access layer: RPC gateways (HAProxy) in front of every node of the chains they serve, placed
 * by the planner under the policy's caps and, whatever the policy says, on at least two operators,
 * never all in one region, and surviving the loss of any one operator.
 */
export const Gateways = z
  .strictObject({
    count: gatewayCount
      .optional()
      .describe(
        "Gateways serving every chain of the fleet (each proxies to every chain's nodes). Give count or perChain.",
      ),
    perChain: z
      .record(z.string(), gatewayCount)
      .refine((m) => Object.keys(m).length > 0, "list at least one chain, e.g. { ethereum/mainnet: 3 }")
      .refine((m) => Object.keys(m).length <= MAX_LIST, `at most ${MAX_LIST.toLocaleString("en-US")} chains`)
      .optional()
      .describe(
        "Gateways dedicated to one chain, keyed `chain/network` or `chain`; chains not listed get no gateway. Give count or perChain.",
      ),
    sites: siteList("sites")
      .optional()
      .describe(
        "Sites gateways may go to: site ids (aws/us-east-1, akash, baremetal/fra-1) or a provider for all of its sites (aws, baremetal). @default every site of the fleet",
      ),
    size: z
      .string()
      .default("small")
      .describe("Machine size from catalog/gateways.yaml: small, medium or large. @default small"),
    vcpu: z
      .number()
      .positive("must be above 0")
      .optional()
      .describe("vCPUs per gateway, instead of the size's. @default the size's"),
    memoryGb: z
      .number()
      .positive("must be above 0")
      .optional()
      .describe("Memory per gateway in GB, instead of the size's. @default the size's"),
    maxLagBlocks: z
      .number()
      .int("must be a whole number")
      .min(0, "cannot be negative")
      .max(100000)
      .default(5)
      .describe(
        "An upstream node more blocks than this behind the best upstream's head gets no traffic until it catches up. @default 5",
      ),
    backup: siteList("backup")
      .optional()
      .describe(
        "Sites (or providers) whose nodes get traffic only when no other upstream of the chain is healthy, e.g. paid or distant ones. @default none: every node is a primary upstream",
      ),
    minOperators: z
      .number()
      .int("must be a whole number")
      .min(2, "must be at least 2: an access layer on one operator is switched off by one company")
      .default(2)
      .describe(
        "Operators the gateways run on, at least; the gateways' own floor (policy.minOperators is the nodes'): two gateways on two operators are a valid access layer. @default 2",
      ),
    minSurviving: z
      .number()
      .int("must be a whole number")
      .min(1, "must be at least 1")
      .default(1)
      .describe("Gateways each chain keeps after the loss of any one operator or any one region. @default 1"),
    integrity: GatewaysIntegrity.optional(),
    traffic: z
      .strictObject({
        requestsPerSecond: z
          .number()
          .nonnegative("cannot be negative")
          // Beyond this the egress figures leave the range the solver can price exactly.
          .max(1_000_000, "at most 1,000,000 requests per second per chain")
          .optional()
          .describe("Mean requests per second per chain. @default 20 (catalog/gateways.yaml)"),
        responseKb: z
          .number()
          .positive("must be above 0")
          .max(100_000, "at most 100,000 KB (100 MB) per response")
          .optional()
          .describe("Mean JSON-RPC response size in KB. @default 2 (catalog/gateways.yaml)"),
      })
      .optional()
      .describe("Load assumed to price the egress of RPC responses. @default catalog/gateways.yaml, an estimate"),
  })
  .superRefine((g, ctx) => {
    if (g.count !== undefined && g.perChain !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["perChain"],
        message: "give count (gateways serving every chain) or perChain (gateways per chain), not both",
      });
    } else if (g.count === undefined && g.perChain === undefined) {
      ctx.addIssue({
        code: "custom",
        path: [],
        message:
          "say how many gateways: count (serving every chain, e.g. count: 3) or perChain (e.g. perChain: { ethereum/mainnet: 3 })",
      });
    }
  })
  .describe(
    "RPC gateways in front of the nodes, spread like the nodes so no one operator or region holds the access layer.",
  );
export type Gateways = z.infer<typeof Gateways>;
