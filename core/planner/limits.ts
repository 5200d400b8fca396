import { allowedCount } from "../diversity";
import type { Fleet } from "../fleet-spec/resolve";
import type { Policy } from "../diversity/policy";

/** Rule families that can be switched off one at a time to find which ones make a spec infeasible. */
export type RuleFamily =
  | "maxShare.operator"
  | "maxShare.region"
  | "maxShare.jurisdiction"
  | "maxShare.client"
  | "maxShare.legal"
  | "minOperators"
  | "survive"
  | "budget"
  | "sites.maxNodes";
export const RULE_FAMILIES: readonly RuleFamily[] = [
  "maxShare.operator",
  "maxShare.region",
  "maxShare.jurisdiction",
  "maxShare.client",
  "maxShare.legal",
  "minOperators",
  "survive",
  "budget",
  "sites.maxNodes",
];

export type PlaceDimension = "operator" | "region" | "jurisdiction";
export const PLACE_DIMENSIONS: readonly PlaceDimension[] = ["operator", "region", "jurisdiction"];

/** One rule's cap on how many of a chain's nodes one operator, region or jurisdiction may hold. */
export interface ValueLimit {
  family: "maxShare.operator" | "maxShare.region" | "maxShare.jurisdiction" | "survive";
  limit: number;
}

/**
 * The caps on one value of `dim` for a chain of `total` nodes: the share cap (`maxShare`), and for
 * operators and regions survive's single loss (losing the value must leave `minNodes`). The model,
 * the explanation and the policy check all read the limits from here.
 */
export function valueLimits(
  policy: Policy,
  dim: PlaceDimension,
  total: number,
  relaxed: ReadonlySet<RuleFamily> = new Set(),
): ValueLimit[] {
  const out: ValueLimit[] = [];
  const cap = policy.maxShare?.[dim];
  if (cap !== undefined && !relaxed.has(`maxShare.${dim}`))
    out.push({ family: `maxShare.${dim}`, limit: allowedCount(cap, total) });
  const survive = policy.survive;
  if (dim !== "jurisdiction" && survive?.[`${dim}Loss`] === 1 && !relaxed.has("survive"))
    out.push({ family: "survive", limit: total - survive.minNodes });
  return out;
}

/** The tightest of {@link valueLimits} (the cap rules first on a tie), or undefined without a rule. */
export function bindingLimit(
  policy: Policy,
  dim: PlaceDimension,
  total: number,
  relaxed?: ReadonlySet<RuleFamily>,
): ValueLimit | undefined {
  return valueLimits(policy, dim, total, relaxed).reduce<ValueLimit | undefined>(
    (a, b) => (!a || b.limit < a.limit ? b : a),
    undefined,
  );
}

/**
 * `maxShare.legal`: per capped regime, the most of a chain's `total` nodes (or of a set of
 * gateways) that may run on operators within its reach. The model, the explanation and the policy
 * check (core/diversity legalChecks) count with the same allowedCount.
 */
export function legalLimits(policy: Policy, total: number): Array<{ regime: string; cap: number; limit: number }> {
  return Object.entries(policy.maxShare?.legal ?? {}).map(([regime, cap]) => ({
    regime,
    cap,
    limit: allowedCount(cap, total),
  }));
}

/**
 * The policy the rows of one chain key follow: the spec's for a chain, the access layer's for a set
 * of gateways (core/fleet-spec/resolve-gateways.ts accessPolicy). `fleet` is the planner's demand
 * fleet (chains and gateways).
 */
export function policyOf(fleet: Fleet, chainKey: string): Policy {
  return fleet.groups.find((g) => g.chainKey === chainKey)?.gateway?.policy ?? fleet.spec.policy;
}

/**
 * The family a row of a chain key's rule is tagged with. The access layer's survival floor (never
 * all gateways in one operator or region) is no spec rule to loosen: its rows carry no family and
 * are kept by every relaxation.
 */
export function rowFamily(fleet: Fleet, chainKey: string, family: RuleFamily): RuleFamily | undefined {
  const gateway = fleet.groups.find((g) => g.chainKey === chainKey)?.gateway;
  return gateway && family === "survive" ? undefined : family;
}
