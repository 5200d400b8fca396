import type { Catalog } from "../catalog/load";
import { CLOUD_ACT } from "../catalog/legal";
import { CLOUD_PROVIDERS } from "../catalog/schema";
import { groupByChain, round, sharesBy, worstSingleLoss } from "../diversity";
import { gatewayAsNode } from "../diversity/access";
import { InfeasibleError } from "../errors";
import { planFleet } from "../planner/plan";
import { NOTHING_DEPLOYED, type DeployedFleet, type Plan } from "../plan";
import { resolveFleet } from "../fleet-spec/resolve";
import { accessPolicy } from "../fleet-spec/resolve-gateways";
import type { Policy } from "../diversity/policy";
import type { FleetSpec, Sites } from "../fleet-spec/schema";

/** One row of the cost-versus-sovereignty comparison. */
export interface Scenario {
  name: string;
  description: string;
  feasible: boolean;
  monthlyUsd: number | null;
  /** Relative to the cheapest feasible scenario (0.25 = 25% more). */
  premium: number | null;
  /** Relative to the single-cloud, one-region scenario, what most teams run today (-0.4 = 40% cheaper). */
  vsSingleCloud: number | null;
  /** Largest share any one operator holds of any chain. */
  maxOperatorShare: number | null;
  /** Fewest nodes any chain keeps after the worst single-operator loss, as a share of its nodes. */
  worstCaseSurvivingShare: number | null;
  /** Share of the fleet's nodes run by companies the US CLOUD Act reaches. */
  cloudActShare: number | null;
  operators: number | null;
  /** With `gateways` in the spec: what the access layer costs (included in monthlyUsd). */
  accessMonthlyUsd?: number | null;
  /** With `gateways` in the spec: the largest share one operator holds of any set of gateways. */
  accessMaxOperatorShare?: number | null;
  reason?: string;
  plan?: Plan;
}

export interface Comparison {
  fleet: string;
  scenarios: Scenario[];
}

export const OPERATOR_CAP_SWEEP = [1, 0.67, 0.5, 0.34, 0.25, 0.2] as const;
/** Caps on the share of nodes within the US CLOUD Act's reach, from none to none at all. */
export const CLOUD_ACT_CAP_SWEEP = [1, 0.67, 0.5, 0.34, 0.25, 0] as const;

interface Variant {
  name: string;
  description: string;
  sites: Sites;
  policy: Policy;
  budget?: FleetSpec["budget"];
  pricing?: FleetSpec["pricing"];
  /**
   * The access layer's own rules (two operators, never all in one region, survive an operator
   * loss): the single-cloud baselines lower them, since one cloud is one operator by definition.
   */
  floors?: "all" | "region" | "none";
  /** The deployed fleet, kept in place as `pulumi up` keeps it (the "your policy" row only). */
  deployed?: DeployedFleet;
}

/** Purchase options compared beside the spec's own (users adopt a cost tool for committed-use support). */
const PRICING_ROWS: ReadonlyArray<{ pricing: NonNullable<FleetSpec["pricing"]>; label: string }> = [
  { pricing: "committed-1y", label: "1-year committed use" },
  { pricing: "committed-3y", label: "3-year committed use" },
  { pricing: "spot", label: "spot (can be reclaimed at any time)" },
];

/** Solves the same spec under each scenario with the same optimiser. Scenarios that cannot exist say why. */
export async function compareScenarios(
  spec: FleetSpec,
  catalog: Catalog,
  deployed: DeployedFleet = NOTHING_DEPLOYED,
): Promise<Comparison> {
  const rows: Scenario[] = [
    ...(await singleCloudRows(spec, catalog)),
    ...(await yourPolicyRows(spec, catalog, deployed)),
    ...(await operatorCapRows(spec, catalog)),
    ...(await cloudActRows(spec, catalog)),
  ];
  setPremiums(rows);
  return { fleet: spec.name, scenarios: rows };
}

/** The spec's client cap alone: the baselines and the operator sweep keep it and drop every other rule. */
function clientCapOnly(spec: FleetSpec): Policy {
  const clientCap = spec.policy.maxShare?.client;
  return clientCap === undefined ? {} : { maxShare: { client: clientCap } };
}

/** The baselines: what most teams run today, one cloud in one region or spread over its regions. */
async function singleCloudRows(spec: FleetSpec, catalog: Catalog): Promise<Scenario[]> {
  const clientOnly = clientCapOnly(spec);
  // What most teams run today: the cheapest single cloud region (best of every allowed cloud region).
  const singleRegion = CLOUD_PROVIDERS.flatMap((p) => (spec.sites[p]?.regions ?? []).map((r) => ({ p, r })));
  const oneRegion = await bestOf(
    "single cloud, one region",
    "all nodes in the cheapest single cloud region the spec allows; no diversity rules",
    singleRegion.map(({ p, r }) => ({
      sites: { [p]: { regions: [r] } } as Sites,
      policy: clientOnly,
      floors: "none" as const,
    })),
    spec,
    catalog,
    "the spec allows no cloud region (sites.aws/gcp/azure)",
  );
  // Multi-region as teams do it: one cloud, nodes spread so that losing any one region leaves each chain running.
  const multiRegion = await bestOf(
    "single cloud, multi-region",
    "the cheapest single cloud, spread over its allowed regions so each chain survives the loss of any one region",
    CLOUD_PROVIDERS.filter((p) => spec.sites[p]).map((p) => ({
      sites: { [p]: spec.sites[p] } as Sites,
      policy: { ...clientOnly, survive: { operatorLoss: 0, regionLoss: 1, minNodes: 1 } },
      floors: "region" as const,
    })),
    spec,
    catalog,
    "the spec allows no cloud provider",
  );
  return [oneRegion, multiRegion];
}

/** The spec as written (deployed nodes kept in place), then bought under each other purchase option. */
async function yourPolicyRows(spec: FleetSpec, catalog: Catalog, deployed: DeployedFleet): Promise<Scenario[]> {
  const rows = [
    await solve(
      {
        name: "your policy",
        description: `the spec as written: every site, every rule, the budget${deployed.previous.length ? "; deployed nodes and gateways stay in place, as in pulumi up" : ""}`,
        sites: spec.sites,
        policy: spec.policy,
        budget: spec.budget,
        deployed,
      },
      spec,
      catalog,
    ),
  ];
  for (const { pricing, label } of PRICING_ROWS.filter((r) => r.pricing !== (spec.pricing ?? "on-demand"))) {
    rows.push(
      await solve(
        {
          name: `your policy, ${pricing}`,
          description: `the spec as written, cloud compute bought as ${label}; no budget`,
          sites: spec.sites,
          policy: spec.policy,
          pricing,
        },
        spec,
        catalog,
      ),
    );
  }
  return rows;
}

/** Every allowed site under a tighter and tighter cap on one operator's share (and the spec's client cap). */
async function operatorCapRows(spec: FleetSpec, catalog: Catalog): Promise<Scenario[]> {
  const clientCap = spec.policy.maxShare?.client;
  const rows: Scenario[] = [];
  for (const cap of OPERATOR_CAP_SWEEP) {
    rows.push(
      await solve(
        {
          name: `operator cap ${Math.round(cap * 100)}%`,
          description: `every allowed site; no operator above ${Math.round(cap * 100)}% of a chain's nodes${clientCap !== undefined ? `; client cap ${clientCap}` : ""}`,
          sites: spec.sites,
          policy: { maxShare: { ...clientCapOnly(spec).maxShare, operator: cap } },
        },
        spec,
        catalog,
      ),
    );
  }
  return rows;
}

/** Legal independence on top of the user's own rules: each row is the spec with a tighter CLOUD Act cap. */
async function cloudActRows(spec: FleetSpec, catalog: Catalog): Promise<Scenario[]> {
  const rows: Scenario[] = [];
  for (const cap of CLOUD_ACT_CAP_SWEEP) {
    const percent = Math.round(cap * 100);
    rows.push(
      await solve(
        {
          name: `CLOUD Act cap ${percent}%`,
          description: `your policy, no budget, and at most ${percent}% of each chain's nodes (and of the gateways) on operators within the US CLOUD Act's reach (unknown legal homes, such as Akash providers, count as within)`,
          sites: spec.sites,
          policy: {
            ...spec.policy,
            maxShare: { ...spec.policy.maxShare, legal: { ...spec.policy.maxShare?.legal, [CLOUD_ACT]: cap } },
          },
        },
        spec,
        catalog,
      ),
    );
  }
  return rows;
}

/** Each feasible row's cost relative to the cheapest row and to the single-region baseline (the first row). */
function setPremiums(rows: Scenario[]): void {
  const cheapest = Math.min(...rows.flatMap((r) => (r.feasible && r.monthlyUsd !== null ? [r.monthlyUsd] : [])));
  const baseline = rows[0].monthlyUsd;
  const ratio = (x: number, base: number) => Math.round((x / base - 1) * 10000) / 10000;
  for (const r of rows) {
    if (!r.feasible || r.monthlyUsd === null) continue;
    r.premium = ratio(r.monthlyUsd, cheapest);
    r.vsSingleCloud = baseline === null ? null : ratio(r.monthlyUsd, baseline);
  }
}

async function bestOf(
  name: string,
  description: string,
  variants: Array<Omit<Variant, "name" | "description">>,
  spec: FleetSpec,
  catalog: Catalog,
  none: string,
): Promise<Scenario> {
  if (variants.length === 0) return infeasible(name, description, none, spec);
  const results = await Promise.all(variants.map((v) => solve({ name, description, ...v }, spec, catalog)));
  const feasible = results
    .flatMap((r) =>
      r.feasible && r.monthlyUsd !== null && r.plan ? [{ ...r, monthlyUsd: r.monthlyUsd, plan: r.plan }] : [],
    )
    .sort((a, b) => a.monthlyUsd - b.monthlyUsd);
  if (feasible.length) {
    const best = feasible[0];
    const where = [...new Set(best.plan.nodes.map((n) => n.provider))].join("+");
    return {
      ...best,
      description: `${description} (${where}: ${[...new Set(best.plan.nodes.map((n) => n.region))].join(", ")})`,
    };
  }
  // The variant with the most room (first of the list with the most sites) explains best.
  return infeasible(name, description, results[0].reason ?? none, spec);
}

async function solve(v: Variant, spec: FleetSpec, catalog: Catalog): Promise<Scenario> {
  const gateways = spec.gateways && v.sites !== spec.sites ? gatewaysWithin(spec.gateways, v.sites) : spec.gateways;
  const variantSpec: FleetSpec = {
    ...spec,
    sites: v.sites,
    policy: v.policy,
    budget: v.budget,
    pricing: v.pricing ?? spec.pricing,
    gateways,
    // A baseline's monitors go anywhere in its sites, like its gateways.
    monitoring: spec.monitoring && v.sites !== spec.sites ? { ...spec.monitoring, sites: undefined } : spec.monitoring,
  };
  try {
    const fleet = resolveFleet(variantSpec, catalog);
    if (fleet.access && v.floors && v.floors !== "all") {
      for (const group of fleet.access.groups)
        group.gateway.policy = accessPolicy(v.policy, fleet.access.minSurviving, v.floors, spec.gateways?.minOperators);
    }
    if (fleet.monitoring && v.floors && v.floors !== "all")
      fleet.monitoring.group.gateway.policy = accessPolicy({}, 1, v.floors);
    const plan = await planFleet(fleet, catalog, v.deployed ?? NOTHING_DEPLOYED);
    return {
      name: v.name,
      description: v.description,
      feasible: true,
      monthlyUsd: plan.totals.monthlyUsd,
      premium: null,
      vsSingleCloud: null,
      ...sovereignty(plan),
      ...(spec.gateways ? accessLayer(plan) : {}),
      plan,
    };
  } catch (e) {
    if (e instanceof InfeasibleError) return infeasible(v.name, v.description, e.reasons.join("; "), spec);
    throw e;
  }
}

function infeasible(name: string, description: string, reason: string, spec: FleetSpec): Scenario {
  return {
    name,
    description,
    feasible: false,
    monthlyUsd: null,
    premium: null,
    vsSingleCloud: null,
    maxOperatorShare: null,
    worstCaseSurvivingShare: null,
    cloudActShare: null,
    operators: null,
    ...(spec.gateways ? { accessMonthlyUsd: null, accessMaxOperatorShare: null } : {}),
    reason,
  };
}

/**
 * The spec's gateways in a single-cloud baseline: on any of the baseline's sites (its point is that
 * everything runs there), with backup upstreams only where the baseline has them.
 */
function gatewaysWithin(gateways: NonNullable<FleetSpec["gateways"]>, sites: Sites): FleetSpec["gateways"] {
  const ids = CLOUD_PROVIDERS.flatMap((p) => (sites[p]?.regions ?? []).map((r) => `${p}/${r}`));
  const { sites: _allowed, backup, ...rest } = gateways;
  const kept = backup?.filter((ref) => ids.some((id) => id === ref || id.split("/")[0] === ref));
  return { ...rest, ...(kept?.length ? { backup: kept } : {}) };
}

/** The access-layer columns of a plan. */
function accessLayer(plan: Plan) {
  let share = 0;
  for (const chains of new Set(plan.gateways.map((g) => g.chains.join()))) {
    const mine = plan.gateways.filter((g) => g.chains.join() === chains);
    share = Math.max(
      share,
      sharesBy(
        mine.map((g) => gatewayAsNode(g)),
        "operator",
      )[0].share,
    );
  }
  return { accessMonthlyUsd: plan.totals.gateways?.monthlyUsd ?? 0, accessMaxOperatorShare: round(share) };
}

/** The sovereignty columns of a plan. */
export function sovereignty(plan: Plan) {
  let maxOperatorShare = 0;
  let worstCaseSurvivingShare = 1;
  for (const nodes of groupByChain(plan.nodes).values()) {
    const worst = worstSingleLoss(nodes, "operator");
    maxOperatorShare = Math.max(maxOperatorShare, (nodes.length - worst.left) / nodes.length);
    worstCaseSurvivingShare = Math.min(worstCaseSurvivingShare, worst.left / nodes.length);
  }
  const r = (x: number) => Math.round(x * 10000) / 10000;
  return {
    maxOperatorShare: r(maxOperatorShare),
    worstCaseSurvivingShare: r(worstCaseSurvivingShare),
    cloudActShare: plan.metrics.fleet.cloudActShare,
    operators: plan.metrics.fleet.shares.operator.length,
  };
}
