import type { Catalog } from "../catalog/load";
import type { CostBreakdown, StorageChoice } from "../costs/options";
import {
  concentration, evaluatePolicy, groupByChain,
  type ConcentrationMetrics, type DiversityNode, type PolicyCheck,
} from "../diversity";
import { InfeasibleError } from "../errors";
import type { Fleet, NodeGroup, Site, SiteProvider } from "../spec/resolve";
import { candidatesFor, type Candidate } from "./candidates";
import { alternativesIn, sequenceFromCounts } from "./clients";
import { obviousReasons } from "./explain";
import { buildModel, RULE_FAMILIES, type Model, type RuleFamily } from "./model";
import { solveLp } from "./solve";

export interface PlannedNode extends DiversityNode {
  chain: string;
  network: string;
  role: string;
  provider: SiteProvider;
  site: string;
  /** Bare-metal host name, when on bare metal. */
  host?: string;
  country: string;
  shape: string;
  vcpu: number;
  memoryGb: number;
  storage: StorageChoice;
  monthlyUsd: number;
  cost: CostBreakdown;
  estimate: boolean;
  sources: string[];
}

export interface PlannedHost {
  name: string;
  operator: string;
  address: string;
  /** SSH connection details from the spec (the key comes from stack config). */
  ssh: { user: string; port: number };
  monthlyUsd: number;
  nodes: string[];
}

export interface Plan {
  fleet: string;
  nodes: PlannedNode[];
  hosts: PlannedHost[];
  totals: {
    monthlyUsd: number;
    breakdown: CostBreakdown;
    byChain: Record<string, number>;
    byOperator: Record<string, number>;
    byProvider: Record<string, number>;
    /** True when any figure in the total is an estimate. */
    estimate: boolean;
  };
  metrics: { fleet: ConcentrationMetrics; chains: Record<string, ConcentrationMetrics> };
  policy: { satisfied: boolean; checks: PolicyCheck[] };
  solver: { name: "HiGHS"; status: string; optimal: boolean; milliseconds: number; variables: number };
}

export interface PlanOptions {
  /** Rule families to leave out (used to explain infeasibility and for comparisons). */
  relaxed?: ReadonlySet<RuleFamily>;
  /** Skip the explanation search on infeasibility (faster; compare uses the first reason only). */
  explain?: boolean;
}

/** Places every node at least monthly cost under every rule, or throws InfeasibleError saying why. */
export async function planFleet(fleet: Fleet, catalog: Catalog, options: PlanOptions = {}): Promise<Plan> {
  const started = performance.now();
  const relaxed = options.relaxed ?? new Set<RuleFamily>();
  const candidates = candidatesFor(fleet, catalog);
  const obvious = obviousReasons(fleet, candidates, alternativesIn(catalog)).filter((r) => !relaxedReason(r, relaxed));
  if (obvious.length) throw new InfeasibleError(obvious);

  const model = buildModel(fleet, candidates.list, relaxed, alternativesIn(catalog));
  const solution = await solveLp(model.lp);
  if (solution.status !== "optimal") {
    if (solution.status === "other") throw new InfeasibleError([`the solver stopped without a plan (${solution.detail})`]);
    throw new InfeasibleError(options.explain === false ? ["no placement keeps every rule"] : await explainByRelaxing(fleet, catalog, relaxed));
  }

  const counts = candidates.list.map((_, i) => solution.values.get(model.columns[i]) ?? 0);
  const nodes = placeNodes(fleet, catalog, candidates.list, counts, clientSequences(fleet, model, solution.values));
  const hosts = priceHosts(fleet, nodes);
  const plan = assemble(fleet, catalog, nodes, hosts);
  plan.solver = { name: "HiGHS", status: solution.detail, optimal: true, milliseconds: Math.round(performance.now() - started), variables: model.columns.length };
  return plan;
}

function relaxedReason(reason: string, relaxed: ReadonlySet<RuleFamily>): boolean {
  return [...relaxed].some((family) => reason.includes(family.startsWith("survive") ? "survive." : family));
}

/**
 * Clients per node, by group and layer: the solver's counts where the client cap applies, else an
 * even round-robin over the allowed clients (continued across a chain's groups).
 */
function clientSequences(fleet: Fleet, model: Model, values: Map<string, number>): Map<number, Record<string, string[]>> {
  const sequences = new Map<number, Record<string, string[]>>();
  const offsets = new Map<string, number>();
  for (const group of fleet.groups) {
    const perLayer: Record<string, string[]> = {};
    for (const layer of Object.keys(group.clients)) {
      const solved = model.clientColumns.filter((c) => c.group === group.index && c.layer === layer);
      if (solved.length) {
        perLayer[layer] = sequenceFromCounts(solved.map((c) => ({ client: c.client, count: values.get(c.column) ?? 0 })));
        continue;
      }
      const key = `${group.chainKey}|${layer}`;
      const allowed = group.clients[layer];
      const offset = offsets.get(key) ?? 0;
      perLayer[layer] = Array.from({ length: group.count }, (_, i) => allowed[(i + offset) % allowed.length]);
      offsets.set(key, offset + group.count);
    }
    sequences.set(group.index, perLayer);
  }
  return sequences;
}

function nodeLabel(group: NodeGroup, catalog: Catalog, site: Site): string {
  const parts = [group.chain];
  if (catalog.chains.get(group.chain)!.networks[0] !== group.network) parts.push(group.network);
  if (group.role !== "full") parts.push(group.role);
  parts.push(site.host ? site.host.name : site.id.replace("/", "-"));
  return parts.join("-");
}

/** Turns the solved counts into named nodes; clients are handed out so that operators mix clients. */
function placeNodes(fleet: Fleet, catalog: Catalog, candidates: Candidate[], counts: number[], sequences: Map<number, Record<string, string[]>>): PlannedNode[] {
  const nodes: PlannedNode[] = [];
  // Entries of the same chain, network and role at the same site share a label: number on across them.
  const numbered = new Map<string, number>();
  for (const group of fleet.groups) {
    const slots: Array<{ candidate: Candidate; ordinal: number }> = [];
    const offsets = new Map<Candidate, number>();
    candidates.forEach((candidate, i) => {
      if (candidate.group !== group) return;
      const label = nodeLabel(group, catalog, candidate.site);
      offsets.set(candidate, numbered.get(label) ?? 0);
      numbered.set(label, (numbered.get(label) ?? 0) + counts[i]);
      for (let k = 1; k <= counts[i]; k++) slots.push({ candidate, ordinal: k });
    });
    // Interleave sites (1st of each site, then 2nd of each...) so round-robin clients differ per operator.
    slots.sort((a, b) => a.ordinal - b.ordinal || a.candidate.site.id.localeCompare(b.candidate.site.id));
    const seq = sequences.get(group.index)!;
    const placed: Array<PlannedNode & { ordinal: number }> = [];
    const handOut = Object.fromEntries(Object.entries(seq).map(([layer, list]) => [layer, spreadOverOperators(list, slots.map((s) => s.candidate.site.operator))]));
    slots.forEach(({ candidate, ordinal }, i) => {
      const { site, option } = candidate;
      const clients = Object.fromEntries(Object.entries(handOut).map(([layer, list]) => [layer, list[i]]));
      const h = site.host;
      placed.push({
        ordinal,
        id: `${nodeLabel(group, catalog, site)}-${offsets.get(candidate)! + ordinal}`,
        chainKey: group.chainKey, chain: group.chain, network: group.network, role: group.role, clients,
        provider: site.provider, site: site.id, host: h?.name, operator: site.operator, region: site.region,
        country: site.country, jurisdiction: site.jurisdiction, cloudAct: site.cloudAct,
        shape: option?.shape ?? `host:${h!.name}`,
        vcpu: option?.vcpu ?? group.profile.vcpu, memoryGb: option?.memoryGb ?? group.profile.memoryGb,
        storage: option?.storage ?? { class: `host-${h!.disk}`, sizeGb: group.profile.diskGb, iops: group.profile.iops, throughputMBps: group.profile.throughputMBps, local: true },
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

/**
 * Reorders a layer's client sequence (same clients, same counts, so the client cap still holds) so
 * that an operator's nodes run different clients where possible: one bug then never takes out all
 * of one company's nodes. Slot i goes to operators[i].
 */
export function spreadOverOperators(sequence: readonly string[], operators: readonly string[]): string[] {
  const left = [...sequence];
  const seen = new Map<string, Set<string>>();
  return operators.map((operator) => {
    const used = seen.get(operator) ?? new Set<string>();
    const pick = Math.max(0, left.findIndex((client) => !used.has(client)));
    const [client] = left.splice(pick, 1);
    used.add(client);
    seen.set(operator, used);
    return client;
  });
}

/** A host's price is shared evenly by its nodes (cents spread so the shares add up to the price). */
function priceHosts(fleet: Fleet, nodes: PlannedNode[]): PlannedHost[] {
  const hosts: PlannedHost[] = [];
  for (const site of fleet.sites) {
    if (!site.host) continue;
    const on = nodes.filter((n) => n.site === site.id);
    if (!on.length) continue;
    const cents = Math.round(site.host.monthlyUsd * 100);
    on.forEach((n, i) => {
      const share = (Math.floor(cents / on.length) + (i < cents % on.length ? 1 : 0)) / 100;
      n.monthlyUsd = share;
      n.cost = { compute: share, storage: 0, performance: 0, publicIp: 0, egress: 0, total: share };
    });
    hosts.push({ name: site.host.name, operator: site.operator, address: site.host.address, ssh: { user: site.host.ssh?.user ?? "root", port: site.host.ssh?.port ?? 22 }, monthlyUsd: site.host.monthlyUsd, nodes: on.map((n) => n.id) });
  }
  return hosts;
}

const cents = (x: number) => Math.round(x * 100) / 100;
const sumBy = (nodes: PlannedNode[], key: (n: PlannedNode) => string) => {
  const out: Record<string, number> = {};
  for (const n of nodes) out[key(n)] = cents((out[key(n)] ?? 0) + n.monthlyUsd);
  return out;
};

/** Costs, concentration metrics and the policy verdict of a set of placed nodes. */
export function assemble(fleet: Fleet, catalog: Catalog, nodes: PlannedNode[], hosts: PlannedHost[]): Plan {
  const breakdown: CostBreakdown = { compute: 0, storage: 0, performance: 0, publicIp: 0, egress: 0, total: 0 };
  for (const n of nodes) for (const k of Object.keys(breakdown) as Array<keyof CostBreakdown>) breakdown[k] = cents(breakdown[k] + n.cost[k]);
  const checks = evaluatePolicy(fleet.spec.policy, nodes, alternativesIn(catalog));
  const total = cents(nodes.reduce((a, n) => a + n.monthlyUsd, 0));
  const budget = fleet.spec.budget?.monthlyUsd;
  if (budget !== undefined) {
    checks.push({ rule: "budget.monthlyUsd", scope: "fleet", ok: total <= budget + 1e-6, limit: budget, actual: total, message: `the plan costs $${total.toFixed(2)}/month; the budget is $${budget}` });
  }
  const chains: Record<string, ConcentrationMetrics> = {};
  for (const [key, list] of groupByChain(nodes)) chains[key] = concentration(list);
  return {
    fleet: fleet.spec.name,
    nodes,
    hosts,
    totals: {
      monthlyUsd: total, breakdown,
      byChain: sumBy(nodes, (n) => n.chainKey), byOperator: sumBy(nodes, (n) => n.operator), byProvider: sumBy(nodes, (n) => n.provider),
      estimate: nodes.some((n) => n.estimate),
    },
    metrics: { fleet: concentration(nodes), chains },
    policy: { satisfied: checks.every((c) => c.ok), checks },
    solver: { name: "HiGHS", status: "assembled", optimal: false, milliseconds: 0, variables: 0 },
  };
}

/** Which single rule family, if dropped, would let a plan exist: the plain-words answer to "why not?". */
async function explainByRelaxing(fleet: Fleet, catalog: Catalog, alreadyRelaxed: ReadonlySet<RuleFamily>): Promise<string[]> {
  const candidates = candidatesFor(fleet, catalog).list;
  const active = RULE_FAMILIES.filter((f) => !alreadyRelaxed.has(f) && isActive(fleet, f));
  const reasons: string[] = [];
  for (const family of active) {
    const relaxed = new Set([...alreadyRelaxed, family]);
    const solution = await solveLp(buildModel(fleet, candidates, relaxed, alternativesIn(catalog)).lp);
    if (solution.status !== "optimal") continue;
    reasons.push(family === "budget"
      ? `budget.monthlyUsd ${fleet.spec.budget!.monthlyUsd} is below the cheapest plan that keeps every other rule: $${solution.objective.toFixed(2)}/month`
      : `${describeFamily(fleet, family)} cannot be kept together with the other rules; without it the cheapest plan costs $${solution.objective.toFixed(2)}/month`);
  }
  if (reasons.length === 0) {
    reasons.push(`the rules together leave no plan, and dropping any single one is not enough (active: ${active.map((f) => describeFamily(fleet, f)).join("; ")}); bare-metal host capacity may also be short`);
  }
  return reasons;
}

function isActive(fleet: Fleet, family: RuleFamily): boolean {
  const p = fleet.spec.policy;
  switch (family) {
    case "budget": return fleet.spec.budget !== undefined;
    case "minOperators": return (p.minOperators ?? 1) > 1;
    case "survive": return p.survive !== undefined;
    case "sites.maxNodes": return fleet.sites.some((s) => s.providerMaxNodes !== undefined || s.host?.maxNodes !== undefined);
    default: return p.maxShare?.[family.split(".")[1] as "operator"] !== undefined;
  }
}

function describeFamily(fleet: Fleet, family: RuleFamily): string {
  const p = fleet.spec.policy;
  switch (family) {
    case "budget": return `budget.monthlyUsd ${fleet.spec.budget?.monthlyUsd}`;
    case "minOperators": return `minOperators ${p.minOperators}`;
    case "survive": return `survive (${p.survive?.operatorLoss ? "operatorLoss 1, " : ""}${p.survive?.regionLoss ? "regionLoss 1, " : ""}minNodes ${p.survive?.minNodes})`;
    case "sites.maxNodes": return `the maxNodes caps (${fleet.sites.flatMap((s) => s.host?.maxNodes !== undefined ? [`host ${s.host.name}: ${s.host.maxNodes}`] : s.providerMaxNodes !== undefined ? [`${s.provider}: ${s.providerMaxNodes}`] : []).filter((x, i, a) => a.indexOf(x) === i).join(", ")})`;
    default: return `${family} ${p.maxShare?.[family.split(".")[1] as "operator"]}`;
  }
}

