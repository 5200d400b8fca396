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
