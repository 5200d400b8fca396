/**
 * Upstream support of clients: a client whose support has ended on a chain (op-geth after OP's Karst,
 * op-node on Base after Azul, rippled renamed xrpld) is never placed there, and a node that still
 * runs it is flagged with its replacement.
 */
import type { PolicyCheck } from "../diversity";
import { own } from "../own";
import type { Catalog } from "./load";
import type { Client, SupportEnd } from "./schema";
import { present } from "../present";

const DAY_MS = 86_400_000;

/** The end of support that applies to a client on a chain, if any. */
export function supportEndOn(client: Client, chainId: string): SupportEnd | undefined {
  return client.support?.find((end) => !end.chains || end.chains.includes(chainId));
}

/** Whether upstream still supports the client on the chain at `now`. */
export function isSupported(client: Client, chainId: string, now: Date): boolean {
  const end = supportEndOn(client, chainId);
  return !end || Date.parse(end.endsAt) > now.getTime();
}

/** The client that replaces an unsupported one on a chain. */
export function replacementOf(end: SupportEnd, chainId: string): string | undefined {
  return typeof end.replacedBy === "string" ? end.replacedBy : own(end.replacedBy, chainId);
}

/** A layer's clients that upstream supports on the chain at `now`, in catalog order. */
export function supportedClients(catalog: Catalog, chainId: string, ids: readonly string[], now: Date): string[] {
  return ids.filter((id) => {
    const client = catalog.clients.get(id);
    return client !== undefined && isSupported(client, chainId, now);
  });
}

/** Why a client cannot be chosen on a chain, and what to choose instead (for a spec that lists it). */
export function unsupportedMessage(catalog: Catalog, id: string, chainId: string): string {
  const end = present(supportEndOn(present(catalog.clients.get(id), `client ${id}`), chainId), `${id}'s end of support on ${chainId}`);
  return `${id} is no longer supported on ${chainId} since ${end.endsAt}: ${end.reason} (${end.source}); use ${replacementOf(end, chainId)}`;
}

export interface SupportOptions {
  now: Date;
  windowDays: number;
}

/**
 * One check per chain key whose nodes run a client whose support has ended (a breach: the client will
 * not follow the chain) or ends within the window (a warning with the days left).
 */
export function supportChecks(
  catalog: Catalog,
  nodes: ReadonlyArray<{ id: string; chainKey: string; clients: Record<string, string> }>,
  opts: SupportOptions,
): PolicyCheck[] {
  const byChain = new Map<string, { ended: string[]; ending: string[] }>();
  for (const node of nodes) {
    const chainId = node.chainKey.split("/")[0];
    for (const id of Object.values(node.clients)) {
      const client = catalog.clients.get(id);
      const end = client && supportEndOn(client, chainId);
      if (!end) continue;
      const days = Math.ceil((Date.parse(end.endsAt) - opts.now.getTime()) / DAY_MS);
      if (days > opts.windowDays) continue;
      const entry = byChain.get(node.chainKey) ?? { ended: [], ending: [] };
      const line = `${node.id} runs ${id}: ${end.reason} (${days <= 0 ? "support ended" : `support ends in ${days} days,`} ${end.endsAt}; ${end.source}, ${end.asOf}); use ${replacementOf(end, chainId)}`;
      (days <= 0 ? entry.ended : entry.ending).push(line);
      byChain.set(node.chainKey, entry);
    }
  }
  return [...byChain]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([scope, { ended, ending }]) => ({
      rule: "clients.support",
      scope,
      ok: ended.length === 0,
      ...(ended.length === 0 ? { status: "warn" as const } : {}),
      limit: 0,
      actual: ended.length,
      message: `${[...ended, ...ending].join("; ")} — replan (the planner offers only supported clients) and deploy`,
    }));
}
