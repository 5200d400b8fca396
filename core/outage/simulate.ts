import { DIMENSIONS, isHit, survivors, type DiversityNode, type Dimension, type Failure } from "../diversity";
import { SpecError, type InputProblem } from "../errors";
import type { Plan, PlannedGateway } from "../plan";
import type { Policy } from "../fleet-spec/schema";
import { didYouMean } from "../fleet-spec/suggest";

export interface OutageResult {
  failures: Failure[];
  down: string[];
  chains: Array<{ chain: string; total: number; left: number; required: number; ok: boolean }>;
  /** Gateways hit by the failures. */
  gatewaysDown: string[];
  /**
   * The access layer per chain the plan's gateways serve: the gateways (endpoints) left, those that
   * still reach at least one node of the chain. Empty when the plan has no gateways.
   */
  endpoints: Array<{ chain: string; total: number; left: number; gateways: string[] }>;
  /** Every chain keeps at least the nodes the policy requires (survive.minNodes, else 1). */
  ok: boolean;
}

const USAGE = `use ${DIMENSIONS.map((d) => `${d}=<value>`).join(", ")} (e.g. operator=aws)`;

/** Parses `operator=aws`, `region=us-east-1`, `jurisdiction=US`, `client=geth`. */
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
  if (!DIMENSIONS.includes(dim as Dimension)) {
    throw new SpecError([
      { path: "--fail", message: `'${text}': unknown dimension '${dim}'${didYouMean(dim, DIMENSIONS)}; ${USAGE}` },
    ]);
  }
  if (!value) throw new SpecError([{ path: "--fail", message: `'${text}' names no ${dim}; ${USAGE}` }]);
  return { dim: dim as Dimension, value };
}

/** The values each dimension takes in a set of nodes (clients by id, whatever their layer). */
export function knownValues(nodes: readonly DiversityNode[]): Record<Dimension, Set<string>> {
  const known = Object.fromEntries(DIMENSIONS.map((d) => [d, new Set<string>()])) as Record<Dimension, Set<string>>;
  for (const n of nodes) {
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
    const elsewhere = DIMENSIONS.filter((d) => d !== f.dim && known[d].has(f.value));
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

/** A gateway as the diversity rules see it: its operator, region and jurisdiction; HAProxy as its client. */
export function gatewayAsNode(g: PlannedGateway): DiversityNode {
  return {
    id: g.id,
    chainKey: "gateway",
    operator: g.operator,
    region: g.region,
    jurisdiction: g.jurisdiction,
    cloudAct: g.cloudAct,
    clients: { gateway: "haproxy" },
  };
}

/** What is left of each chain, and of its endpoints, when everything matching the failures stops at once. */
export function simulateOutage(plan: Plan, policy: Policy, failures: Failure[]): OutageResult {
  checkFailures([...plan.nodes, ...plan.gateways.map(gatewayAsNode)], failures);
  const required = policy.survive?.minNodes ?? 1;
  const chains = [...survivors(plan.nodes, failures)].map(([chain, s]) => ({
    chain,
    total: s.total,
    left: s.left,
    required,
    ok: s.left >= required,
  }));
  const left = new Map(chains.map((c) => [c.chain, c.left]));
  const gatewaysDown = plan.gateways.filter((g) => isHit(gatewayAsNode(g), failures)).map((g) => g.id);
  const served = [...new Set(plan.gateways.flatMap((g) => g.chains))].sort();
  const endpoints = served.map((chain) => {
    const all = plan.gateways.filter((g) => g.chains.includes(chain));
    const alive = (left.get(chain) ?? 0) > 0 ? all.filter((g) => !gatewaysDown.includes(g.id)) : [];
    return { chain, total: all.length, left: alive.length, gateways: alive.map((g) => g.id) };
  });
  return {
    failures,
    down: plan.nodes.filter((n) => isHit(n, failures)).map((n) => n.id),
    chains,
    gatewaysDown,
    endpoints,
    // The access layer counts too: a chain whose every endpoint is down is out of reach.
    ok: chains.every((c) => c.ok) && endpoints.every((e) => e.left > 0),
  };
}
