import { allowedCount, type AlternativesOf } from "../diversity";
import { hostMonthlyUsd } from "../costs/hosts";
import type { Fleet, NodeGroup, Site } from "../fleet-spec/resolve";
import { money } from "../plan/money";
import type { Candidate } from "./candidates";
import { Lp, type Term } from "./lp";
import { legalLimits, PLACE_DIMENSIONS, policyOf, rowFamily, valueLimits, type RuleFamily } from "./limits";
import { packExactly, packHosts } from "./pack";
import { cutTerms, hostCuts } from "./packing-cuts";
import { packByPatterns, patternRows, type PatternCache, type PatternClass } from "./host-patterns";

export { RULE_FAMILIES, type RuleFamily } from "./limits";

/** Lower bounds that keep a deployed plan: nodes per candidate index, clients per `group|layer|client`. */
export interface Keep {
  nodes: Map<number, number>;
  clients: Map<string, number>;
}

/** An integer column counting a group's nodes that run one client of one layer. */
export interface ClientColumn {
  group: number;
  layer: string;
  client: string;
  column: number;
}

/**
 * Sites the model treats as one: a cloud region or Akash alone, or bare-metal hosts identical in
 * everything the rules and prices read (the solver picks how many of them to rent, not which).
 */
export interface SiteClass {
  sites: Site[];
  /** Bare metal: the column counting rented hosts of the class. */
  rented?: number;
  /** Several hosts modelled by the patterns one holds (exact); without it, capacity rows and packing checks. */
  patterns?: PatternClass;
}

/** A column: nodes of one group at one site class. */
export interface Slot {
  group: NodeGroup;
  siteClass: SiteClass;
  /** Candidate indices, one per site of the class. */
  candidates: number[];
  column: number;
}

export interface Model {
  lp: Lp<RuleFamily>;
  slots: Slot[];
  classes: SiteClass[];
  /** Client counts, for the layers under the client cap (other layers are spread round-robin). */
  clientColumns: ClientColumn[];
}

/**
 * The placement MILP. Integer x[g,k] = nodes of group g at site class k; integer u[k] = hosts of
 * bare-metal class k rented; binary z[q,o] = chain q uses operator o (only for minOperators).
 * Minimise cloud/Akash node prices + host prices. Each rule family adds its rows (tagged with the
 * family, so a relaxation frees them without a rebuild); every step is linear in the model's size.
 * The budget is no row: the planner holds the optimum to it with the plan's own check (money.ts),
 * so the model and the check cannot disagree.
 * Hosts in `alone` (and hosts a deployed plan pins) get a class of their own: exact without packing.
 * A class of several hosts is modelled by the patterns one host holds (host-patterns.ts): exact too,
 * so one solve settles it. Only where those are too many, or a maxNodes cap (a rule the explanation
 * relaxes, which patterns would bake in) binds the hosts, does a class get capacity rows, which its
 * nodes can overfill (countsFrom then checks the packing).
 */
export function buildModel(
  fleet: Fleet,
  candidates: Candidate[],
  alternatives: AlternativesOf = () => 0,
  keep?: Keep,
  alone: ReadonlySet<Site> = new Set(),
): Model {
  const lp = new Lp<RuleFamily>();
  const pinned = new Set([...alone, ...(keep ? [...keep.nodes.keys()].map((i) => candidates[i].site) : [])]);
  const classes = siteClasses(candidates, pinned);
  const slots = placementColumns(lp, fleet, candidates, classes, keep);
  for (const k of classes)
    if (k.sites[0].host) k.rented = lp.column(money(hostMonthlyUsd(k.sites[0].host)), 0, k.sites.length);
  const chains = chainsOf(fleet);

  countRows(lp, fleet, slots);
  shareRows(lp, fleet, slots, chains);
  legalRows(lp, fleet, slots, chains);
  minOperatorRows(lp, fleet, slots);
  const clientColumns = clientRows(lp, fleet, alternatives, chains, keep);
  refusedClientRows(lp, clientColumns, slots, candidates);
  hostRows(lp, fleet, slots, classes);
  quotaRows(lp, slots);
  return { lp, slots, classes, clientColumns };
}

/** Nodes of one group for a class of hosts to hold. */
export type PackItem = { group: NodeGroup; count: number };

/** Nodes per candidate, or the classes of identical hosts whose nodes do not pack onto them one by one. */
export type Counts = { counts: number[] } | { unpacked: SiteClass[] };

/**
 * Nodes per candidate from solved column values. A class of identical hosts gets its nodes host by
 * host: read off its patterns, else first fit, else an exact packing solve. Capacity rows only bound
 * a class's totals, so a class without patterns can fail to pack: the planner then cuts those nodes
 * off or gives its hosts classes of their own, and solves again.
 */
export async function countsFrom(
  model: Model,
  fleet: Fleet,
  candidates: Candidate[],
  values: Float64Array,
  timeLimitSeconds: () => number,
  refuted: (k: SiteClass, items: PackItem[], rented: number) => Promise<boolean> = async () => false,
): Promise<Counts> {
  const counts = candidates.map(() => 0);
  const byClass = new Map<SiteClass, Slot[]>();
  for (const slot of model.slots) {
    if (slot.candidates.length === 1) counts[slot.candidates[0]] = values[slot.column];
    else push(byClass, slot.siteClass, slot);
  }
  const unpacked: SiteClass[] = [];
  for (const [k, slots] of byClass) {
    // The solver rents values[rented] hosts of the class: the first ones in spec order take the nodes.
    const rented = k.sites.slice(0, values[k.rented!]);
    const hosts = rented.map((s) => s.host!);
    const position = new Map(rented.map((s, h) => [s, h]));
    const place = (packed: number[][]) =>
      slots.forEach((slot, j) =>
        slot.candidates.forEach((c) => {
          const h = position.get(candidates[c].site);
          if (h !== undefined) counts[c] = packed[h][j];
        }),
      );
    const items = slots.map((s) => ({ group: s.group, count: values[s.column] }));
    if (k.patterns) {
      place(packByPatterns(k.patterns, rented.length, items, values));
      continue;
    }
    // A cut that proves the nodes do not fit saves the exact packing's search (which can take long to say no).
    const packed =
      packHosts(hosts, items) ??
      ((await refuted(k, items, rented.length))
        ? undefined
        : await packExactly(hosts, items, portCliques(fleet.groups), timeLimitSeconds()));
    if (packed) place(packed);
    else unpacked.push(k);
  }
  return unpacked.length ? { unpacked } : { counts };
}

/** Classes of sites: bare-metal hosts with the same facts share one (unless pinned by a deployed plan). */
function siteClasses(candidates: Candidate[], pinned: ReadonlySet<Site>): SiteClass[] {
  const classes: SiteClass[] = [];
  const byKey = new Map<string, SiteClass>();
  for (const site of new Set(candidates.map((c) => c.site))) {
    const h = site.host;
    if (!h || pinned.has(site)) {
      classes.push({ sites: [site] });
      continue;
    }
    const key = JSON.stringify([
      site.operator,
      site.region,
      site.country,
      site.jurisdiction,
      site.legal,
      h.cpu,
      h.memoryGb,
      h.diskGb,
      h.disk,
      h.maxNodes,
      money(h.monthlyUsd),
    ]);
    const k = byKey.get(key);
    if (k) k.sites.push(site);
    else {
      const fresh = { sites: [site] };
      byKey.set(key, fresh);
      classes.push(fresh);
    }
  }
  return classes;
}

/** One integer column per group and site class it fits, bounded by the group's count (and the keep). */
function placementColumns(
  lp: Lp<RuleFamily>,
  fleet: Fleet,
  candidates: Candidate[],
  classes: SiteClass[],
  keep?: Keep,
): Slot[] {
  const classOf = new Map<Site, SiteClass>();
  for (const k of classes) for (const s of k.sites) classOf.set(s, k);
  const slotOf = new Map<NodeGroup, Map<SiteClass, Slot>>(fleet.groups.map((g) => [g, new Map()]));
  const slots: Slot[] = [];
  candidates.forEach((c, i) => {
    const k = classOf.get(c.site)!;
    const bySite = slotOf.get(c.group)!;
    let slot = bySite.get(k);
    if (!slot) {
      slot = { group: c.group, siteClass: k, candidates: [], column: lp.column(c.unitUsd, 0, c.group.count) };
      bySite.set(k, slot);
      slots.push(slot);
    }
    slot.candidates.push(i);
    const kept = keep?.nodes.get(i);
    if (kept) lp.atLeastOn(slot.column, kept);
  });
  return slots;
}

/** Nodes per chain key, in spec order. */
function chainsOf(fleet: Fleet): Map<string, number> {
  const totals = new Map<string, number>();
  for (const g of fleet.groups) totals.set(g.chainKey, (totals.get(g.chainKey) ?? 0) + g.count);
  return totals;
}

/** Every group gets exactly its count. */
function countRows(lp: Lp<RuleFamily>, fleet: Fleet, slots: Slot[]): void {
  const terms = new Map<NodeGroup, Term[]>(fleet.groups.map((g) => [g, []]));
  for (const s of slots) terms.get(s.group)!.push([s.column, 1]);
  for (const g of fleet.groups) lp.equal(terms.get(g)!, g.count);
}

/** maxShare.operator/region/jurisdiction and survive: one row per rule, chain and value of the dimension. */
function shareRows(lp: Lp<RuleFamily>, fleet: Fleet, slots: Slot[], chains: Map<string, number>): void {
  for (const dim of PLACE_DIMENSIONS) {
    const byValue = new Map<string, Map<string, Term[]>>();
    for (const s of slots) push(nested(byValue, s.group.chainKey), s.siteClass.sites[0][dim], [s.column, 1]);
    for (const [chainKey, values] of byValue) {
      for (const { family, limit } of valueLimits(policyOf(fleet, chainKey), dim, chains.get(chainKey)!)) {
        const tag = rowFamily(fleet, chainKey, family);
        for (const terms of values.values()) lp.atMost(terms, Math.max(0, limit), tag);
      }
    }
  }
}

/** maxShare.legal: per chain and capped regime, one row over the nodes at sites within its reach. */
function legalRows(lp: Lp<RuleFamily>, fleet: Fleet, slots: Slot[], chains: Map<string, number>): void {
  for (const [chainKey, total] of chains) {
    const mine = slots.filter((s) => s.group.chainKey === chainKey);
    for (const { regime, limit } of legalLimits(policyOf(fleet, chainKey), total)) {
      const within = mine.filter((s) => s.siteClass.sites[0].legal.includes(regime));
      if (within.length === 0) continue;
      lp.atMost(
        within.map((s): Term => [s.column, 1]),
        limit,
        "maxShare.legal",
      );
    }
  }
}

/**
 * minOperators: z[q,o] may be 1 only if chain q has a node at operator o; at least minOperators of
 * them. Gateways have a floor of their own (two operators) that no relaxation drops; a higher
 * spec minOperators is a second, relaxable row on the same z columns.
 */
function minOperatorRows(lp: Lp<RuleFamily>, fleet: Fleet, slots: Slot[]): void {
  const byChain = new Map<string, Map<string, Term[]>>();
  for (const s of slots) push(nested(byChain, s.group.chainKey), s.siteClass.sites[0].operator, [s.column, 1]);
  for (const [chainKey, byOperator] of byChain) {
    const minOps = policyOf(fleet, chainKey).minOperators ?? 1;
    if (minOps <= 1) continue;
    const floor = fleet.groups.find((g) => g.chainKey === chainKey)?.gateway && minOps >= 2 ? 2 : 0;
    const family = floor ? undefined : "minOperators";
    const uses: Term[] = [];
    for (const terms of byOperator.values()) {
      const z = lp.column(0, 0, 1);
      lp.atLeast([...terms, [z, -1]], 0, family);
      uses.push([z, 1]);
    }
    if (floor) lp.atLeast(uses, floor);
    if (minOps > floor) lp.atLeast(uses, minOps, "minOperators");
  }
}

/**
 * maxShare.client, per chain and layer where the catalog knows several implementations: integer
 * y[g,layer,client] counts a group's nodes running that client (placement does not depend on it).
 */
function clientRows(
  lp: Lp<RuleFamily>,
  fleet: Fleet,
  alternatives: AlternativesOf,
  chains: Map<string, number>,
  keep?: Keep,
): ClientColumn[] {
  const cap = fleet.spec.policy.maxShare?.client;
  if (cap === undefined) return [];
  const columns: ClientColumn[] = [];
  const perClient = new Map<string, Map<string, Map<string, Term[]>>>(); // chain -> layer -> client -> terms
  for (const group of fleet.groups) {
    for (const [layer, allowed] of Object.entries(group.clients)) {
      if (alternatives(group.chainKey, layer) < 2) continue;
      const clients = nested(nested(perClient, group.chainKey), layer);
      const terms: Term[] = [];
      for (const client of allowed) {
        const column = lp.column(
          0,
          Math.min(keep?.clients.get(`${group.index}|${layer}|${client}`) ?? 0, group.count),
          group.count,
        );
        columns.push({ group: group.index, layer, client, column });
        terms.push([column, 1]);
        push(clients, client, [column, 1]);
      }
      lp.equal(terms, group.count, "maxShare.client");
    }
  }
  for (const [chainKey, layers] of perClient) {
    const limit = allowedCount(cap, chains.get(chainKey)!);
    for (const clients of layers.values())
      for (const terms of clients.values()) lp.atMost(terms, limit, "maxShare.client");
  }
  return columns;
}

/**
 * A client runs only where the site can run it (candidates.ts `refuses`, e.g. prysm not on Akash):
 * y[g,layer,client] <= nodes of g at the sites that run it. Rows only where a site refuses.
 */
function refusedClientRows(lp: Lp<RuleFamily>, columns: ClientColumn[], slots: Slot[], candidates: Candidate[]) {
  const refusing = slots.filter((s) => candidates[s.candidates[0]].refuses.size > 0);
  if (refusing.length === 0) return;
  const slotsOf = new Map<number, Slot[]>();
  for (const s of slots) push(slotsOf, s.group.index, s);
  for (const { group, client, column } of columns) {
    const groupSlots = slotsOf.get(group) ?? [];
    const runs = groupSlots.filter((s) => !candidates[s.candidates[0]].refuses.has(client));
    if (runs.length === groupSlots.length) continue;
    lp.atMost([[column, 1], ...runs.map((s): Term => [s.column, -1])], 0, "maxShare.client");
  }
}

/**
 * Bare-metal hosts: CPU, memory and disk, paid in full once rented. Clients announce their P2P port
 * to peers, so it cannot be shifted: nodes whose P2P ports meet never share a host (a chain's nodes
 * included: one host would be one failure domain anyway), one row per port and class.
 */
function hostRows(lp: Lp<RuleFamily>, fleet: Fleet, slots: Slot[], classes: SiteClass[]): void {
  const cliques = portCliques(fleet.groups);
  const patterns: PatternCache = new Map();
  const onClass = new Map<SiteClass, Slot[]>();
  for (const s of slots) if (s.siteClass.rented !== undefined) push(onClass, s.siteClass, s);
  for (const k of classes) {
    const on = onClass.get(k);
    if (k.rented === undefined || !on) continue;
    const h = k.sites[0].host!;
    const u = k.rented;
    const columnOf = new Map(on.map((s) => [s.group, s.column]));
    if (k.sites.length > 1 && h.maxNodes === undefined) {
      // Patterns make the capacity rows and cuts below redundant.
      k.patterns = patternRows(lp, h, k.sites.length, u, columnOf, patterns);
      if (k.patterns) continue;
    }
    lp.atMost([...on.map((s): Term => [s.column, s.group.profile.vcpu]), [u, -h.cpu]], 0);
    lp.atMost([...on.map((s): Term => [s.column, s.group.profile.memoryGb]), [u, -h.memoryGb]], 0);
    lp.atMost([...on.map((s): Term => [s.column, s.group.profile.diskGb]), [u, -h.diskGb]], 0);
    for (const clique of cliques) {
      const terms = on.filter((s) => clique.has(s.group)).map((s): Term => [s.column, 1]);
      if (terms.length) lp.atMost([...terms, [u, -1]], 0);
    }
    // maxNodes caps chain nodes: a gateway's CPU, memory and disk are counted above, its port below.
    const nodesOn = on.filter((s) => !s.group.gateway);
    if (h.maxNodes !== undefined && nodesOn.length)
      lp.atMost([...nodesOn.map((s): Term => [s.column, 1]), [u, -h.maxNodes]], 0, "sites.maxNodes");
    if (k.sites.length > 1) {
      for (const cut of hostCuts(
        on.map((s) => s.group),
        h,
      ))
        lp.atMost(cutTerms(cut, columnOf, u), 0);
    }
  }
}

/** Groups that share a P2P port, one set per port, without sets inside another (their rows add nothing). */
export function portCliques(groups: readonly NodeGroup[]): Array<Set<NodeGroup>> {
  const byPort = new Map<string, Set<NodeGroup>>();
  for (const g of groups) for (const p of g.p2pPorts) byPort.set(p, (byPort.get(p) ?? new Set()).add(g));
  const sets = [...byPort.values()].sort((a, b) => b.size - a.size);
  const kept: Array<Set<NodeGroup>> = [];
  for (const s of sets) if (!kept.some((k) => [...s].every((g) => k.has(g)))) kept.push(s);
  return kept;
}

/** sites.<provider>.maxNodes: a quota on a provider's chain nodes across its regions (gateways are not counted). */
function quotaRows(lp: Lp<RuleFamily>, slots: Slot[]): void {
  const byProvider = new Map<string, { max: number; terms: Term[] }>();
  for (const s of slots) {
    const site = s.siteClass.sites[0];
    if (site.providerMaxNodes === undefined || s.group.gateway) continue;
    const q = byProvider.get(site.provider) ?? { max: site.providerMaxNodes, terms: [] };
    q.terms.push([s.column, 1]);
    byProvider.set(site.provider, q);
  }
  for (const { max, terms } of byProvider.values()) lp.atMost(terms, max, "sites.maxNodes");
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function nested<K, K2, V>(map: Map<K, Map<K2, V>>, key: K): Map<K2, V> {
  let inner = map.get(key);
  if (!inner) map.set(key, (inner = new Map()));
  return inner;
}
