/** A node waiting for its client of one layer. */
export interface ClientSlot {
  operator: string;
  /** The client the node ran in the previous plan, if it existed then. */
  previous?: string;
  /** Clients the node's site cannot run (e.g. Akash and a client that needs a shell to read its JWT). @default none */
  refuses?: ReadonlySet<string>;
}

/**
 * Hands out one layer's clients to a group's nodes (in slot order):
 *  1. a node that existed keeps its client, while the budget allows (a client swap means a resync);
 *  2. every other node gets a client its operator does not run yet, else the least used one in the
 *     chain, so one client bug never takes out all of one company's nodes.
 * Nodes whose site refuses some clients choose first, so the budget left fits the others.
 * `budget` is the solver's count per client where the client cap applies (used up exactly);
 * without it any allowed client may be picked. `usage` counts clients across the chain's entries.
 */
export function assignClients(
  slots: readonly ClientSlot[],
  allowed: readonly string[],
  budget: Map<string, number> | undefined,
  usage: Map<string, number>,
): string[] {
  const left = budget ? new Map(budget) : undefined;
  const out: Array<string | undefined> = slots.map(() => undefined);
  const atOperator = new Map<string, Set<string>>();
  const take = (i: number, client: string) => {
    out[i] = client;
    if (left) left.set(client, left.get(client)! - 1);
    usage.set(client, (usage.get(client) ?? 0) + 1);
    atOperator.set(slots[i].operator, (atOperator.get(slots[i].operator) ?? new Set()).add(client));
  };
  const runs = (slot: ClientSlot, c: string) => !slot.refuses?.has(c);
  slots.forEach((slot, i) => {
    const kept = slot.previous;
    if (kept && allowed.includes(kept) && runs(slot, kept) && (!left || (left.get(kept) ?? 0) > 0)) take(i, kept);
  });
  const order = slots.map((_, i) => i).sort((a, b) => (slots[b].refuses?.size ?? 0) - (slots[a].refuses?.size ?? 0));
  order.forEach((i) => {
    const slot = slots[i];
    if (out[i]) return;
    const runnable = allowed.filter((c) => runs(slot, c));
    // Over the budget only when the site leaves no choice (candidates.ts keeps sites that run none away).
    const withBudget = runnable.filter((c) => !left || (left.get(c) ?? 0) > 0);
    const open = withBudget.length ? withBudget : runnable.length ? runnable : allowed;
    const used = atOperator.get(slot.operator) ?? new Set<string>();
    const rank = (c: string) => [used.has(c) ? 1 : 0, usage.get(c) ?? 0, -(left?.get(c) ?? 0), allowed.indexOf(c)];
    const best = open.reduce((a, b) => (compare(rank(b), rank(a)) < 0 ? b : a));
    take(i, best);
  });
  return out as string[];
}

function compare(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}
