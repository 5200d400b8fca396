/**
 * Plan versus reality: the planned nodes joined with what a monitor sees (scrapes up, heads, firing
 * alerts), and the policy evaluated over the live nodes with evaluatePolicy, the same function the
 * planner's checks use. A node the monitor has no data for is "unknown" and never counts as live.
 */
import { evaluatePolicy, groupByChain, type AlternativesOf, type DiversityNode, type PolicyCheck } from "../diversity";
import type { Policy } from "../diversity/policy";

export type NodeState = "up" | "down" | "unknown";

/** What the monitor answered, already validated. */
export interface Observed {
  /** `up` of each client scrape target: 1 answered, 0 did not. */
  up: ReadonlyArray<{ node: string; layer: string; value: number }>;
  /** Head block of each node's RPC-layer client. */
  heads: ReadonlyArray<{ node: string; value: number }>;
  alerts: ReadonlyArray<{ name: string; labels: Readonly<Record<string, string>>; summary: string }>;
}

export interface NodeStatus {
  id: string;
  chain: string;
  operator: string;
  region: string;
  jurisdiction: string;
  clients: Record<string, string>;
  state: NodeState;
  height?: number;
  /** Blocks behind the best head of its chain among the nodes the monitor sees. */
  lag?: number;
  /** The release the deploy recorded for the node (`sovereign status --deployed`); undefined when unknown. */
  release?: string;
}

export interface FleetStatus {
  nodes: NodeStatus[];
  /** The policy over the live nodes; `survive.minNodes` also covers chains with no live node. */
  checks: PolicyCheck[];
  alerts: Observed["alerts"];
  /** True when every check passes over the live nodes (unknown nodes counted as not live). */
  ok: boolean;
}

function stateOf(node: DiversityNode, up: Observed["up"]): NodeState {
  const samples = up.filter((s) => s.node === node.id);
  if (!samples.length) return "unknown";
  // Every client layer of the node must answer: a node without its consensus client serves nothing.
  const answered = new Set(samples.filter((s) => s.value === 1).map((s) => s.layer));
  return Object.keys(node.clients).every((layer) => answered.has(layer)) ? "up" : "down";
}

export function nodeStatuses(nodes: readonly DiversityNode[], observed: Observed): NodeStatus[] {
  const heights = new Map(observed.heads.map((h) => [h.node, h.value]));
  const best = new Map<string, number>();
  for (const n of nodes) {
    const h = heights.get(n.id);
    if (h !== undefined) best.set(n.chainKey, Math.max(best.get(n.chainKey) ?? h, h));
  }
  return nodes.map((n) => {
    const height = heights.get(n.id);
    const top = best.get(n.chainKey);
    return {
      id: n.id,
      chain: n.chainKey,
      operator: n.operator,
      region: n.region,
      jurisdiction: n.jurisdiction,
      clients: n.clients,
      state: stateOf(n, observed.up),
      ...(height !== undefined && top !== undefined ? { height, lag: top - height } : {}),
    };
  });
}

/** The policy over the live nodes, plus each chain's live count against survive.minNodes. */
export function livePolicyChecks(
  policy: Policy,
  nodes: readonly DiversityNode[],
  live: ReadonlySet<string>,
  alternatives: AlternativesOf,
): PolicyCheck[] {
  const checks = evaluatePolicy(
    policy,
    nodes.filter((n) => live.has(n.id)),
    alternatives,
  );
  for (const [chain, list] of groupByChain(nodes)) {
    const count = list.filter((n) => live.has(n.id)).length;
    if (policy.survive) {
      const min = policy.survive.minNodes;
      checks.push({
        rule: "survive.minNodes",
        scope: chain,
        ok: count >= min,
        limit: min,
        actual: count,
        message: `${count} of ${list.length} planned ${chain} nodes are live; at least ${min} required`,
      });
    }
    // evaluatePolicy sees no chain without live nodes; its operator minimum is then plainly broken.
    if (count === 0 && policy.minOperators !== undefined) {
      checks.push({
        rule: "minOperators",
        scope: chain,
        ok: false,
        limit: policy.minOperators,
        actual: 0,
        message: `${chain} has no live node; at least ${policy.minOperators} operator(s) required`,
      });
    }
  }
  return checks.sort((a, b) => a.scope.localeCompare(b.scope) || a.rule.localeCompare(b.rule));
}

export function fleetStatus(
  policy: Policy,
  nodes: readonly DiversityNode[],
  alternatives: AlternativesOf,
  observed: Observed,
): FleetStatus {
  const statuses = nodeStatuses(nodes, observed);
  const live = new Set(statuses.filter((s) => s.state === "up").map((s) => s.id));
  const checks = livePolicyChecks(policy, nodes, live, alternatives);
  return { nodes: statuses, checks, alerts: observed.alerts, ok: checks.every((c) => c.ok) };
}
