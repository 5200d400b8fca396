/**
 * The access layer's policy checks: the same share math as for nodes (sharesBy, allowedCount,
 * worstSingleLoss), counted over the gateways that serve a chain (or every chain).
 */
import type { Policy } from "./policy";
import {
  allowedCount,
  legalChecks,
  pct,
  round,
  sharesBy,
  worstSingleLoss,
  type DiversityNode,
  type PolicyCheck,
} from "./index";

/** What the access-layer checks look at in one gateway. */
export interface DiversityGateway {
  id: string;
  operator: string;
  region: string;
  jurisdiction: string;
  cloudAct: boolean;
  /** Legal regimes within whose reach the operator is (see DiversityNode.legal). */
  legal?: readonly string[];
}

/** A gateway as the diversity math sees a node: of the `scope` it is counted in, running no client. */
export function gatewayAsNode(g: DiversityGateway, scope = "gateways"): DiversityNode {
  return {
    id: g.id,
    operator: g.operator,
    region: g.region,
    jurisdiction: g.jurisdiction,
    cloudAct: g.cloudAct,
    ...(g.legal ? { legal: g.legal } : {}),
    chainKey: scope,
    clients: {},
  };
}

/**
 * Every rule of an access-layer policy (core/fleet-spec/resolve-gateways.ts accessPolicy) over one
 * set of gateways. `scope` is the check's scope (`fleet` or a chain key), `owner` reads "the fleet's";
 * `noun` names the machines (the fleet's monitors are placed and checked like gateways).
 */
export function evaluateAccessLayer(
  policy: Policy,
  gateways: readonly DiversityGateway[],
  scope: string,
  owner: string,
  noun: "gateway" | "monitor" = "gateway",
): PolicyCheck[] {
  const checks: PolicyCheck[] = [];
  const total = gateways.length;
  const asNodes = gateways.map((g) => gatewayAsNode(g, scope));
  const of = `${owner} ${total} ${noun}${total === 1 ? "" : "s"}`;
  for (const dim of ["operator", "region", "jurisdiction"] as const) {
    const cap = policy.maxShare?.[dim];
    const top = sharesBy(asNodes, dim)[0];
    if (cap === undefined || !top) continue;
    const ok = top.count <= allowedCount(cap, total);
    checks.push({
      rule: `${noun}s.maxShare.${dim}`,
      scope,
      ok,
      limit: cap,
      actual: round(top.share),
      message: `${top.key} holds ${top.count} of ${of} (${pct(top.share)}); the cap is ${pct(cap)}${ok ? "" : ` (at most ${allowedCount(cap, total)})`}`,
    });
  }
  checks.push(...legalChecks(policy, asNodes, scope, `${noun}s.maxShare.legal`, of));
  if (policy.minOperators !== undefined) {
    const operators = new Set(gateways.map((g) => g.operator)).size;
    checks.push({
      rule: `${noun}s.minOperators`,
      scope,
      ok: operators >= policy.minOperators,
      limit: policy.minOperators,
      actual: operators,
      message: `${of} run on ${operators} operator(s); at least ${policy.minOperators} required`,
    });
  }
  for (const dim of ["operator", "region"] as const) {
    const survive = policy.survive;
    if (!survive || survive[`${dim}Loss`] !== 1) continue;
    const worst = worstSingleLoss(asNodes, dim);
    checks.push({
      rule: `${noun}s.survive.${dim}Loss`,
      scope,
      ok: worst.left >= survive.minNodes,
      limit: survive.minNodes,
      actual: worst.left,
      message: `losing ${dim} ${worst.value} leaves ${worst.left} of ${of}; at least ${survive.minNodes} required${dim === "region" ? " (never all in one region)" : ""}`,
    });
  }
  return checks;
}
