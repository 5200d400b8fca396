import {
  FAILURE_DIMENSIONS,
  isHit,
  survivors,
  type DiversityNode,
  type Failure,
  type FailureDimension,
} from "../diversity";
import { gatewayAsNode } from "../diversity/access";
import { SpecError, type InputProblem } from "../errors";
import type { Plan } from "../plan";
import type { Policy } from "../diversity/policy";
import { didYouMean } from "../fleet-spec/suggest";

/** What one chain keeps after the failures. */
export interface ChainOutage {
  chain: string;
  /** Nodes of the chain, and how many are left. */
  total: number;
  left: number;
  /** Nodes the policy requires (survive.minNodes, else 1). */
  required: number;
  /** The chain keeps its nodes and, with gateways, its endpoints. */
  ok: boolean;
  /**
   * With gateways in the plan: the chain's RPC endpoints. `total` gateways serve it; `left` of them
   * are up while the chain keeps a node (an endpoint without upstreams does not answer); `reachable`
   * names them; `required` is gateways.minSurviving (0 for a chain no gateway serves).
   */
  endpoints?: { total: number; left: number; required: number; reachable: string[] };
}

export interface OutageResult {
  failures: Failure[];
  /** Node ids hit. */
  down: string[];
  chains: ChainOutage[];
  /** With gateways in the plan: the gateways hit and those up; the access layer is down when none is up. */
  gateways?: { total: number; down: string[]; up: string[]; accessLayerDown: boolean };
  /** Every chain keeps the nodes the policy requires (survive.minNodes, else 1) and, with gateways, its endpoints. */
  ok: boolean;
}

const USAGE = `use ${FAILURE_DIMENSIONS.map((d) => `${d}=<value>`).join(", ")} (e.g. operator=aws)`;

/** Parses `operator=aws`, `region=us-east-1`, `jurisdiction=US`, `client=geth`, `legal=cloudAct`. */
export function parseFailure(text: string): Failure {
  const parts = text.split("=");
  if (parts.length !== 2) {
    throw new SpecError([
      {
        path: "--fail",
        message: `'${text}' is not a failure: ${parts.length < 2 ? "it has no '='" : "it has more than one '='"}; ${USAGE}`,
      },
    ]);
  }
  const [dim, value] = parts.map((p) => p.trim());
  if (!FAILURE_DIMENSIONS.includes(dim as FailureDimension)) {
    throw new SpecError([
      {
        path: "--fail",
        message: `'${text}': unknown dimension '${dim}'${didYouMean(dim, FAILURE_DIMENSIONS)}; ${USAGE}`,
      },
    ]);
  }
  if (!value) throw new SpecError([{ path: "--fail", message: `'${text}' names no ${dim}; ${USAGE}` }]);
  return { dim: dim as FailureDimension, value };
}

/** The values each dimension takes in a set of nodes (clients by id, whatever their layer). */
export function knownValues(nodes: readonly DiversityNode[]): Record<FailureDimension, Set<string>> {
  const known = Object.fromEntries(FAILURE_DIMENSIONS.map((d) => [d, new Set<string>()])) as Record<
    FailureDimension,
    Set<string>
  >;
  for (const n of nodes) {
    // A record without `legal` (a plan saved before legal regimes) knows only the CLOUD Act.
    for (const r of n.legal ?? (n.cloudAct ? ["cloudAct"] : [])) known.legal.add(r);
    known.operator.add(n.operator);
    known.region.add(n.region);
    known.jurisdiction.add(n.jurisdiction);
    for (const c of Object.values(n.clients)) known.client.add(c);
  }
  return known;
}

/** Refuses failures whose value no node of the plan has under that dimension, saying what it has. */
export function checkFailures(nodes: readonly DiversityNode[], failures: readonly Failure[]): void {
  const known = knownValues(nodes);
  const problems: InputProblem[] = [];
  for (const f of failures) {
    const values = known[f.dim];
    if (values.has(f.value)) continue;
    const elsewhere = FAILURE_DIMENSIONS.filter((d) => d !== f.dim && known[d].has(f.value));
    const hint = elsewhere.length
      ? `; did you mean ${elsewhere.map((d) => `${d}=${f.value}`).join(" or ")}?`
      : didYouMean(f.value, values);
    problems.push({
      path: "--fail",
      message: `no node of the plan has ${f.dim} '${f.value}'${hint} (the plan's ${f.dim} values: ${[...values].sort().join(", ")})`,
    });
  }
  if (problems.length) throw new SpecError(problems);
}

/**
 * What is left of each chain, nodes and RPC endpoints, when everything matching the failures stops
 * at once. `minEndpoints` is gateways.minSurviving: the endpoints a served chain must keep.
 */
export function simulateOutage(plan: Plan, policy: Policy, failures: Failure[], minEndpoints = 1): OutageResult {
  const gateways = plan.gateways ?? [];
  checkFailures([...plan.nodes, ...gateways.map((g) => gatewayAsNode(g))], failures);
  const required = policy.survive?.minNodes ?? 1;
  const up = gateways.filter((g) => !isHit(gatewayAsNode(g), failures));
  const chains = [...survivors(plan.nodes, failures)].map(([chain, s]): ChainOutage => {
    const row = { chain, total: s.total, left: s.left, required, ok: s.left >= required };
    if (!gateways.length) return row;
    const serving = gateways.filter((g) => g.chains.includes(chain));
    const reachable = s.left > 0 ? up.filter((g) => g.chains.includes(chain)).map((g) => g.id) : [];
    const need = serving.length ? minEndpoints : 0;
    const endpoints = { total: serving.length, left: reachable.length, required: need, reachable };
    return { ...row, ok: row.ok && reachable.length >= need, endpoints };
  });
  const hit = gateways.filter((g) => !up.includes(g)).map((g) => g.id);
  return {
    failures,
    down: plan.nodes.filter((n) => isHit(n, failures)).map((n) => n.id),
    chains,
    ...(gateways.length
      ? { gateways: { total: gateways.length, down: hit, up: up.map((g) => g.id), accessLayerDown: up.length === 0 } }
      : {}),
    ok: chains.every((c) => c.ok),
  };
}
