import { allowedCount, shareNeeded, type AlternativesOf } from "../diversity";
import type { Policy } from "../diversity/policy";
import type { Fleet, NodeGroup, Site } from "../fleet-spec/resolve";
import { usd, withinBudget } from "../plan/money";
import type { Candidates } from "./candidates";
import { legalReasons } from "./explain-legal";
import { bindingLimit, PLACE_DIMENSIONS, policyOf, RULE_FAMILIES, rowFamily, type RuleFamily } from "./limits";

/** Names for a message; an empty list says "none" rather than leaving nothing after a colon. */
const list = (xs: string[]) => (xs.length ? xs.join(", ") : "none");

/** Why no plan exists, in plain words, and the rule family to loosen (none: capacity or fit). */
export interface Reason {
  family?: RuleFamily;
  text: string;
}

/**
 * Reasons that can be read off the spec without solving: a rule needing more distinct operators,
 * regions or jurisdictions than the allowed sites offer, counts too small for a rule, groups no site fits.
 * Rules in `relaxed` are left out.
 */
export function obviousReasons(
  fleet: Fleet,
  candidates: Candidates,
  alternatives: AlternativesOf,
  relaxed: ReadonlySet<RuleFamily> = new Set(),
): Reason[] {
  const { policy } = fleet.spec;
  const chainKeys = [...new Set(fleet.groups.map((g) => g.chainKey))];
  return [
    ...fleet.groups.flatMap((group) => misfitReasons(group, candidates)),
    ...fleet.groups.flatMap((group) => hostReasons(group, candidates)),
    ...chainKeys.flatMap((chainKey): Reason[] => {
      const groups = fleet.groups.filter((g) => g.chainKey === chainKey);
      const total = groups.reduce((a, g) => a + g.count, 0);
      const sites = groups.flatMap((g) => (candidates.byGroup.get(g) ?? []).map((c) => c.site));
      if (sites.length === 0) return [];
      const chain: ChainDemand = { chainKey, groups, total, sites };
      return [
        ...placeReasons(chain, policy, relaxed),
        ...legalReasons(
          {
            policy,
            total,
            sites,
            of: `${chainKey}'s ${total} nodes`,
            subject: chainKey,
            // Nodes that all announce one P2P port cannot share a host.
            onePerHost: groups[0].p2pPorts.some((port) => groups.every((g) => g.p2pPorts.includes(port))),
          },
          relaxed,
        ),
        ...clientReasons(chain, policy, alternatives, relaxed),
        ...minOperatorReasons(chain, policy, relaxed),
      ];
    }),
  ];
}

/** A chain's nodes over its groups, and every site any of them may go to. */
interface ChainDemand {
  chainKey: string;
  groups: NodeGroup[];
  total: number;
  sites: Site[];
}

/** A group that fits no allowed site, with why each site refused it. */
function misfitReasons(group: NodeGroup, candidates: Candidates): Reason[] {
  if (candidates.byGroup.get(group)?.length) return [];
  return [
    {
      text: `chains[${group.index}] (${group.chainKey} ${group.role}: ${group.profile.vcpu} vCPU, ${group.profile.memoryGb} GB, ${group.profile.diskGb} GB disk at ${group.profile.iops} IOPS${group.profile.localNvme === "required" ? ", local NVMe" : ""}) fits no allowed site: ${list(candidates.misfits.get(group.index) ?? [])}`,
    },
  ];
}

/** A group announcing P2P ports on bare metal only: one node per host, so it needs as many hosts as nodes. */
function hostReasons(group: NodeGroup, candidates: Candidates): Reason[] {
  const sites = (candidates.byGroup.get(group) ?? []).map((c) => c.site);
  if (!group.p2pPorts.length || !sites.length || sites.some((s) => !s.host)) return [];
  if (group.count <= sites.length) return [];
  return [
    {
      text: `chains[${group.index}] (${group.chainKey}): its clients announce P2P ports (${group.p2pPorts.join(", ")}), so one host runs at most one such node; ${group.count} nodes need ${group.count} hosts and only ${sites.length} can take one (${list(sites.map((s) => s.host!.name))}) — add hosts, or cloud or Akash sites`,
    },
  ];
}

/** A share cap or survive rule that needs more operators, regions or jurisdictions than the sites offer. */
function placeReasons(chain: ChainDemand, policy: Policy, relaxed: ReadonlySet<RuleFamily>): Reason[] {
  const { chainKey, groups, total, sites } = chain;
  return PLACE_DIMENSIONS.flatMap((dim): Reason[] => {
    const values = [...new Set(sites.map((s) => s[dim]))].sort();
    const binding = bindingLimit(policy, dim, total, relaxed);
    if (!binding) return [];
    const { family, limit } = binding;
    const isCap = family !== "survive";
    const cap = policy.maxShare?.[dim];
    const loss = policy.survive?.minNodes;
    const why = isCap
      ? `maxShare.${dim} ${cap} allows at most ${limit} of ${chainKey}'s ${total} nodes per ${dim}`
      : `survive.${dim}Loss with minNodes ${loss} allows at most ${limit} of ${chainKey}'s ${total} nodes per ${dim}`;
    if (limit <= 0) {
      const text = isCap
        ? `${why}; raise maxShare.${dim} to at least ${shareNeeded(1, total)} or add nodes`
        : `${why}: raise chains[${groups[0].index}].count above ${loss} or lower survive.minNodes`;
      return [{ family, text }];
    }
    const needed = Math.ceil(total / limit);
    if (values.length >= needed) return [];
    return [
      {
        family,
        text: `${why}, so it needs at least ${needed} ${dim}s; only ${values.length} can host it (${list(values)}) — allow more sites${isCap ? ` or raise maxShare.${dim} to ${shareNeeded(Math.ceil(total / values.length), total)}` : ""}`,
      },
    ];
  });
}

/** maxShare.client against the clients each layer allows (layers with a single client known are left out). */
function clientReasons(
  chain: ChainDemand,
  policy: Policy,
  alternatives: AlternativesOf,
  relaxed: ReadonlySet<RuleFamily>,
): Reason[] {
  const { chainKey, groups, total } = chain;
  const clientCap = policy.maxShare?.client;
  if (clientCap === undefined || relaxed.has("maxShare.client")) return [];
  return Object.keys(groups[0].clients).flatMap((layer): Reason[] => {
    if (alternatives(chainKey, layer) < 2) return [];
    const limit = allowedCount(clientCap, total);
    const allowed = [...new Set(groups.flatMap((g) => g.clients[layer] ?? []))];
    const where = groups.map((g) => `chains[${g.index}].clients.${layer}`).join(" and ");
    const family = "maxShare.client";
    if (limit === 0)
      return [
        {
          family,
          text: `maxShare.client ${clientCap} allows no ${layer} client even one of ${chainKey}'s ${total} nodes; raise it to at least ${shareNeeded(1, total)}`,
        },
      ];
    if (allowed.length * limit >= total) return [];
    return [
      {
        family,
        text: `maxShare.client ${clientCap} allows at most ${limit} of ${chainKey}'s ${total} nodes per ${layer} client, so it needs at least ${Math.ceil(total / limit)} ${layer} clients; ${where} allow${groups.length > 1 ? "" : "s"} ${allowed.length} (${list(allowed)}) — allow more clients or raise maxShare.client to ${shareNeeded(Math.ceil(total / allowed.length), total)}`,
      },
    ];
  });
}

/** minOperators against the chain's node count and the operators its sites belong to. */
function minOperatorReasons(chain: ChainDemand, policy: Policy, relaxed: ReadonlySet<RuleFamily>): Reason[] {
  const { chainKey, total, sites } = chain;
  const minOps = policy.minOperators;
  if (minOps === undefined || relaxed.has("minOperators")) return [];
  const operators = [...new Set(sites.map((s) => s.operator))].sort();
  const family = "minOperators";
  if (total < minOps)
    return [
      { family, text: `minOperators ${minOps} needs at least ${minOps} ${chainKey} nodes; the spec asks for ${total}` },
    ];
  if (operators.length < minOps)
    return [
      {
        family,
        text: `minOperators ${minOps}: only ${operators.length} operator(s) can host ${chainKey} (${list(operators)}); allow more sites`,
      },
    ];
  return [];
}

/** What a solve with some rule families relaxed found: its optimum, or none (under the cutoff, if one was given). */
export type Relaxation = { feasible: true; costUsd: number } | { feasible: false };

/**
 * Which single rule family, if dropped, would let a plan exist: the plain-words answer to "why not?".
 * Arithmetic first, solves only where it cannot decide:
 *  - a family with no rows, or whose limits another kept rule already matches (a share cap under
 *    a tighter survive rule), changes nothing when dropped: skipped unsolved;
 *  - the budget is never solved for: each family is solved with the budget dropped and a cutoff at
 *    the budget (`solveWith` may stop as soon as its bound proves the optimum is over it), and a
 *    found optimum is compared with the budget by the same check a plan gets;
 *  - only when no single family helps, one solve with every family dropped tells short capacity
 *    from rules that clash together.
 * `solveWith` solves the spec's model (one build) with the given families relaxed; `knownWithoutBudget`
 * is the optimum without the budget when the caller has it already.
 */
export async function explainByRelaxing(
  fleet: Fleet,
  has: (f: RuleFamily) => boolean,
  relaxed: ReadonlySet<RuleFamily>,
  solveWith: (relaxed: ReadonlySet<RuleFamily>, cutoffUsd?: number) => Promise<Relaxation>,
  knownWithoutBudget?: Relaxation,
): Promise<Reason[]> {
  const active = RULE_FAMILIES.filter((f) => !relaxed.has(f) && isActive(fleet, f) && has(f));
  const budget = active.includes("budget") ? fleet.spec.budget!.monthlyUsd : undefined;
  const found = new Map<RuleFamily, Reason>();
  if (budget !== undefined) {
    const withoutBudget = knownWithoutBudget ?? (await solveWith(new Set([...relaxed, "budget"])));
    if (withoutBudget.feasible) {
      found.set("budget", {
        family: "budget",
        text: `budget.monthlyUsd ${budget} is below the cheapest plan that keeps every other rule: ${usd(withoutBudget.costUsd)}/month`,
      });
    }
  }
  for (const family of active.filter((f) => f !== "budget" && changesLimits(fleet, f, relaxed))) {
    const result = await solveWith(
      new Set([...relaxed, family, ...(budget !== undefined ? ["budget" as const] : [])]),
      budget,
    );
    if (!result.feasible || (budget !== undefined && !withinBudget(result.costUsd, budget))) continue;
    found.set(family, {
      family,
      text: `${describeFamily(fleet, family)} cannot be kept together with the other rules; without it the cheapest plan costs ${usd(result.costUsd)}/month`,
    });
  }
  const reasons = active.flatMap((f) => found.get(f) ?? []);
  if (reasons.length) return reasons;
  const capacityShort =
    "the allowed sites cannot hold the nodes: bare-metal host capacity (CPU, memory, disk, one node per P2P port) is short — add hosts or sites";
  if (active.length === 0 || !(await solveWith(new Set([...relaxed, ...active]))).feasible)
    return [{ text: capacityShort }];
  return [
    {
      text: `the rules together leave no plan, and dropping any single one is not enough (active: ${active.map((f) => describeFamily(fleet, f)).join("; ")}); bare-metal host capacity (CPU, memory, disk, P2P ports) may also be short`,
    },
  ];
}

/** Whether dropping `family` changes any limit of the model (a share cap under a tighter survive rule does not). */
function changesLimits(fleet: Fleet, family: RuleFamily, relaxed: ReadonlySet<RuleFamily>): boolean {
  const dims =
    family === "survive"
      ? (["operator", "region"] as const)
      : family.startsWith("maxShare.") && family !== "maxShare.client" && family !== "maxShare.legal"
        ? [family.slice(9) as "operator"]
        : undefined;
  if (!dims) return true;
  const totals = new Map<string, number>();
  for (const g of fleet.groups) totals.set(g.chainKey, (totals.get(g.chainKey) ?? 0) + g.count);
  const without = new Set([...relaxed, family]);
  // Gateways' rows follow the access layer's policy; its survival floor is never relaxed.
  const relaxable = [...totals].filter(([chainKey]) => rowFamily(fleet, chainKey, family) !== undefined);
  return relaxable.some(([chainKey, total]) => {
    const policy = policyOf(fleet, chainKey);
    return dims.some(
      (dim) =>
        (bindingLimit(policy, dim, total, relaxed)?.limit ?? Infinity) !==
        (bindingLimit(policy, dim, total, without)?.limit ?? Infinity),
    );
  });
}

function isActive(fleet: Fleet, family: RuleFamily): boolean {
  const p = fleet.spec.policy;
  switch (family) {
    case "budget":
      return fleet.spec.budget !== undefined;
    case "minOperators":
      return (p.minOperators ?? 1) > 1;
    case "survive":
      return p.survive !== undefined;
    case "sites.maxNodes":
      return fleet.sites.some((s) => s.providerMaxNodes !== undefined || s.host?.maxNodes !== undefined);
    case "maxShare.legal":
      return Object.keys(p.maxShare?.legal ?? {}).length > 0;
    default:
      return p.maxShare?.[family.split(".")[1] as "operator"] !== undefined;
  }
}

function describeFamily(fleet: Fleet, family: RuleFamily): string {
  const p = fleet.spec.policy;
  switch (family) {
    case "budget":
      return `budget.monthlyUsd ${fleet.spec.budget?.monthlyUsd}`;
    case "minOperators":
      return `minOperators ${p.minOperators}`;
    case "survive":
      return `survive (${p.survive?.operatorLoss ? "operatorLoss 1, " : ""}${p.survive?.regionLoss ? "regionLoss 1, " : ""}minNodes ${p.survive?.minNodes})`;
    case "sites.maxNodes":
      return `the maxNodes caps (${fleet.sites
        .flatMap((s) =>
          s.host?.maxNodes !== undefined
            ? [`host ${s.host.name}: ${s.host.maxNodes}`]
            : s.providerMaxNodes !== undefined
              ? [`${s.provider}: ${s.providerMaxNodes}`]
              : [],
        )
        .filter((x, i, a) => a.indexOf(x) === i)
        .join(", ")})`;
    case "maxShare.legal":
      return `maxShare.legal (${Object.entries(p.maxShare?.legal ?? {})
        .map(([regime, cap]) => `${regime} ${cap}`)
        .join(", ")})`;
    default:
      return `${family} ${p.maxShare?.[family.split(".")[1] as "operator"]}`;
  }
}
