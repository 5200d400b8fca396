/**
 * Sovereignty alerts: the plan's policy over the nodes that are live now. The thresholds are the
 * policy's (caps, minOperators, survive.minNodes), the client cap applies where core/diversity says
 * (clientCapApplies) and a share breaks a cap when its count exceeds `cap * live + SHARE_EPSILON`,
 * exactly as allowedCount decides for the planner; test/monitoring checks the rules against
 * evaluatePolicy on the same live nodes.
 */
import { clientCapApplies, SHARE_EPSILON, type AlternativesOf } from "../diversity";
import type { Policy } from "../diversity/policy";
import type { PlannedNode } from "../plan/types";
import { oneOf, quote, type AlertingRule, type RecordingRule } from "./rule-types";

const LIVE = "sovereign:node_live";
const TOTAL = "sovereign:chain_live_nodes";

export function sovereigntyRecordingRules(): RecordingRule[] {
  return [
    // A node's client counts as live when the node is (the client cap is over nodes, per layer).
    {
      record: "sovereign:client_live",
      expr: `sovereign:planned_client * on (node) group_left () ${LIVE}`,
    },
    // A node within a legal regime's reach counts toward that regime's cap while it is live.
    {
      record: "sovereign:legal_live",
      expr: `sovereign:planned_legal * on (node) group_left () ${LIVE}`,
    },
  ];
}

const labels = (rule: string) => ({ severity: "critical", group: "sovereignty", rule });

function shareAlert(dim: "operator" | "region" | "jurisdiction", cap: number): AlertingRule {
  return {
    alert: "SovereignShareAboveCap",
    expr: `sum by (chain, ${dim}) (${LIVE}) > on (chain) group_left () (${cap} * ${TOTAL} + ${SHARE_EPSILON})`,
    labels: { ...labels(`maxShare.${dim}`), dimension: dim },
    annotations: {
      summary: `{{ $labels.chain }}: ${dim} {{ $labels.${dim} }} holds {{ $value }} live nodes, above the ${cap * 100}% cap`,
      description: `Nodes elsewhere are down, so ${dim} {{ $labels.${dim} }} now holds more than ${cap * 100}% of the live {{ $labels.chain }} nodes.`,
      action: `Bring the down {{ $labels.chain }} nodes outside {{ $labels.${dim} }} back (see SovereignNodeDown), or redeploy: \`sovereign plan\` places replacements.`,
    },
  };
}

function clientShareAlert(chain: string, layers: string[], cap: number): AlertingRule {
  return {
    alert: "SovereignShareAboveCap",
    expr:
      `sum by (chain, layer, client) (sovereign:client_live{chain=${quote(chain)}, layer=~${oneOf(layers)}})` +
      ` > on (chain) group_left () (${cap} * ${TOTAL} + ${SHARE_EPSILON})`,
    labels: { ...labels("maxShare.client"), dimension: "client" },
    annotations: {
      summary: `{{ $labels.chain }}: {{ $labels.layer }} client {{ $labels.client }} runs {{ $value }} live nodes, above the ${cap * 100}% cap`,
      description: "A bug in this client would now take down more of the chain than the policy allows.",
      action: "Bring the down nodes running other clients back, or redeploy with `sovereign plan`.",
    },
  };
}

function legalShareAlert(regime: string, cap: number): AlertingRule {
  return {
    alert: "SovereignShareAboveCap",
    expr:
      `sum by (chain, regime) (sovereign:legal_live{regime=${quote(regime)}})` +
      ` > on (chain) group_left () (${cap} * ${TOTAL} + ${SHARE_EPSILON})`,
    labels: { ...labels(`maxShare.legal.${regime}`), dimension: "legal" },
    annotations: {
      summary: `{{ $labels.chain }}: {{ $value }} live nodes within ${regime}'s reach, above the ${cap * 100}% cap`,
      description: `Nodes outside ${regime}'s reach are down, so more of the live {{ $labels.chain }} nodes than the policy allows can be compelled under it.`,
      action: `Bring the down {{ $labels.chain }} nodes outside ${regime}'s reach back (see SovereignNodeDown), or redeploy: \`sovereign plan\` places replacements.`,
    },
  };
}

function minOperatorsAlert(min: number): AlertingRule {
  return {
    alert: "SovereignTooFewOperators",
    expr: `(count by (chain) (sum by (chain, operator) (${LIVE}) > 0) or (0 * ${TOTAL})) < ${min}`,
    labels: labels("minOperators"),
    annotations: {
      summary: `{{ $labels.chain }} runs on {{ $value }} live operator(s); at least ${min} required`,
      description: "Every node of the other operators is down.",
      action: "Bring nodes of another operator back, or redeploy with `sovereign plan`.",
    },
  };
}

function belowSurviveAlert(minNodes: number): AlertingRule {
  return {
    alert: "SovereignChainBelowSurvive",
    expr: `${TOTAL} < ${minNodes}`,
    labels: labels("survive.minNodes"),
    annotations: {
      summary: `{{ $labels.chain }} has {{ $value }} live nodes; the policy keeps at least ${minNodes} even after a loss`,
      description: "The chain is below the nodes its policy promises to keep.",
      action:
        "Bring its down nodes back now (see SovereignNodeDown); if a provider is gone, redeploy with `sovereign plan`.",
    },
  };
}

/** Losing the largest live operator (region) would leave fewer than minNodes: one outage from breach. */
function oneOutageAlert(dim: "operator" | "region", minNodes: number): AlertingRule {
  return {
    alert: "SovereignOneOutageFromBreach",
    expr:
      `(${TOTAL} - on (chain) group_right () topk by (chain) (1, sum by (chain, ${dim}) (${LIVE}))) < ${minNodes}` +
      ` and on (chain) ${TOTAL} >= ${minNodes}`,
    labels: { ...labels(`survive.${dim}Loss`), dimension: dim },
    annotations: {
      summary: `{{ $labels.chain }} is one outage from breach: losing ${dim} {{ $labels.${dim} }} would leave {{ $value }} live nodes (at least ${minNodes} required)`,
      description: `Too many nodes outside ${dim} {{ $labels.${dim} }} are down for the chain to survive its loss.`,
      action: `Bring the down {{ $labels.chain }} nodes outside {{ $labels.${dim} }} back before anything else fails.`,
    },
  };
}

/** The policy's alerts for the plan's chains. */
export function sovereigntyAlerts(
  policy: Policy,
  nodes: readonly PlannedNode[],
  alternatives: AlternativesOf,
): AlertingRule[] {
  const alerts: AlertingRule[] = [];
  for (const dim of ["operator", "region", "jurisdiction"] as const) {
    const cap = policy.maxShare?.[dim];
    if (cap !== undefined) alerts.push(shareAlert(dim, cap));
  }
  for (const [regime, cap] of Object.entries(policy.maxShare?.legal ?? {})) alerts.push(legalShareAlert(regime, cap));
  const clientCap = policy.maxShare?.client;
  if (clientCap !== undefined) {
    for (const [chain, layers] of [...layersByChain(nodes)].sort(([a], [b]) => a.localeCompare(b))) {
      const capped = [...layers].filter((layer) => clientCapApplies(alternatives, chain, layer)).sort();
      if (capped.length) alerts.push(clientShareAlert(chain, capped, clientCap));
    }
  }
  if (policy.minOperators !== undefined) alerts.push(minOperatorsAlert(policy.minOperators));
  const survive = policy.survive;
  if (survive) {
    alerts.push(belowSurviveAlert(survive.minNodes));
    for (const dim of ["operator", "region"] as const) {
      if (survive[`${dim}Loss`] === 1) alerts.push(oneOutageAlert(dim, survive.minNodes));
    }
  }
  return alerts;
}

function layersByChain(nodes: readonly PlannedNode[]): Map<string, Set<string>> {
  const layers = new Map<string, Set<string>>();
  for (const n of nodes) {
    const set = layers.get(n.chainKey) ?? new Set<string>();
    for (const layer of Object.keys(n.clients)) set.add(layer);
    layers.set(n.chainKey, set);
  }
  return layers;
}
