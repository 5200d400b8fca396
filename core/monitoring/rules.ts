/** The monitor's rule file: the plan as series, per-node facts, and the node, access and sovereignty alerts. */
import { stringify } from "yaml";
import { alternativesIn, type Catalog } from "../catalog/load";
import type { Policy } from "../diversity/policy";
import type { Plan } from "../plan/types";
import { accessAlerts, type AccessAlertOptions } from "./access-rules";
import { nodeAlerts, nodeRecordingRules, type NodeAlertOptions } from "./node-rules";
import { plannedLegalSeries, plannedNodeSeries, upgradeSeries } from "./plan-series";
import type { RuleGroup } from "./rule-types";
import { sovereigntyAlerts, sovereigntyRecordingRules } from "./sovereignty-rules";

export type AlertOptions = NodeAlertOptions & AccessAlertOptions;

/** Defaults: the gateways' lag limit when the plan has gateways, else 5 blocks. */
export const DEFAULT_ALERT_OPTIONS: AlertOptions = {
  maxLagBlocks: 5,
  minPeers: 3,
  upgradeWarningDays: 14,
  max5xxRatio: 0.05,
  certificateDays: 14,
  nodeDownSeconds: 120,
  unreachableSeconds: 120,
};

export interface RulesInput {
  plan: Pick<Plan, "nodes" | "gateways">;
  policy: Policy;
  catalog: Catalog;
  options?: Partial<AlertOptions>;
}

export function ruleGroups(input: RulesInput): RuleGroup[] {
  const { plan, catalog } = input;
  const lag = plan.gateways.find((g) => g.maxLagBlocks !== undefined)?.maxLagBlocks;
  const opts: AlertOptions = {
    ...DEFAULT_ALERT_OPTIONS,
    ...(lag !== undefined ? { maxLagBlocks: lag } : {}),
    ...input.options,
  };
  const clients = [...new Set(plan.nodes.flatMap((n) => Object.values(n.clients)))].sort();
  const chains = new Set(plan.nodes.map((n) => n.chainKey));
  const upgrades = catalog.upgrades.filter((u) => chains.has(`${u.chain}/${u.network}`));
  return [
    // One group, evaluated in order: each rule reads the ones above it at the same instant.
    {
      name: "sovereign-plan-and-facts",
      rules: [
        ...plannedNodeSeries(plan.nodes),
        ...plannedLegalSeries(plan.nodes, Object.keys(input.policy.maxShare?.legal ?? {})),
        ...upgradeSeries(plan.nodes, catalog),
        ...nodeRecordingRules(clients),
        ...sovereigntyRecordingRules(),
      ],
    },
    { name: "sovereign-node", rules: nodeAlerts(opts, upgrades) },
    { name: "sovereign-access", rules: accessAlerts(opts) },
    { name: "sovereign-sovereignty", rules: sovereigntyAlerts(input.policy, plan.nodes, alternativesIn(catalog)) },
  ];
}

/** The rule file as YAML, for Prometheus and `promtool check rules`. */
export function renderRules(input: RulesInput): string {
  return stringify({ groups: ruleGroups(input) }, { lineWidth: 0 });
}
