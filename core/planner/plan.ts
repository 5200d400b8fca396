import { alternativesIn, type Catalog } from "../catalog/load";
import { InfeasibleError } from "../errors";
import { assemble, type Plan, type PlannedHost, type PlannedNode, type PreviousNode } from "../plan";
import type { Fleet, NodeGroup, Site } from "../fleet-spec/resolve";
import { candidatesFor, type Candidate } from "./candidates";
import { assignClients } from "./clients";
import { obviousReasons } from "./explain";
import { buildModel, RULE_FAMILIES, type Keep, type Model, type RuleFamily } from "./model";
import { solveLp } from "./solve";

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
}

/** Places every node at least monthly cost under every rule, or throws InfeasibleError saying why. */
export async function planFleet(fleet: Fleet, catalog: Catalog, options: PlanOptions = {}): Promise<Plan> {
  const started = performance.now();
  const relaxed = options.relaxed ?? new Set<RuleFamily>();
  const alternatives = alternativesIn(catalog);
  const candidates = candidatesFor(fleet, catalog);
  const obvious = obviousReasons(fleet, candidates, alternatives).filter((r) => !relaxedReason(r, relaxed));
  if (obvious.length) throw new InfeasibleError(obvious);

  const previous = new Map((options.previous ?? []).map((n) => [n.id, n]));
  const keep = previous.size ? keptCounts(fleet, catalog, candidates.list, previous) : undefined;
  let model = buildModel(fleet, candidates.list, relaxed, alternatives, keep);
  let solution = await solveLp(model.lp);
  let moved = false;
  if (keep && solution.status !== "optimal") {
    // Keeping every deployed node in place breaks a rule (or the spec shrank): plan afresh.
    moved = true;
    model = buildModel(fleet, candidates.list, relaxed, alternatives);
    solution = await solveLp(model.lp);
  }
  if (solution.status !== "optimal") {
    if (solution.status === "other") throw new InfeasibleError([`the solver stopped without a plan (${solution.detail})`]);
    throw new InfeasibleError(options.explain === false ? ["no placement keeps every rule"] : await explainByRelaxing(fleet, catalog, relaxed));
  }

  const counts = candidates.list.map((_, i) => solution.values.get(model.columns[i]) ?? 0);
  const nodes = placeNodes(fleet, catalog, candidates.list, counts, model, solution.values, previous);
  const hosts = priceHosts(fleet, nodes);
  const plan = assemble(fleet, catalog, nodes, hosts);
  plan.solver = { name: "HiGHS", status: solution.detail, optimal: true, milliseconds: Math.round(performance.now() - started), variables: model.columns.length };
  if (previous.size) {
    const kept = nodes.filter((n) => previous.get(n.id)?.site === n.site && sameClients(previous.get(n.id)!.clients, n.clients)).length;
    plan.stability = { previous: previous.size, kept, moved };
  }
  return plan;
}

const sameClients = (a: Record<string, string>, b: Record<string, string>) =>
  Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([k, v]) => b[k] === v);

/**
 * What the deployed plan pins: nodes per candidate (its site keeps at least as many of the entry's
 * nodes, so their ids survive) and clients per entry and layer (as many as ran each client).
 */
function keptCounts(fleet: Fleet, catalog: Catalog, candidates: Candidate[], previous: Map<string, PreviousNode>): Keep {
  const nodes = new Map<number, number>();
  const clients = new Map<string, number>();
  const claimed = new Set<string>();
  for (const group of fleet.groups) {
    let pinned = 0;
    const groupNodes: PreviousNode[] = [];
    candidates.forEach((c, i) => {
      if (c.group !== group) return;
      const label = nodeLabel(group, catalog, c.site);
      const here = [...previous.values()].filter((n) => !claimed.has(n.id) && n.site === c.site.id && new RegExp(`^${escape(label)}-\\d+$`).test(n.id));
      const take = here.slice(0, Math.max(0, group.count - pinned));
      take.forEach((n) => claimed.add(n.id));
      pinned += take.length;
      groupNodes.push(...take);
      if (take.length) nodes.set(i, take.length);
    });
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

function relaxedReason(reason: string, relaxed: ReadonlySet<RuleFamily>): boolean {
  return [...relaxed].some((family) => reason.includes(family.startsWith("survive") ? "survive." : family));
}

function nodeLabel(group: NodeGroup, catalog: Catalog, site: Site): string {
  const parts = [group.chain];
  if (catalog.chains.get(group.chain)!.networks[0] !== group.network) parts.push(group.network);
  if (group.role !== "full") parts.push(group.role);
  parts.push(site.host ? site.host.name : site.id.replace("/", "-"));
  return parts.join("-");
}

/** Turns the solved counts into named nodes; clients are handed out so that operators mix clients. */
function placeNodes(fleet: Fleet, catalog: Catalog, candidates: Candidate[], counts: number[], model: Model, values: Map<string, number>, previous: Map<string, PreviousNode>): PlannedNode[] {
  const nodes: PlannedNode[] = [];
  const usage = new Map<string, Map<string, number>>(); // `${chainKey}|${layer}` -> client -> nodes
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
    const ids = slots.map(({ candidate, ordinal }) => `${nodeLabel(group, catalog, candidate.site)}-${offsets.get(candidate)! + ordinal}`);
    const handOut: Record<string, string[]> = {};
    for (const [layer, allowed] of Object.entries(group.clients)) {
      const solved = model.clientColumns.filter((c) => c.group === group.index && c.layer === layer);
      const budget = solved.length ? new Map(solved.map((c) => [c.client, values.get(c.column) ?? 0])) : undefined;
      const key = `${group.chainKey}|${layer}`;
      if (!usage.has(key)) usage.set(key, new Map());
      handOut[layer] = assignClients(
        slots.map(({ candidate }, i) => ({ operator: candidate.site.operator, previous: previous.get(ids[i])?.site === candidate.site.id ? previous.get(ids[i])!.clients[layer] : undefined })),
        allowed, budget, usage.get(key)!,
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
    hosts.push({ name: site.host.name, operator: site.operator, address: site.host.address, ssh: { user: site.host.ssh?.user ?? "root", port: site.host.ssh?.port ?? 22, hostKey: site.host.ssh?.hostKey }, monthlyUsd: site.host.monthlyUsd, nodes: on.map((n) => n.id) });
  }
  return hosts;
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
    reasons.push(active.length
      ? `the rules together leave no plan, and dropping any single one is not enough (active: ${active.map((f) => describeFamily(fleet, f)).join("; ")}); bare-metal host capacity (CPU, memory, disk, P2P ports) may also be short`
      : "the allowed sites cannot hold the nodes: bare-metal host capacity (CPU, memory, disk, one node per P2P port) is short — add hosts or sites");
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

