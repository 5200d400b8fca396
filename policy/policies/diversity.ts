/**
 * Stack policy `diversity`: the fleet spec's rules (max share per operator, region, jurisdiction
 * and client; minimum operators; surviving the loss of one operator) over the stack's node
 * machines (EC2 instances, GCP instances, Azure VMs, bare-metal and Akash nodes), with the one
 * implementation of the math in core/diversity. At preview the engine passes each resource's
 * planned state (its inputs), at `pulumi policy analyze` its outputs: the reader takes both.
 */
import type { StackValidationPolicy } from "@pulumi/policy";
import { alternativesIn } from "../../core/catalog/load";
import { evaluatePolicy } from "../../core/diversity";
import type { Policy } from "../../core/fleet-spec/schema";
import { diversityNodes, type TagMapping } from "../../core/resources";
import { catalog, readStack, TAG_MAPPING_SCHEMA } from "../lib";

export interface DiversityConfig extends Policy {
  tagMapping?: TagMapping;
}

/** Used when the pack's config says nothing: no company or region holds half a chain, any one may fail. */
export const DEFAULT_DIVERSITY: DiversityConfig = {
  maxShare: { operator: 0.5, region: 0.5, client: 0.67 },
  minOperators: 2,
  survive: { operatorLoss: 1, regionLoss: 0, minNodes: 1 },
};

const share = (what: string) => ({
  type: "number" as const,
  minimum: 0,
  maximum: 1,
  description: `Largest share of a chain's nodes one ${what} may hold`,
});

const FIX: Record<string, string> = {
  "maxShare.operator":
    "move nodes to other companies (another cloud, Akash or a bare-metal host), or add nodes elsewhere",
  "maxShare.region": "move nodes to other regions",
  "maxShare.jurisdiction": "move nodes to operators headquartered in other jurisdictions",
  "maxShare.client": "run other client implementations on some nodes (sovereign:<layer> tags name them)",
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
        type: "object",
        properties: {
          operator: share("operator (company)"),
          region: share("region"),
          jurisdiction: share("jurisdiction"),
          client: share("client implementation (per layer)"),
        },
        additionalProperties: false,
        default: DEFAULT_DIVERSITY.maxShare,
      },
      minOperators: {
        type: "integer",
        minimum: 1,
        default: DEFAULT_DIVERSITY.minOperators,
        description: "Operators each chain runs on, at least",
      },
      survive: {
        type: "object",
        properties: {
          operatorLoss: { type: "integer", minimum: 0, maximum: 1 },
          regionLoss: { type: "integer", minimum: 0, maximum: 1 },
          minNodes: { type: "integer", minimum: 1 },
        },
        required: ["minNodes"],
        additionalProperties: false,
        default: DEFAULT_DIVERSITY.survive,
      },
      tagMapping: TAG_MAPPING_SCHEMA,
    },
  },
  validateStack: (args, report) => {
    const config = { ...DEFAULT_DIVERSITY, ...args.getConfig<DiversityConfig>() };
    const read = readStack(args, config.tagMapping);
    const nodes = diversityNodes(read.machines);
    if (!nodes.length) return;
    const nodesOf = (chain: string) => nodes.filter((n) => n.chainKey === chain).map((n) => `${n.id} on ${n.operator}`);
    for (const check of evaluatePolicy(config, nodes, alternativesIn(catalog()))) {
      if (check.ok) continue;
      report(
        `${check.rule} breached for ${check.scope} (nodes: ${nodesOf(check.scope).join(", ")}): ` +
          `${check.message}. Fix: ${FIX[check.rule] ?? "change the placement"}.`,
      );
    }
  },
};
