import { allowedCount, shareNeeded } from "../diversity";
import type { Catalog } from "../catalog/load";
import type { NodeGroup } from "../spec/resolve";

/**
 * Spreads a chain's nodes over its allowed clients as evenly as possible, per layer: the even spread
 * minimises the largest share, so if it breaks the client cap nothing else keeps it.
 * Returns the sequence of clients to hand out, one per node, or the reason it cannot keep the cap.
 */
export function clientSequence(group: NodeGroup, layer: string, total: number, cap: number | undefined, alternatives: number, offset = 0):
  { ok: true; sequence: string[] } | { ok: false; reason: string } {
  const allowed = group.clients[layer];
  const perClient = Math.ceil(group.count / allowed.length);
  if (cap !== undefined && alternatives > 1 && perClient > allowedCount(cap, total)) {
    const needed = Math.ceil(total / Math.max(1, allowedCount(cap, total)));
    return {
      ok: false,
      reason: allowedCount(cap, total) === 0
        ? `maxShare.client ${cap} allows no ${layer} client even one of ${group.chainKey}'s ${total} nodes; raise it to at least ${shareNeeded(1, total)}`
        : `maxShare.client ${cap} allows at most ${allowedCount(cap, total)} of ${group.chainKey}'s ${total} nodes per ${layer} client, so it needs at least ${needed} ${layer} clients; chains[${group.index}].clients.${layer} allows ${allowed.length} (${allowed.join(", ")})`,
    };
  }
  // Round-robin, continued across a chain's groups by `offset`: consecutive nodes get different clients.
  return { ok: true, sequence: Array.from({ length: group.count }, (_, i) => allowed[(i + offset) % allowed.length]) };
}

/** Implementations the catalog knows for a chain key's layer (the client cap applies from two). */
export function alternativesIn(catalog: Catalog) {
  return (chainKey: string, layer: string) => catalog.chains.get(chainKey.split("/")[0])?.clients[layer]?.length ?? 0;
}

/**
 * When a chain has several groups, the per-group round-robin can pile one client above the cap (the
 * groups' lists differ, or their counts add up). This spreads the chain's nodes of one layer over the
 * clients each group allows so that the busiest client carries as few nodes as possible (a small
 * max-flow per candidate level), and says why when even that breaks the cap.
 */
export function balanceClients(groups: NodeGroup[], layer: string, total: number, cap: number):
  { ok: true; sequences: string[][] } | { ok: false; reason: string } {
  const limit = allowedCount(cap, total);
  const clients = [...new Set(groups.flatMap((g) => g.clients[layer]))];
  let lo = Math.max(1, Math.ceil(total / clients.length));
  let hi = Math.max(lo, ...groups.map((g) => g.count));
  let best = splitUnder(groups, layer, clients, hi)!;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    const split = splitUnder(groups, layer, clients, mid);
    if (split) { hi = mid; best = split; } else lo = mid + 1;
  }
  if (hi > limit) {
    return {
      ok: false,
      reason: `maxShare.client ${cap} allows at most ${limit} of ${groups[0].chainKey}'s ${total} nodes per ${layer} client, but the ${layer} clients its chains entries allow together (${clients.join(", ")}) cannot spread them that thinly: the most even split puts ${hi} on one client; raise maxShare.client to ${shareNeeded(hi, total)} or allow more ${layer} clients`,
    };
  }
  // Interleave each group's clients so consecutive nodes differ.
  const sequences = groups.map((g, i) => {
    const left = best[i];
    const seq: string[] = [];
    while (seq.length < g.count) {
      for (const c of g.clients[layer]) if ((left.get(c) ?? 0) > 0) { seq.push(c); left.set(c, left.get(c)! - 1); }
    }
    return seq;
  });
  return { ok: true, sequences };
}

/** Nodes per client per group with at most `limit` per client, or undefined (Edmonds-Karp on groups -> clients). */
function splitUnder(groups: NodeGroup[], layer: string, clients: string[], limit: number): Map<string, number>[] | undefined {
  const G = groups.length, C = clients.length, source = G + C, sink = G + C + 1, n = G + C + 2;
  const cap = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  groups.forEach((g, i) => {
    cap[source][i] = g.count;
    for (const c of g.clients[layer]) cap[i][G + clients.indexOf(c)] = g.count;
  });
  clients.forEach((_, j) => { cap[G + j][sink] = limit; });
  const flow = cap.map((row) => row.map(() => 0));
  let total = 0;
  for (;;) {
    const prev = new Array<number>(n).fill(-1);
    prev[source] = source;
    const queue = [source];
    while (queue.length && prev[sink] < 0) {
      const u = queue.shift()!;
      for (let v = 0; v < n; v++) if (prev[v] < 0 && cap[u][v] - flow[u][v] > 0) { prev[v] = u; queue.push(v); }
    }
    if (prev[sink] < 0) break;
    let push = Infinity;
    for (let v = sink; v !== source; v = prev[v]) push = Math.min(push, cap[prev[v]][v] - flow[prev[v]][v]);
    for (let v = sink; v !== source; v = prev[v]) { flow[prev[v]][v] += push; flow[v][prev[v]] -= push; }
    total += push;
  }
  if (total < groups.reduce((a, g) => a + g.count, 0)) return undefined;
  return groups.map((_, i) => new Map(clients.map((c, j) => [c, flow[i][G + j]] as const).filter(([, k]) => k > 0)));
}
