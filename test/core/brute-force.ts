/**
 * The cheapest placement by exhaustive search, written from the spec's rules (README / schema
 * descriptions), not from core/planner/model.ts. Only for tiny fleets: it tries sites^nodes placements.
 * Per-node prices come from core/costs (the pricing is tested on its own in costs.test.ts).
 * Legal caps count the sites' `legal` (resolve's reading of the catalog; its rules are tested in
 * parse.test.ts), not the model's rows.
 * Gateways (the spec's `gateways`) are placed with the nodes, under the access layer's rules as the
 * README states them, not as core/fleet-spec/resolve-gateways.ts encodes them.
 */
import type { Catalog } from "../../core/catalog/load";
import { cheapestOption, hostFits } from "../../core/costs/options";
import assert from "node:assert/strict";
import type { Fleet, NodeGroup, Site } from "../../core/fleet-spec/resolve";
import type { Plan } from "../../core/plan";

export interface BruteResult {
  feasible: boolean;
  cost: number;
  placements: number;
}

/** How many of `items` (sites, nodes, gateways) have each value of `dim`. */
export function tally(
  items: ReadonlyArray<Pick<Site, "operator" | "region" | "jurisdiction">>,
  dim: "operator" | "region" | "jurisdiction",
): Map<string, number> {
  const m = new Map<string, number>();
  for (const s of items) m.set(s[dim], (m.get(s[dim]) ?? 0) + 1);
  return m;
}

/**
 * Plans the fleet and searches it exhaustively; asserts they agree (no plan when the search finds
 * none, else a plan of the same cost). `plan` is null for an infeasible fleet.
 */
export async function planAndSearch(
  fleet: Fleet,
  catalog: Catalog,
  planOrNull: (fleet: Fleet) => Promise<Plan | null>,
): Promise<{ plan: Plan | null; brute: BruteResult }> {
  const brute = bruteForce(fleet, catalog);
  const plan = await planOrNull(fleet);
  if (!brute.feasible) {
    assert.equal(plan, null, `the search found no placement, the planner found one for $${plan?.totals.monthlyUsd}`);
    return { plan: null, brute };
  }
  assert.ok(plan, `the planner found no plan; the search found one for $${brute.cost}`);
  assert.ok(
    Math.abs(plan.totals.monthlyUsd - brute.cost) < 0.005,
    `planner $${plan.totals.monthlyUsd} vs search $${brute.cost}`,
  );
  return { plan, brute };
}

export function bruteForce(fleet: Fleet, catalog: Catalog): BruteResult {
  const { policy, budget } = fleet.spec;
  const groups = [...fleet.groups, ...(fleet.access?.groups ?? [])];
  const nodes: NodeGroup[] = groups.flatMap((g) => Array.from({ length: g.count }, () => g));
  // Price of one node of each group at each site in cents, or undefined when it cannot go there.
  const price = new Map<NodeGroup, Array<number | undefined>>();
  for (const g of groups) {
    price.set(
      g,
      fleet.sites.map((s) => {
        // Gateways go only where gateways.sites allows.
        if (g.gateway && !g.gateway.sites.includes(s.id)) return undefined;
        // And never on Akash: a lease cannot join the overlay the gateways reach nodes through.
        if (g.gateway && s.provider === "akash") return undefined;
        if (s.host) return hostFits(g.profile, s) === undefined ? 0 : undefined;
        const r = cheapestOption(g.profile, s, catalog, fleet.spec.pricing, g.behindGateways);
        return r.ok ? Math.round(r.option.cost.total * 100) : undefined;
      }),
    );
  }
  if (!clientsFeasible(fleet, catalog)) return { feasible: false, cost: NaN, placements: 0 };

  const S = fleet.sites.length;
  const at = new Array<number>(nodes.length).fill(0);
  let best = Infinity;
  let placements = 0;
  const visit = (i: number) => {
    if (i === nodes.length) {
      placements++;
      const cost = costOf(at);
      if (cost !== undefined && cost < best && keepsRules(at)) best = cost;
      return;
    }
    for (let s = 0; s < S; s++) {
      if (price.get(nodes[i])![s] === undefined) continue;
      at[i] = s;
      visit(i + 1);
    }
  };

  function costOf(placement: number[]): number | undefined {
    let cents = 0;
    const hostUsed = new Set<number>();
    placement.forEach((s, i) => {
      cents += price.get(nodes[i])![s]!;
      if (fleet.sites[s].host) hostUsed.add(s);
    });
    for (const s of hostUsed) cents += Math.round(fleet.sites[s].host!.monthlyUsd * 100);
    if (budget && cents > Math.round(budget.monthlyUsd * 100)) return undefined;
    return cents;
  }

  function keepsRules(placement: number[]): boolean {
    // Bare-metal hosts: resources and node caps.
    for (let s = 0; s < S; s++) {
      const h = fleet.sites[s].host;
      if (!h) continue;
      const on = nodes.filter((_, i) => placement[i] === s);
      if (on.reduce((a, g) => a + g.profile.vcpu, 0) > h.cpu) return false;
      if (on.reduce((a, g) => a + g.profile.memoryGb, 0) > h.memoryGb) return false;
      if (on.reduce((a, g) => a + g.profile.diskGb, 0) > h.diskGb) return false;
      // maxNodes caps chain nodes; a host runs at most one gateway (it listens on 443).
      if (h.maxNodes !== undefined && on.filter((g) => !g.gateway).length > h.maxNodes) return false;
      if (on.filter((g) => g.gateway).length > 1) return false;
      // Two nodes on one host may not both listen on a P2P port (it cannot be shifted).
      const ports = on.flatMap((g) => g.p2pPorts);
      if (new Set(ports).size !== ports.length) return false;
    }
    // Provider quotas (sites.<provider>.maxNodes).
    for (const provider of ["aws", "gcp", "azure", "akash"] as const) {
      const quota = fleet.spec.sites[provider]?.maxNodes;
      if (
        quota !== undefined &&
        placement.filter((s, i) => !nodes[i].gateway && fleet.sites[s].provider === provider).length > quota
      )
        return false;
    }
    // Per chain: share caps, operators, survival.
    for (const chainKey of new Set(fleet.groups.map((g) => g.chainKey))) {
      const mine: Site[] = placement.filter((_, i) => nodes[i].chainKey === chainKey).map((s) => fleet.sites[s]);
      const total = mine.length;
      const count = (dim: "operator" | "region" | "jurisdiction") => tally(mine, dim);
      for (const dim of ["operator", "region", "jurisdiction"] as const) {
        const cap = policy.maxShare?.[dim];
        // "Largest fraction of a chain's nodes one <dim> may hold": count / total <= cap.
        if (cap !== undefined && [...count(dim).values()].some((c) => c / total > cap + 1e-9)) return false;
      }
      if (!withinLegalCaps(mine)) return false;
      if (policy.minOperators !== undefined && count("operator").size < policy.minOperators) return false;
      const survive = policy.survive;
      if (survive?.operatorLoss === 1 && [...count("operator").values()].some((c) => total - c < survive.minNodes))
        return false;
      if (survive?.regionLoss === 1 && [...count("region").values()].some((c) => total - c < survive.minNodes))
        return false;
    }
    // The access layer, per set of gateways serving the same chains: the policy's operator, region and
    // jurisdiction caps; at least gateways.minOperators operators (2 or more); after losing any one
    // operator or any one region, at least gateways.minSurviving gateways left.
    for (const group of fleet.access?.groups ?? []) {
      const mine = placement.filter((_, i) => nodes[i] === group).map((s) => fleet.sites[s]);
      const total = mine.length;
      const count = (dim: "operator" | "region" | "jurisdiction") => tally(mine, dim);
      for (const dim of ["operator", "region", "jurisdiction"] as const) {
        const cap = policy.maxShare?.[dim];
        if (cap !== undefined && [...count(dim).values()].some((c) => c / total > cap + 1e-9)) return false;
      }
      if (!withinLegalCaps(mine)) return false;
      if (count("operator").size < fleet.spec.gateways!.minOperators) return false;
      const keep = fleet.spec.gateways!.minSurviving;
      for (const dim of ["operator", "region"] as const)
        if ([...count(dim).values()].some((c) => total - c < keep)) return false;
    }
    return true;
  }

  /** "Largest fraction of a chain's nodes (and of the gateways) on operators within a legal regime's reach." */
  function withinLegalCaps(mine: Site[]): boolean {
    return Object.entries(policy.maxShare?.legal ?? {}).every(
      ([regime, cap]) => mine.filter((s) => s.legal.includes(regime)).length / mine.length <= cap + 1e-9,
    );
  }

  visit(0);
  return best === Infinity
    ? { feasible: false, cost: NaN, placements }
    : { feasible: true, cost: best / 100, placements };
}

/**
 * Whether each chain's nodes can be given clients, per layer, within each entry's allowed list, so
 * that no client holds more than the cap allows (only for layers with several implementations).
 * Hall's condition for this transport problem: every set of entries fits in the clients they allow.
 */
export function clientsFeasible(fleet: Fleet, catalog: Catalog): boolean {
  const cap = fleet.spec.policy.maxShare?.client;
  if (cap === undefined) return true;
  for (const chainKey of new Set(fleet.groups.map((g) => g.chainKey))) {
    const groups = fleet.groups.filter((g) => g.chainKey === chainKey);
    const total = groups.reduce((a, g) => a + g.count, 0);
    const chain = catalog.chains.get(groups[0].chain)!;
    for (const layer of chain.layers) {
      if (chain.clients[layer].length < 2) continue;
      // Largest count one client may hold: count / total <= cap.
      let limit = 0;
      while ((limit + 1) / total <= cap + 1e-9) limit++;
      for (let mask = 1; mask < 1 << groups.length; mask++) {
        const subset = groups.filter((_, i) => mask & (1 << i));
        const demand = subset.reduce((a, g) => a + g.count, 0);
        const clients = new Set(subset.flatMap((g) => g.clients[layer]));
        if (demand > limit * clients.size) return false;
      }
    }
  }
  return true;
}
