/**
 * Stack policy `diversity`: the fleet spec's rules (max share per operator, region, jurisdiction,
 * client and legal regime, e.g. the US CLOUD Act; minimum operators; surviving the loss of one operator) over the stack's node
 * machines (EC2 instances, GCP instances, Azure VMs, bare-metal and Akash nodes), with the one
 * implementation of the math in core/diversity. At preview the engine passes each resource's
 * planned state (its inputs), at `pulumi policy analyze` its outputs: the reader takes both.
 */
import type { StackValidationPolicy } from "@pulumi/policy";
import { CLOUD_ACT, operatorHome, regimesReaching } from "../../core/catalog/legal";
import { alternativesIn } from "../../core/catalog/load";
import { evaluatePolicy } from "../../core/diversity";
import { policyJsonSchemaProperties, type Policy } from "../../core/diversity/policy";
import { diversityNodes, type TagMapping } from "../../core/resources";
import { catalog, readStack, TAG_MAPPING_SCHEMA } from "../lib";

export interface DiversityConfig extends Policy {
  tagMapping?: TagMapping;
  /**
   * Legal regimes each operator the catalog does not know is outside of (the spec's `outsideReach`
   * of a bare-metal host or Akash): such an operator otherwise counts as within every regime's reach.
   */
  outsideReach?: Record<string, string[]>;
}

/** Used when the pack's config says nothing: no company or region holds half a chain, any one may fail. */
export const DEFAULT_DIVERSITY: DiversityConfig = {
  maxShare: { operator: 0.5, region: 0.5, client: 0.67 },
  minOperators: 2,
  survive: { operatorLoss: 1, regionLoss: 0, minNodes: 1 },
};

type ConfigProperty = NonNullable<StackValidationPolicy["configSchema"]>["properties"][string];
/** The fleet spec's policy schema (core/diversity/policy): the pack takes what a spec takes. Draft-07 (numeric exclusive bounds), as Pulumi's config schema is. */
const POLICY_SCHEMA = policyJsonSchemaProperties() as Record<keyof Policy, ConfigProperty>;

const FIX: Record<string, string> = {
  "maxShare.operator":
    "move nodes to other companies (another cloud, Akash or a bare-metal host), or add nodes elsewhere",
  "maxShare.region": "move nodes to other regions",
  "maxShare.jurisdiction": "move nodes to operators headquartered in other jurisdictions",
  "maxShare.client": "run other client implementations on some nodes (sovereign:<layer> tags name them)",
  "maxShare.legal":
    "move nodes to operators whose legal home the regime does not reach (for an operator the catalog does not know, say so in outsideReach)",
  minOperators: "add nodes on other operators",
  "survive.operatorLoss": "add nodes, or spread them so no single operator holds that many",
  "survive.regionLoss": "add nodes in other regions",
};

export const diversity: StackValidationPolicy = {
  name: "diversity",
  description:
    "No single operator, region, jurisdiction or client implementation may hold too much of a chain's nodes; the fleet survives the loss of one operator.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps:
    "Plan the fleet with `sovereign plan` (it places nodes under these rules at least cost) and deploy that plan, " +
    "or move the nodes the message names to other operators, regions or clients.",
  configSchema: {
    properties: {
      maxShare: {
        ...POLICY_SCHEMA.maxShare,
        description: "Largest share of a chain's nodes one operator, region, jurisdiction or client may hold",
        default: DEFAULT_DIVERSITY.maxShare,
      },
      minOperators: {
        ...POLICY_SCHEMA.minOperators,
        description: "Operators each chain runs on, at least",
        default: DEFAULT_DIVERSITY.minOperators,
      },
      survive: { ...POLICY_SCHEMA.survive, default: DEFAULT_DIVERSITY.survive },
      tagMapping: TAG_MAPPING_SCHEMA,
      outsideReach: {
        type: "object",
        additionalProperties: { type: "array", items: { type: "string" } },
        description:
          "Per operator id the catalog does not know (a bare-metal company, an Akash provider's owner): the legal regimes it is outside of, e.g. { myhost: [cloudAct] }; otherwise it counts as within every regime's reach",
      },
    },
  },
  validateStack: (args, report) => {
    const config = { ...DEFAULT_DIVERSITY, ...args.getConfig<DiversityConfig>() };
    const read = readStack(args, config.tagMapping);
    const cat = catalog();
    const nodes = diversityNodes(read.machines).map((n) => {
      // What the config says of an operator the catalog does not know; the catalog's homes stand.
      const legal = regimesReaching(cat, operatorHome(cat, n.operator), config.outsideReach?.[n.operator]);
      return { ...n, legal, cloudAct: legal.includes(CLOUD_ACT) };
    });
    if (!nodes.length) return;
    const nodesOf = (chain: string) => nodes.filter((n) => n.chainKey === chain).map((n) => `${n.id} on ${n.operator}`);
    for (const check of evaluatePolicy(config, nodes, alternativesIn(cat))) {
      if (check.ok) continue;
      report(
        `${check.rule} breached for ${check.scope} (nodes: ${nodesOf(check.scope).join(", ")}): ` +
          `${check.message}. Fix: ${FIX[check.rule] ?? FIX[check.rule.split(".").slice(0, 2).join(".")] ?? "change the placement"}.`,
      );
    }
  },
};
