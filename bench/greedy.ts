/**
 * The baseline the optimiser is measured against: place nodes one at a time, each at the site that
 * costs least right now (a cloud or Akash node's price; a bare-metal host's full price if not yet
 * rented, nothing if it is) among the sites where it still keeps every cap. No look-ahead.
 */
import type { Catalog } from "../core/catalog/load";
import { allowedCount } from "../core/diversity";
import { candidatesFor, type Candidate } from "../core/planner/candidates";
import type { Fleet } from "../core/fleet-spec/resolve";

export type GreedyResult = { ok: true; monthlyUsd: number } | { ok: false; reason: string };

export function greedy(fleet: Fleet, catalog: Catalog): GreedyResult {
  const { policy } = fleet.spec;
  const candidates = candidatesFor(fleet, catalog).list;
  const totals = new Map<string, number>();
  for (const g of fleet.groups) totals.set(g.chainKey, (totals.get(g.chainKey) ?? 0) + g.count);

  // Most nodes one operator / region / jurisdiction may hold per chain (caps and survival).
  const limit = (chainKey: string, dim: "operator" | "region" | "jurisdiction") => {
    const total = totals.get(chainKey)!;
    let max = Infinity;
    const cap = policy.maxShare?.[dim];
    if (cap !== undefined) max = allowedCount(cap, total);
    if (dim === "operator" && policy.survive?.operatorLoss === 1) max = Math.min(max, total - policy.survive.minNodes);
    if (dim === "region" && policy.survive?.regionLoss === 1) max = Math.min(max, total - policy.survive.minNodes);
    return max;
  };

  const held = new Map<string, number>(); // `${chainKey}|${dim}|${value}` -> nodes
  const key = (chainKey: string, dim: string, value: string) => `${chainKey}|${dim}|${value}`;
  const used = new Map<string, { cpu: number; memoryGb: number; diskGb: number; nodes: number }>();
  const p2pOnHost = new Map<string, Set<string>>(); // host -> P2P ports taken (they cannot be shifted)
  const perProvider = new Map<string, number>();
  let cents = 0;

  const fits = (c: Candidate): boolean => {
    const q = c.group.chainKey;
    for (const dim of ["operator", "region", "jurisdiction"] as const) {
      if ((held.get(key(q, dim, c.site[dim])) ?? 0) + 1 > limit(q, dim)) return false;
    }
    if (c.site.providerMaxNodes !== undefined && (perProvider.get(c.site.provider) ?? 0) + 1 > c.site.providerMaxNodes)
      return false;
    const h = c.site.host;
    if (h) {
      const u = used.get(h.name) ?? { cpu: 0, memoryGb: 0, diskGb: 0, nodes: 0 };
      const p = c.group.profile;
      if (u.cpu + p.vcpu > h.cpu || u.memoryGb + p.memoryGb > h.memoryGb || u.diskGb + p.diskGb > h.diskGb)
        return false;
      if (h.maxNodes !== undefined && u.nodes + 1 > h.maxNodes) return false;
      if (c.group.p2pPorts.some((port) => p2pOnHost.get(h.name)?.has(port))) return false;
    }
    return true;
  };
  const marginal = (c: Candidate) =>
    c.site.host ? (used.has(c.site.host.name) ? 0 : c.site.host.monthlyUsd) : c.unitUsd;

  // Nodes in round-robin order over the groups (1st of each group, then 2nd, ...), so no group
  // takes all the cheap capacity merely by coming first in the spec.
  const order: Array<{ group: Fleet["groups"][number]; k: number }> = [];
  for (let k = 0; k < Math.max(...fleet.groups.map((g) => g.count)); k++) {
    for (const group of fleet.groups) if (k < group.count) order.push({ group, k });
  }
  const optionsOf = new Map(fleet.groups.map((g) => [g, candidates.filter((c) => c.group === g)]));
  for (const { group, k } of order) {
    let best: Candidate | undefined;
    for (const c of optionsOf.get(group)!) {
      if (!fits(c)) continue;
      if (!best || marginal(c) < marginal(best) || (marginal(c) === marginal(best) && c.site.id < best.site.id))
        best = c;
    }
    if (!best)
      return {
        ok: false,
        reason: `no site keeps the caps for ${group.chainKey} ${group.role} node ${k + 1} of ${group.count}`,
      };
    cents += Math.round(marginal(best) * 100);
    for (const dim of ["operator", "region", "jurisdiction"] as const) {
      const kk = key(group.chainKey, dim, best.site[dim]);
      held.set(kk, (held.get(kk) ?? 0) + 1);
    }
    perProvider.set(best.site.provider, (perProvider.get(best.site.provider) ?? 0) + 1);
    const h = best.site.host;
    if (h) {
      const u = used.get(h.name) ?? { cpu: 0, memoryGb: 0, diskGb: 0, nodes: 0 };
      used.set(h.name, {
        cpu: u.cpu + group.profile.vcpu,
        memoryGb: u.memoryGb + group.profile.memoryGb,
        diskGb: u.diskGb + group.profile.diskGb,
        nodes: u.nodes + 1,
      });
      p2pOnHost.set(h.name, new Set([...(p2pOnHost.get(h.name) ?? []), ...group.p2pPorts]));
    }
  }
  if (policy.minOperators !== undefined) {
    for (const chainKey of totals.keys()) {
      const ops = [...held.keys()].filter((k) => k.startsWith(`${chainKey}|operator|`)).length;
      if (ops < policy.minOperators)
        return {
          ok: false,
          reason: `${chainKey} ends on ${ops} operators, fewer than minOperators ${policy.minOperators}`,
        };
    }
  }
  const monthlyUsd = cents / 100;
  if (fleet.spec.budget && monthlyUsd > fleet.spec.budget.monthlyUsd)
    return { ok: false, reason: `greedy plan costs $${monthlyUsd}, above the budget` };
  return { ok: true, monthlyUsd };
}
