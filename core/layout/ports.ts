/**
 * Host port offsets for nodes that share a bare-metal host. Pure: the bare-metal binding calls it
 * with the plan's nodes of one host and the offsets those nodes have now (the stack's last outputs).
 */

/** A node of one host and the container ports it publishes that may move (RPC and private ports). */
export interface PortUser {
  id: string;
  ports: readonly number[];
}

/** Spacing of published ports between nodes sharing a host. */
export const PORT_OFFSET_STEP = 10;

/** Node ids in numeric-aware order: `devnet-h1-2` before `devnet-h1-10`. */
export const compareNodeIds = new Intl.Collator("en", { numeric: true }).compare;

/**
 * Port offsets for the nodes of one host. Deployed nodes keep the offset they have (`previous`),
 * unless their ports changed so that it clashes with another kept node; every other node, in
 * numeric id order, gets the smallest multiple of `step` at which none of its ports clashes with a
 * node placed before it. Adding nodes therefore never moves an existing one, and without
 * `previous` adding a node with a higher ordinal (`-10` after `-9`) does not either.
 */
export function hostPortOffsets(
  nodes: readonly PortUser[],
  previous: ReadonlyMap<string, number> = new Map(),
  step = PORT_OFFSET_STEP,
): Map<string, number> {
  if (!Number.isInteger(step) || step <= 0)
    throw new Error(`port offset step must be a whole number above 0, got ${step}`);
  const used = new Set<number>();
  const offsets = new Map<string, number>();
  const free = (node: PortUser, offset: number) => node.ports.every((p) => !used.has(p + offset));
  const take = (node: PortUser, offset: number) => {
    node.ports.forEach((p) => used.add(p + offset));
    offsets.set(node.id, offset);
  };
  const ordered = [...nodes].sort((a, b) => compareNodeIds(a.id, b.id));
  for (const node of ordered) {
    const offset = previous.get(node.id);
    if (offset !== undefined && Number.isInteger(offset) && offset >= 0 && free(node, offset)) take(node, offset);
  }
  for (const node of ordered) {
    if (offsets.has(node.id)) continue;
    let offset = 0;
    while (!free(node, offset)) offset += step;
    take(node, offset);
  }
  return offsets;
}
