/**
 * The diversity math: shares, concentration, outages and the policy check. The planner, the CLI and
 * the policy pack all use this module, so a plan, a report and a preview-time check agree.
 * Everything here works on plain node records, so it runs on a plan or on tagged cloud resources.
 */
import type { Policy } from "./policy";

/** What diversity looks at in one node. */
export interface DiversityNode {
  id: string;
  /** `chain/network`; shares and survival are per chain key. */
  chainKey: string;
  operator: string;
  region: string;
  jurisdiction: string;
  cloudAct: boolean;
  /**
   * Ids of the legal regimes within whose reach the operator is (core/catalog/legal.ts). Absent on a
   * record built by hand: then only `cloudAct` is known, and every other regime counts as reaching it.
   */
  legal?: readonly string[];
  /** Client id per layer, e.g. { execution: "geth", consensus: "lighthouse" }. */
  clients: Record<string, string>;
}

export type Dimension = "operator" | "region" | "jurisdiction" | "client";
export const DIMENSIONS: readonly Dimension[] = ["operator", "region", "jurisdiction", "client"];

/** Slack for float error in `cap * total` (0.34 * 50 must allow 17); the alert rules use it too. */
export const SHARE_EPSILON = 1e-9;

/** The most nodes out of `total` one entity may hold under a share cap. */
export function allowedCount(cap: number, total: number): number {
  return Math.floor(cap * total + SHARE_EPSILON);
}

/** Whether the client cap applies to a chain's layer: only where the catalog knows two implementations or more. */
export function clientCapApplies(alternatives: AlternativesOf, chainKey: string, layer: string): boolean {
  return alternatives(chainKey, layer) > 1;
}

/** The least share cap that allows `count` of `total`, rounded up to 2 decimals, for advice. */
export function shareNeeded(count: number, total: number): number {
  return Math.ceil((count / total) * 100 - 1e-9) / 100;
}

export function groupByChain<T extends DiversityNode>(nodes: readonly T[]): Map<string, T[]> {
  const byChain = new Map<string, T[]>();
  for (const n of nodes) byChain.set(n.chainKey, [...(byChain.get(n.chainKey) ?? []), n]);
  return byChain;
}

/** Node counts per value of a dimension. For `client`, keys are `layer:client`. */
export function countBy(nodes: readonly DiversityNode[], dim: Dimension): Map<string, number> {
  const counts = new Map<string, number>();
  const add = (k: string) => counts.set(k, (counts.get(k) ?? 0) + 1);
  for (const n of nodes) {
    if (dim === "client") for (const [layer, client] of Object.entries(n.clients)) add(`${layer}:${client}`);
    else add(n[dim]);
  }
  return counts;
}

/** Shares per value, largest first. For `client` the denominator is the chain's nodes (each layer sums to 1). */
export function sharesBy(
  nodes: readonly DiversityNode[],
  dim: Dimension,
): Array<{ key: string; count: number; share: number }> {
  return [...countBy(nodes, dim)]
    .map(([key, count]) => ({ key, count, share: nodes.length ? count / nodes.length : 0 }))
    .sort((a, b) => b.count - a.count || a.key.localeCompare(b.key));
}

/** Herfindahl-Hirschman index over shares: 1/n for n equal entities, 1 for a monopoly. */
export function hhi(counts: Iterable<number>): number {
  const list = [...counts];
  const total = list.reduce((a, b) => a + b, 0);
  return total ? list.reduce((acc, c) => acc + (c / total) ** 2, 0) : 0;
}

/** Fewest entities whose failure takes down at least `fraction` of the nodes. */
export function nakamoto(counts: Iterable<number>, fraction: number): number {
  const sorted = [...counts].sort((a, b) => b - a);
  const total = sorted.reduce((a, b) => a + b, 0);
  let down = 0;
  for (let i = 0; i < sorted.length; i++) {
    down += sorted[i];
    if (down >= fraction * total - 1e-9) return i + 1;
  }
  return sorted.length;
}

/**
 * What can fail: a value of a dimension, or (`legal`) every operator within a legal regime's reach
 * at once, as when the state behind the regime orders them to stop serving you.
 */
export type FailureDimension = Dimension | "legal";
export const FAILURE_DIMENSIONS: readonly FailureDimension[] = [...DIMENSIONS, "legal"];

/** A failure: every node with this value of the dimension stops. */
export interface Failure {
  dim: FailureDimension;
  value: string;
}

export function isHit(node: DiversityNode, failures: readonly Failure[]): boolean {
  return failures.some((f) =>
    f.dim === "client"
      ? Object.values(node.clients).includes(f.value)
      : f.dim === "legal"
        ? withinReach(node, f.value)
        : node[f.dim] === f.value,
  );
}

/** Nodes left per chain after the failures. */
export function survivors(
  nodes: readonly DiversityNode[],
  failures: readonly Failure[],
): Map<string, { total: number; left: number }> {
  const result = new Map<string, { total: number; left: number }>();
  for (const [chain, list] of groupByChain(nodes)) {
    result.set(chain, { total: list.length, left: list.filter((n) => !isHit(n, failures)).length });
  }
  return result;
}

/** The single value of a dimension whose loss leaves a chain the fewest nodes. */
export function worstSingleLoss(
  chainNodes: readonly DiversityNode[],
  dim: Exclude<Dimension, "client">,
): { value: string; left: number } {
  const worst = sharesBy(chainNodes, dim)[0];
  return worst ? { value: worst.key, left: chainNodes.length - worst.count } : { value: "-", left: 0 };
}

/** Whether a node's operator is within a legal regime's reach; what is not known counts as within. */
export function withinReach(node: Pick<DiversityNode, "legal" | "cloudAct">, regime: string): boolean {
  if (node.legal) return node.legal.includes(regime);
  return regime === "cloudAct" ? node.cloudAct : true;
}

export interface PolicyCheck {
  rule: string;
  /** Chain key, or `fleet`. */
  scope: string;
  ok: boolean;
  /**
   * Only on checks that pass: `warn` when something needs doing before a date (an upgrade due, a
   * client's support ending), `unknown` when the check lacks the data to say ok. @default absent (ok)
   */
  status?: "warn" | "unknown";
  limit: number;
  actual: number;
  message: string;
}

/** How many client implementations the catalog knows for a chain's layer (the client cap applies from 2). */
export type AlternativesOf = (chainKey: string, layer: string) => number;

/** Every rule of the policy, checked per chain. */
export function evaluatePolicy(
  policy: Policy,
  nodes: readonly DiversityNode[],
  alternatives: AlternativesOf,
): PolicyCheck[] {
  const checks: PolicyCheck[] = [];
  for (const [chain, list] of groupByChain(nodes)) {
    const total = list.length;
    for (const dim of DIMENSIONS) {
      const cap = policy.maxShare?.[dim];
      if (cap === undefined) continue;
      const shares = sharesBy(list, dim).filter(
        (s) => dim !== "client" || clientCapApplies(alternatives, chain, s.key.split(":")[0]),
      );
      const top = shares[0];
      if (!top) continue;
      const ok = top.count <= allowedCount(cap, total);
      checks.push({
        rule: `maxShare.${dim}`,
        scope: chain,
        ok,
        limit: cap,
        actual: round(top.share),
        message: `${top.key} holds ${top.count} of ${total} ${chain} nodes (${pct(top.share)}); the cap is ${pct(cap)}${ok ? "" : ` (at most ${allowedCount(cap, total)})`}`,
      });
    }
    checks.push(...legalChecks(policy, list, chain, "maxShare.legal", `${total} ${chain} nodes`));
    if (policy.minOperators !== undefined) {
      const operators = countBy(list, "operator").size;
      checks.push({
        rule: "minOperators",
        scope: chain,
        ok: operators >= policy.minOperators,
        limit: policy.minOperators,
        actual: operators,
        message: `${chain} runs on ${operators} operator(s); at least ${policy.minOperators} required`,
      });
    }
    const survive = policy.survive;
    for (const dim of ["operator", "region"] as const) {
      if (!survive || survive[`${dim}Loss`] !== 1) continue;
      const worst = worstSingleLoss(list, dim);
      checks.push({
        rule: `survive.${dim}Loss`,
        scope: chain,
        ok: worst.left >= survive.minNodes,
        limit: survive.minNodes,
        actual: worst.left,
        message: `losing ${dim} ${worst.value} leaves ${worst.left} of ${total} ${chain} nodes; at least ${survive.minNodes} required`,
      });
    }
  }
  return checks;
}

/**
 * `maxShare.legal.<regime>` over one set of nodes (a chain's, or gateways as nodes): the nodes on
 * operators within each capped regime's reach. `rule` is the rule's prefix, `of` reads
 * "6 ethereum/mainnet nodes".
 */
export function legalChecks(
  policy: Policy,
  nodes: readonly DiversityNode[],
  scope: string,
  rule: string,
  of: string,
): PolicyCheck[] {
  return Object.entries(policy.maxShare?.legal ?? {}).map(([regime, cap]) => {
    const within = nodes.filter((n) => withinReach(n, regime));
    const share = nodes.length ? within.length / nodes.length : 0;
    const ok = within.length <= allowedCount(cap, nodes.length);
    const operators = [...new Set(within.map((n) => n.operator))].sort();
    return {
      rule: `${rule}.${regime}`,
      scope,
      ok,
      limit: cap,
      actual: round(share),
      message: `${within.length} of ${of} (${pct(share)}) run on operators within ${regime}'s reach${operators.length ? ` (${operators.join(", ")})` : ""}; the cap is ${pct(cap)}${ok ? "" : ` (at most ${allowedCount(cap, nodes.length)})`}`,
    };
  });
}

/** A share as the checks' messages print it: `33.3%`. */
export const pct = (x: number) => `${Math.round(x * 1000) / 10}%`;
/** A share as the checks' `actual` holds it: 4 decimals. */
export const round = (x: number) => Math.round(x * 10000) / 10000;

export interface ConcentrationMetrics {
  nodes: number;
  shares: Record<Dimension, Array<{ key: string; count: number; share: number }>>;
  hhi: Record<Dimension, number>;
  /** Operators that must fail to stop 1/3 (BFT liveness) and 1/2 of the nodes. */
  nakamotoOperators: { third: number; half: number };
  /** Share of nodes run by companies the US CLOUD Act reaches (an unknown legal home counts as reached). */
  cloudActShare: number;
  worstOperatorLoss: { value: string; left: number; leftShare: number };
  worstRegionLoss: { value: string; left: number; leftShare: number };
}

/** Concentration of one set of nodes (one chain, or the whole fleet). */
export function concentration(nodes: readonly DiversityNode[]): ConcentrationMetrics {
  const shares = {} as ConcentrationMetrics["shares"];
  const index = {} as ConcentrationMetrics["hhi"];
  for (const dim of DIMENSIONS) {
    shares[dim] = sharesBy(nodes, dim);
    const counts = shares[dim].map((s) => s.count);
    index[dim] = round(dim === "client" ? meanLayerHhi(nodes) : hhi(counts));
  }
  const ops = shares.operator.map((s) => s.count);
  const loss = (dim: "operator" | "region") => {
    const w = worstSingleLoss(nodes, dim);
    return { ...w, leftShare: nodes.length ? round(w.left / nodes.length) : 0 };
  };
  return {
    nodes: nodes.length,
    shares,
    hhi: index,
    nakamotoOperators: { third: nakamoto(ops, 1 / 3), half: nakamoto(ops, 1 / 2) },
    cloudActShare: nodes.length ? round(nodes.filter((n) => withinReach(n, "cloudAct")).length / nodes.length) : 0,
    worstOperatorLoss: loss("operator"),
    worstRegionLoss: loss("region"),
  };
}

function meanLayerHhi(nodes: readonly DiversityNode[]): number {
  const layers = new Map<string, number[]>();
  for (const [key, count] of countBy(nodes, "client")) {
    const layer = key.split(":")[0];
    layers.set(layer, [...(layers.get(layer) ?? []), count]);
  }
  const values = [...layers.values()].map((c) => hhi(c));
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0;
}
