import { alternativesIn, type Catalog } from "../catalog/load";
import type { AlternativesOf } from "../diversity";
import { InfeasibleError } from "../errors";
import { gatewayLabel, siteLabel } from "../layout/node-labels";
import {
  assemble,
  type Plan,
  type PlannedHost,
  type PlannedNode,
  type PreviousGateway,
  type PreviousNode,
} from "../plan";
import { withChecks } from "../plan/checks";
import { planRollout, rolloutChecks } from "../rollout";
import { BUDGET_TOLERANCE_USD, shareHostPrice, usd, withinBudget } from "../plan/money";
import { hostMonthlyUsd } from "../costs/hosts";
import type { Fleet, NodeGroup, Site } from "../fleet-spec/resolve";
import { candidatesFor, type Candidate } from "./candidates";
import { assignClients } from "./clients";
import { explainByRelaxing, obviousReasons, type Relaxation } from "./explain";
import { gatewayReasons, splitGateways, withGateways } from "./gateways";
import { buildModel, countsFrom, type Keep, type Model, type PackItem, type RuleFamily, type SiteClass } from "./model";
import { addSizedCuts, hostSize, patternCut, type SizedCut } from "./packing-cuts";
import { solveModel, WarmLinear, type Solution } from "./solve";
import { SSH_DEFAULTS } from "../layout/ssh";

/** Default of {@link PlanOptions.timeLimitSeconds}: long enough for thousands of sites, short enough for a CLI. */
export const DEFAULT_TIME_LIMIT_SECONDS = 30;

export interface PlanOptions {
  /** Rule families to leave out (used to explain infeasibility and for comparisons). */
  relaxed?: ReadonlySet<RuleFamily>;
  /** Skip the explanation search on infeasibility (faster; compare uses the first reason only). */
  explain?: boolean;
  /**
   * The deployed plan. Its nodes stay where they are and keep their clients whenever the rules
   * allow (growing a fleet then only adds nodes); if they cannot, the plan is made afresh and
   * `stability.moved` says so.
   */
  previous?: readonly PreviousNode[];
  /** The deployed plan's gateways: they stay at their sites whenever the rules allow, like nodes. */
  previousGateways?: readonly PreviousGateway[];
  /**
   * Wall-clock limit for the whole search, explanation included. A search stopped by it returns the
   * best plan found, with `solver.optimal` false and the proven `solver.gap`.
   * @default 30
   */
  timeLimitSeconds?: number;
  /**
   * false: every bare-metal host gets columns of its own (no classes of identical hosts), the model
   * the aggregated one must match in cost; for tests. @default true
   */
  aggregateHosts?: boolean;
}

/**
 * Places every node and gateway at least monthly cost under every rule, or throws InfeasibleError
 * saying why. Gateways are demand groups of the same model (core/planner/gateways.ts).
 */
export async function planFleet(fleet: Fleet, catalog: Catalog, options: PlanOptions = {}): Promise<Plan> {
  const started = performance.now();
  const limit = options.timeLimitSeconds ?? DEFAULT_TIME_LIMIT_SECONDS;
  const relaxed = options.relaxed ?? new Set<RuleFamily>();
  const alternatives = alternativesIn(catalog);
  const demand = withGateways(fleet);
  const candidates = candidatesFor(demand, catalog);
  const obvious = [
    ...obviousReasons(fleet, candidates, alternatives, relaxed),
    ...gatewayReasons(fleet, candidates, relaxed),
  ].filter((r) => !r.family || !relaxed.has(r.family));
  if (obvious.length) throw new InfeasibleError(obvious.map((r) => r.text));

  const previousNodes = options.previous ?? [];
  const previousGateways = options.previousGateways ?? [];
  // A gateway pins like a node without clients: its id keeps its site.
  const previous = new Map<string, PreviousNode>(
    [...previousNodes, ...previousGateways.map((g) => ({ ...g, clients: {} }))].map((n) => [n.id, n]),
  );
  const keep = previous.size ? keptCounts(demand, catalog, candidates.list, previous) : undefined;
  const placement = new Placement(demand, candidates.list, alternatives, started + limit * 1000);
  if (options.aggregateHosts === false) placement.alone(demand.sites);
  let result = await placement.solve(relaxed, keep);
  let moved = false;
  const budget = relaxed.has("budget") ? undefined : fleet.spec.budget?.monthlyUsd;
  const affordable = (r: Solved) =>
    r.counts !== undefined && (budget === undefined || withinBudget(r.solution.objective, budget));
  if (keep && !affordable(result)) {
    // Keeping every deployed node in place breaks a rule or the budget (or the spec shrank): plan afresh.
    moved = true;
    result = await placement.solve(relaxed);
  }
  const { solution, model, counts } = result;
  if (!counts || !affordable(result)) {
    if (solution.status === "limit") {
      throw new InfeasibleError([
        counts
          ? `the solver stopped at the time limit (${limit} s) with a plan of ${usd(solution.objective)}/month over the budget; raise timeLimitSeconds`
          : `the solver found no plan within the time limit (${limit} s); raise timeLimitSeconds`,
      ]);
    }
    if (solution.status === "other")
      throw new InfeasibleError([`the solver stopped without a plan (${solution.detail})`]);
    if (options.explain === false) throw new InfeasibleError(["no placement keeps every rule"]);
    // The solve had no budget row: it is the optimum without the budget, so the budget's part is known.
    const withoutBudget: Relaxation = counts ? { feasible: true, costUsd: solution.objective } : { feasible: false };
    const reasons = await explainByRelaxing(
      demand,
      (f) => f === "budget" || placement.model().lp.has(f),
      relaxed,
      (r, cutoff) => placement.relaxation(r, cutoff),
      withoutBudget,
    ).finally(() => placement.dispose());
    throw new InfeasibleError(reasons.map((r) => r.text));
  }

  const placed = placeNodes(
    demand,
    catalog,
    candidates.list,
    counts,
    relaxed.has("maxShare.client") ? [] : model.clientColumns,
    solution.values,
    previous,
  );
  const { nodes, gateways, monitors, hosts } = splitGateways(fleet, placed, priceHosts(fleet, placed));
  // A chain whose rollout would take more nodes down than survive allows breaks the policy here.
  const plan = withChecks(assemble(fleet, catalog, nodes, hosts, gateways, monitors), rolloutChecks(fleet, nodes));
  plan.rollout = planRollout(fleet, nodes);
  plan.solver = {
    name: "HiGHS",
    status: solution.detail,
    optimal: solution.status === "optimal",
    gap: solution.gap,
    milliseconds: Math.round(performance.now() - started),
    variables: model.lp.columns,
  };
  if (previous.size) {
    const kept = nodes.filter(
      (n) => previous.get(n.id)?.site === n.site && sameClients(previous.get(n.id)!.clients, n.clients),
    ).length;
    plan.stability = { previous: previousNodes.length, kept, moved };
    if (previousGateways.length) {
      const keptGateways = gateways.filter((g) => previous.get(g.id)?.site === g.site).length;
      plan.stability.gateways = { previous: previousGateways.length, kept: keptGateways };
    }
  }
  return plan;
}

interface Solved {
  model: Model;
  solution: Solution;
  counts?: number[];
}

/**
 * The solves of one planning run, sharing one deadline and one model build: identical hosts
 * aggregated (small; exact where a class is modelled by its host patterns, else a relaxation of the
 * real problem). When the optimum of a class without patterns does not pack onto its hosts one by
 * one, a cut or classes of their own for those hosts (exact) go into this and every later solve.
 */
class Placement {
  private readonly single = new Set<Site>();
  /** Rows found so far that cut off nodes a class of hosts cannot hold (added to every later model). */
  private readonly cuts: Array<SizedCut & { site: Site }> = [];
  private fresh?: Model;
  /** The explanation's linear relaxations, solved on one HiGHS model (of `model`) from basis to basis. */
  private linear?: { model: Model; relaxation: WarmLinear };

  constructor(
    private readonly fleet: Fleet,
    private readonly candidates: Candidate[],
    private readonly alternatives: AlternativesOf,
    private readonly deadline: number,
  ) {}

  /** Gives these sites classes of their own in every later model. */
  alone(sites: Iterable<Site>): void {
    for (const site of sites) this.single.add(site);
    this.fresh = undefined;
  }

  model(keep?: Keep): Model {
    const build = () => {
      const model = buildModel(this.fleet, this.candidates, this.alternatives, keep, this.single);
      addSizedCuts(model, this.cuts);
      return model;
    };
    return keep ? build() : (this.fresh ??= build());
  }

  /**
   * Whether a pattern cut proves that a class's rented hosts cannot hold its nodes; the cut is kept
   * (the class stays aggregated: one cheap solve more instead of a larger model for every later one).
   */
  private async refuted(k: SiteClass, items: PackItem[], rented: number): Promise<boolean> {
    const host = k.sites[0].host!;
    const cut = await patternCut(host, items, rented, async (lp) => {
      const r = await solveModel(lp.arrays(), { linearOnly: true, timeLimitSeconds: this.secondsLeft() });
      return r.status === "optimal" ? r.values : undefined;
    });
    if (cut) this.cuts.push({ size: hostSize(host), cut, site: k.sites[0] });
    return cut !== undefined;
  }

  async solve(relaxed: ReadonlySet<RuleFamily>, keep?: Keep, cutoffUsd?: number): Promise<Solved> {
    let lowerBound: number | undefined;
    for (;;) {
      const model = this.model(keep);
      // After a split the aggregated optimum bounds the exact one from below: a plan reaching it is optimal.
      const target = lowerBound === undefined ? undefined : lowerBound + BUDGET_TOLERANCE_USD;
      const solution = await solveModel(model.lp.arrays(relaxed), {
        timeLimitSeconds: this.secondsLeft(),
        objectiveBound: cutoffUsd,
        objectiveTarget: target,
      });
      if (solution.status === "target") Object.assign(solution, { status: "optimal", detail: "Optimal", gap: 0 });
      if (!solution.values.length) return { model, solution };
      const cuts = this.cuts.length;
      const result = await countsFrom(
        model,
        this.fleet,
        this.candidates,
        solution.values,
        () => this.secondsLeft(),
        (k, items, rented) => this.refuted(k, items, rented),
      );
      if ("counts" in result) return { model, solution, counts: result.counts };
      // Classes without a new cut (their nodes fit the packing's linear relaxation) go host by host: exact.
      const cut = new Set(this.cuts.slice(cuts).map((c) => c.site));
      for (const k of result.unpacked) if (!cut.has(k.sites[0])) this.alone(k.sites);
      this.fresh = undefined;
      if (solution.status === "optimal") lowerBound = solution.objective;
    }
  }

  /**
   * The optimum with `relaxed` dropped, for the explanation (a plan stopped by the time limit counts
   * as one). With a cutoff, a linear relaxation over it settles "no plan under the cutoff" unsolved.
   */
  async relaxation(relaxed: ReadonlySet<RuleFamily>, cutoffUsd?: number): Promise<Relaxation> {
    if (cutoffUsd !== undefined) {
      const bound = await this.linearBound(relaxed);
      if (
        bound.status === "infeasible" ||
        (bound.status === "optimal" && !withinBudget(bound.objective - BUDGET_TOLERANCE_USD, cutoffUsd))
      ) {
        return { feasible: false };
      }
    }
    const cutoff = cutoffUsd === undefined ? undefined : cutoffUsd + BUDGET_TOLERANCE_USD;
    const { solution, counts } = await this.solve(relaxed, undefined, cutoff);
    return counts ? { feasible: true, costUsd: solution.objective } : { feasible: false };
  }

  /** The linear relaxation's optimum with `relaxed` dropped, warm from the previous one of the same model. */
  private linearBound(relaxed: ReadonlySet<RuleFamily>): Promise<Pick<Solution, "status" | "objective">> {
    const model = this.model();
    if (this.linear?.model !== model) {
      void this.linear?.relaxation.dispose();
      this.linear = { model, relaxation: new WarmLinear(model.lp.arrays()) };
    }
    const { rowLower, rowUpper } = model.lp.rowBounds(relaxed);
    return this.linear.relaxation.solve(rowLower, rowUpper, this.secondsLeft());
  }

  /** Frees the solver memory the linear relaxations hold. */
  async dispose(): Promise<void> {
    await this.linear?.relaxation.dispose();
    this.linear = undefined;
  }

  private secondsLeft(): number {
    return Math.max(0.05, (this.deadline - performance.now()) / 1000);
  }
}

const sameClients = (a: Record<string, string>, b: Record<string, string>) =>
  Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([k, v]) => b[k] === v);

/**
 * What the deployed plan pins: nodes per candidate (its site keeps at least as many of the entry's
 * nodes, so their ids survive) and clients per entry and layer (as many as ran each client).
 */
function keptCounts(
  fleet: Fleet,
  catalog: Catalog,
  candidates: Candidate[],
  previous: Map<string, PreviousNode>,
): Keep {
  const nodes = new Map<number, number>();
  const clients = new Map<string, number>();
  const claimed = new Set<string>();
  const atSite = new Map<string, PreviousNode[]>();
  for (const n of previous.values()) atSite.set(n.site, [...(atSite.get(n.site) ?? []), n]);
  const byGroup = new Map<NodeGroup, number[]>();
  candidates.forEach((c, i) => {
    if (atSite.has(c.site.id)) byGroup.set(c.group, [...(byGroup.get(c.group) ?? []), i]);
  });
  for (const group of fleet.groups) {
    let pinned = 0;
    const groupNodes: PreviousNode[] = [];
    for (const i of byGroup.get(group) ?? []) {
      const c = candidates[i];
      const label = new RegExp(`^${escape(nodeLabel(group, catalog, c.site))}-\\d+$`);
      const here = atSite.get(c.site.id)!.filter((n) => !claimed.has(n.id) && label.test(n.id));
      const take = here.slice(0, Math.max(0, group.count - pinned));
      take.forEach((n) => claimed.add(n.id));
      pinned += take.length;
      groupNodes.push(...take);
      if (take.length) nodes.set(i, take.length);
    }
    for (const n of groupNodes) {
      for (const [layer, client] of Object.entries(n.clients)) {
        const key = `${group.index}|${layer}|${client}`;
        clients.set(key, (clients.get(key) ?? 0) + 1);
      }
    }
  }
  return { nodes, clients };
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

function nodeLabel(group: NodeGroup, catalog: Catalog, site: Site): string {
  if (group.gateway?.kind === "monitor") return `monitor-${siteLabel(site)}`;
  if (group.gateway) return gatewayLabel(group.gateway.label, site);
  const parts = [group.chain];
  if (catalog.chains.get(group.chain)!.networks[0] !== group.network) parts.push(group.network);
  if (group.role !== "full") parts.push(group.role);
  parts.push(siteLabel(site));
  return parts.join("-");
}

/** Turns the solved counts into named nodes; clients are handed out so that operators mix clients. */
function placeNodes(
  fleet: Fleet,
  catalog: Catalog,
  candidates: Candidate[],
  counts: number[],
  clientColumns: Model["clientColumns"],
  values: Float64Array,
  previous: Map<string, PreviousNode>,
): PlannedNode[] {
  const nodes: PlannedNode[] = [];
  const usage = new Map<string, Map<string, number>>(); // `${chainKey}|${layer}` -> client -> nodes
  // Entries of the same chain, network and role at the same site share a label: number on across them.
  const numbered = new Map<string, number>();
  const used = new Map<NodeGroup, number[]>();
  counts.forEach((count, i) => {
    if (count > 0) used.set(candidates[i].group, [...(used.get(candidates[i].group) ?? []), i]);
  });
  for (const group of fleet.groups) {
    const slots: Array<{ candidate: Candidate; ordinal: number }> = [];
    const offsets = new Map<Candidate, number>();
    const labels = new Map<Candidate, string>();
    (used.get(group) ?? []).forEach((i) => {
      const candidate = candidates[i];
      const label = nodeLabel(group, catalog, candidate.site);
      labels.set(candidate, label);
      offsets.set(candidate, numbered.get(label) ?? 0);
      numbered.set(label, (numbered.get(label) ?? 0) + counts[i]);
      for (let k = 1; k <= counts[i]; k++) slots.push({ candidate, ordinal: k });
    });
    // Interleave sites (1st of each site, then 2nd of each...) so round-robin clients differ per operator.
    slots.sort((a, b) => a.ordinal - b.ordinal || a.candidate.site.id.localeCompare(b.candidate.site.id));
    const ids = slots.map(({ candidate, ordinal }) => `${labels.get(candidate)}-${offsets.get(candidate)! + ordinal}`);
    const handOut: Record<string, string[]> = {};
    for (const [layer, allowed] of Object.entries(group.clients)) {
      const solved = clientColumns.filter((c) => c.group === group.index && c.layer === layer);
      const budget = solved.length ? new Map(solved.map((c) => [c.client, values[c.column] ?? 0])) : undefined;
      const key = `${group.chainKey}|${layer}`;
      if (!usage.has(key)) usage.set(key, new Map());
      handOut[layer] = assignClients(
        slots.map(({ candidate }, i) => ({
          operator: candidate.site.operator,
          previous: previous.get(ids[i])?.site === candidate.site.id ? previous.get(ids[i])!.clients[layer] : undefined,
          refuses: candidate.refuses,
        })),
        allowed,
        budget,
        usage.get(key)!,
      );
    }
    const placed: Array<PlannedNode & { ordinal: number }> = [];
    slots.forEach(({ candidate, ordinal }, i) => {
      const { site, option } = candidate;
      const clients = Object.fromEntries(Object.entries(handOut).map(([layer, list]) => [layer, list[i]]));
      const h = site.host;
      placed.push({
        ordinal,
        id: ids[i],
        chainKey: group.chainKey,
        chain: group.chain,
        network: group.network,
        role: group.role,
        clients,
        provider: site.provider,
        site: site.id,
        host: h?.name,
        operator: site.operator,
        region: site.region,
        country: site.country,
        jurisdiction: site.jurisdiction,
        cloudAct: site.cloudAct,
        legal: site.legal,
        ...(option ? { shape: option.shape } : {}),
        vcpu: option?.vcpu ?? group.profile.vcpu,
        memoryGb: option?.memoryGb ?? group.profile.memoryGb,
        storage: option?.storage ?? {
          class: `host-${h!.disk}`,
          sizeGb: group.profile.diskGb,
          iops: group.profile.iops,
          throughputMBps: group.profile.throughputMBps,
          local: true,
        },
        monthlyUsd: option?.cost.total ?? 0,
        cost: option?.cost ?? { compute: 0, storage: 0, performance: 0, publicIp: 0, egress: 0, total: 0 },
        estimate: option?.estimate ?? false,
        sources: option?.sources ?? [`host price from the spec (sites.baremetal.hosts ${h!.name})`],
      });
    });
    placed.sort((a, b) => a.site.localeCompare(b.site) || a.ordinal - b.ordinal);
    nodes.push(...placed.map(({ ordinal: _ordinal, ...node }) => node));
  }
  return nodes;
}

/** A host's price is shared evenly by its nodes ({@link shareHostPrice}: the shares add up to the price). */
function priceHosts(fleet: Fleet, nodes: PlannedNode[]): PlannedHost[] {
  const hosts: PlannedHost[] = [];
  const bySite = new Map<string, PlannedNode[]>();
  for (const n of nodes) if (n.host !== undefined) bySite.set(n.site, [...(bySite.get(n.site) ?? []), n]);
  for (const site of fleet.sites) {
    if (!site.host) continue;
    const on = bySite.get(site.id);
    if (!on) continue;
    const shares = shareHostPrice(hostMonthlyUsd(site.host), on.length);
    on.forEach((n, i) => {
      n.monthlyUsd = shares[i];
      n.cost = { compute: shares[i], storage: 0, performance: 0, publicIp: 0, egress: 0, total: shares[i] };
    });
    hosts.push({
      name: site.host.name,
      operator: site.operator,
      address: site.host.address,
      ssh: {
        user: site.host.ssh?.user ?? SSH_DEFAULTS.user,
        port: site.host.ssh?.port ?? SSH_DEFAULTS.port,
        hostKey: site.host.ssh?.hostKey,
      },
      monthlyUsd: hostMonthlyUsd(site.host),
      nodes: on.map((n) => n.id),
    });
  }
  return hosts;
}
