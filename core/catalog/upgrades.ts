/**
 * Whether the pinned client images follow each chain past its network upgrades: a node older than
 * an upgrade's minimum release forks off at activation, so an active or imminent upgrade with a
 * stale pin is a plan that cannot serve.
 */
import type { PolicyCheck } from "../diversity";
import type { Catalog } from "./load";
import type { Client, Upgrade } from "./schema";

/** How far ahead an upgrade counts as due, unless the caller says otherwise. */
export const DEFAULT_UPGRADE_WINDOW_DAYS = 30;
const DAY_MS = 86_400_000;

/** The release version inside an image tag (`v1.16.7`, `multiarch-v25.7.0`, `v3.7.1-926f1ab`, `29.0`). */
export function tagVersion(tag: string): string | undefined {
  return /\d+(?:\.\d+)+|\d+/.exec(tag)?.[0];
}

/** Numeric comparison of dotted versions: negative when a < b. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

export type Readiness = "ready" | "below" | "unknown";

export interface PinReadiness {
  client: string;
  chainKey: string;
  upgrade: string;
  activatesAt: string;
  /** Active now, or due within the window. */
  due: boolean;
  active: boolean;
  pinned: string;
  minimum?: string;
  readiness: Readiness;
  source: string;
}

export interface ReadinessOptions {
  now: Date;
  windowDays?: number;
}

function readinessOf(client: Client, upgrade: Upgrade, opts: ReadinessOptions): PinReadiness {
  const at = Date.parse(upgrade.activatesAt);
  const window = (opts.windowDays ?? DEFAULT_UPGRADE_WINDOW_DAYS) * DAY_MS;
  const pinned = tagVersion(client.image.tag) ?? client.image.tag;
  const minimum = Object.hasOwn(upgrade.minimums, client.id) ? upgrade.minimums[client.id] : undefined;
  const readiness: Readiness = minimum === undefined || tagVersion(client.image.tag) === undefined
    ? "unknown"
    : compareVersions(pinned, minimum) >= 0 ? "ready" : "below";
  return {
    client: client.id, chainKey: `${upgrade.chain}/${upgrade.network}`, upgrade: upgrade.name,
    activatesAt: upgrade.activatesAt, active: at <= opts.now.getTime(), due: at <= opts.now.getTime() + window,
    pinned, minimum, readiness, source: `${upgrade.source} (${upgrade.asOf})`,
  };
}

/** Every (client, upgrade) pair the catalog knows, for `sovereign catalog images`. */
export function catalogReadiness(catalog: Catalog, opts: ReadinessOptions): PinReadiness[] {
  const rows: PinReadiness[] = [];
  for (const upgrade of catalog.upgrades) {
    const chain = catalog.chains.get(upgrade.chain);
    for (const id of Object.values(chain?.clients ?? {}).flat()) {
      const client = catalog.clients.get(id);
      if (client) rows.push(readinessOf(client, upgrade, opts));
    }
  }
  return rows;
}

/**
 * One check per chain key of the plan: every client its nodes run is at or above the minimum of every
 * upgrade that is active or due within the window. Clients without a sourced minimum are named in the
 * message, not failed.
 */
export function upgradeChecks(
  catalog: Catalog,
  nodes: ReadonlyArray<{ chainKey: string; clients: Record<string, string> }>,
  opts: ReadinessOptions,
): PolicyCheck[] {
  const used = new Map<string, Set<string>>();
  for (const n of nodes) {
    const set = used.get(n.chainKey) ?? new Set<string>();
    for (const c of Object.values(n.clients)) set.add(c);
    used.set(n.chainKey, set);
  }
  const checks: PolicyCheck[] = [];
  for (const [chainKey, clients] of [...used].sort(([a], [b]) => a.localeCompare(b))) {
    const upgrades = catalog.upgrades.filter((u) => `${u.chain}/${u.network}` === chainKey);
    const rows = upgrades.flatMap((u) => [...clients].sort().map((id) => readinessOf(catalog.clients.get(id)!, u, opts)))
      .filter((r) => r.due);
    if (rows.length === 0) continue;
    const below = rows.filter((r) => r.readiness === "below");
    const unknown = [...new Set(rows.filter((r) => r.readiness === "unknown").map((r) => r.client))];
    const when = (r: PinReadiness) => `${r.upgrade}, ${r.active ? "active since" : "due"} ${r.activatesAt.slice(0, 10)}`;
    const names = [...new Set(rows.map(when))];
    const note = unknown.length ? `; no sourced minimum for ${unknown.join(", ")}: check their releases` : "";
    // One line per stale client: the highest minimum it misses and the upgrades that need it.
    const stale = new Map<string, PinReadiness[]>();
    for (const r of below) stale.set(r.client, [...(stale.get(r.client) ?? []), r]);
    const lines = [...stale].map(([client, list]) => {
      const need = list.map((r) => r.minimum!).sort(compareVersions).at(-1);
      return `${client} ${list[0].pinned} is below ${need} (${list.map(when).join("; ")})`;
    });
    checks.push({
      rule: "images.upgrades", scope: chainKey, ok: stale.size === 0, limit: 0, actual: stale.size,
      message: stale.size === 0
        ? `every pinned client follows ${names.join("; ")}${note}`
        : `${lines.join("; ")} — raise the pin in catalog/clients.yaml or leave the client out (chains[].clients)${note}`,
    });
  }
  return checks;
}
