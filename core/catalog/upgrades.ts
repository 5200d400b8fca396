/**
 * Whether the pinned client images follow each chain past its network upgrades: a node older than
 * an upgrade's minimum release forks off at activation, so an active or imminent upgrade with a
 * stale pin is a plan that cannot serve.
 */
import type { PolicyCheck } from "../diversity";
import type { Catalog } from "./load";
import type { Client, Upgrade } from "./schema";
import { present } from "../present";

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

/**
 * Whether an upgrade concerns a client: it names the client's minimum, names none at all (not known
 * yet), or names another client of the same layer (so this one's minimum is missing). An upgrade that
 * names only other layers' clients (Polygon's Bor forks for Heimdall) does not concern it.
 */
function concerns(catalog: Catalog, upgrade: Upgrade, client: Client): boolean {
  const named = Object.keys(upgrade.minimums);
  return named.length === 0 || named.some((id) => id === client.id || catalog.clients.get(id)?.layer === client.layer);
}

/** Every (client, upgrade) pair the catalog knows, for `sovereign catalog images`. */
export function catalogReadiness(catalog: Catalog, opts: ReadinessOptions): PinReadiness[] {
  const rows: PinReadiness[] = [];
  for (const upgrade of catalog.upgrades) {
    const chain = catalog.chains.get(upgrade.chain);
    for (const id of Object.values(chain?.clients ?? {}).flat()) {
      const client = catalog.clients.get(id);
      if (client && concerns(catalog, upgrade, client)) rows.push(readinessOf(client, upgrade, opts));
    }
  }
  return rows;
}

/** How old a chain's schedule may be before readiness is `unknown`, unless the caller says otherwise. */
export const DEFAULT_SCHEDULE_MAX_AGE_DAYS = 30;

export interface ReadinessCheckOptions extends ReadinessOptions {
  /** @default DEFAULT_SCHEDULE_MAX_AGE_DAYS */
  scheduleMaxAgeDays?: number;
}

/**
 * One readiness check per chain key of the plan. It fails when a pinned client is below the minimum of
 * an active upgrade (the node is off the chain now); it warns, with the days left, when one is below an
 * upgrade due within the window or a tentative one; and it is `unknown` when the chain's schedule is
 * missing or older than the limit, or a due upgrade has no sourced minimum for a client, never `ok`.
 */
export function upgradeChecks(
  catalog: Catalog,
  nodes: ReadonlyArray<{ chainKey: string; clients: Record<string, string> }>,
  opts: ReadinessCheckOptions,
): PolicyCheck[] {
  const used = new Map<string, Set<string>>();
  for (const n of nodes) used.set(n.chainKey, new Set([...(used.get(n.chainKey) ?? []), ...Object.values(n.clients)]));
  return [...used]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([chainKey, clients]) => chainReadiness(catalog, chainKey, [...clients].sort(), opts));
}

function chainReadiness(catalog: Catalog, chainKey: string, clients: string[], opts: ReadinessCheckOptions): PolicyCheck {
  const rows = catalog.upgrades
    .filter((u) => `${u.chain}/${u.network}` === chainKey)
    .flatMap((u) => clients.flatMap((id) => {
      const client = catalog.clients.get(id);
      return client && concerns(catalog, u, client) ? [{ ...readinessOf(client, u, opts), tentative: u.tentative === true }] : [];
    }));
  const due = rows.filter((r) => r.due);
  const breach = due.filter((r) => r.readiness === "below" && r.active && !r.tentative);
  const warn = due.filter((r) => r.readiness === "below" && !(r.active && !r.tentative));
  const missing = due.filter((r) => r.readiness === "unknown");
  const noMinimum = [...new Set(missing.map((r) => r.client))];
  const missingFor = [...new Set(missing.map((r) => describe(r, opts.now)))];
  const stale = scheduleProblem(catalog, chainKey, opts);
  const parts = [
    ...staleLines(catalog, breach, opts.now),
    ...staleLines(catalog, warn, opts.now),
    ...(noMinimum.length
      ? [`no sourced minimum for ${noMinimum.join(", ")} (${missingFor.join("; ")}): check their releases and add it to catalog/upgrades.yaml, or leave them out (chains[].clients)`]
      : []),
    ...(stale ? [stale] : []),
  ];
  const schedule = scheduleOf(catalog, chainKey);
  const upcoming = rows.filter((r) => !r.active).sort((a, b) => a.activatesAt.localeCompare(b.activatesAt))[0];
  const followed = [...new Set(due.filter((r) => r.active).map((r) => r.upgrade))];
  const summary = [
    followed.length ? `every pinned client follows ${followed.join(", ")}` : "no upgrade active",
    upcoming ? `${nextIsReady(rows, upcoming) ? "ready for" : "next:"} ${describe(upcoming, opts.now)}` : undefined,
    schedule ? `schedule checked ${schedule.asOf}${schedule.note ? `: ${schedule.note}` : ""}` : undefined,
  ].filter(Boolean).join("; ");
  const status = breach.length ? undefined : warn.length ? "warn" : noMinimum.length || stale ? "unknown" : undefined;
  return {
    rule: "images.upgrades",
    scope: chainKey,
    ok: breach.length === 0,
    ...(status ? { status } : {}),
    limit: 0,
    actual: new Set(breach.map((r) => r.client)).size,
    message: parts.length
      ? `${parts.join("; ")}${breach.length || warn.length ? " — raise the pin (sovereign catalog refresh, then --accept) or leave the client out (chains[].clients)" : ""}`
      : summary,
  };
}

function scheduleOf(catalog: Catalog, chainKey: string) {
  return catalog.schedules.find((s) => `${s.chain}/${s.network}` === chainKey);
}

/** Why a chain's schedule cannot vouch for its pins: missing, or checked too long ago. */
function scheduleProblem(catalog: Catalog, chainKey: string, opts: ReadinessCheckOptions): string | undefined {
  const schedule = scheduleOf(catalog, chainKey);
  if (!schedule) return `no upgrade schedule for ${chainKey}: add one to catalog/upgrades.yaml (schedules) with its source`;
  if (schedule.unverified)
    return `the upgrade schedule of ${chainKey} is not verified (${schedule.note ?? schedule.source}): check upstream and update catalog/upgrades.yaml`;
  const age = Math.floor((opts.now.getTime() - Date.parse(schedule.asOf)) / DAY_MS);
  const limit = opts.scheduleMaxAgeDays ?? DEFAULT_SCHEDULE_MAX_AGE_DAYS;
  return age > limit
    ? `the upgrade schedule of ${chainKey} was last checked ${schedule.asOf} (${age} days ago, over ${limit}): check upstream and update catalog/upgrades.yaml`
    : undefined;
}

type DueRow = PinReadiness & { tentative: boolean };

/** Every pinned client has a sourced minimum for the next upgrade, and meets it. */
function nextIsReady(rows: DueRow[], next: DueRow): boolean {
  return rows.filter((r) => r.upgrade === next.upgrade).every((r) => r.readiness === "ready");
}

/** One line per stale client: the highest minimum it misses and the upgrades that need it. */
function staleLines(catalog: Catalog, rows: DueRow[], now: Date): string[] {
  const byClient = new Map<string, DueRow[]>();
  for (const r of rows) byClient.set(r.client, [...(byClient.get(r.client) ?? []), r]);
  return [...byClient].map(([client, list]) => {
    const minimums = list.flatMap((r) => (r.minimum ? [r.minimum] : []));
    const need = present(minimums.sort(compareVersions).at(-1), `a minimum release for ${client}`);
    return `${client} ${list[0].pinned} is below ${need} (${list.map((r) => describe(r, now)).join("; ")})${offer(catalog, client, need)}`;
  });
}

/** The newest release the last `catalog refresh` found that meets `need`, as the command that takes it. */
function offer(catalog: Catalog, client: string, need: string): string {
  const found = catalog.releases?.clients
    .find((c) => c.client === client)
    ?.newer.find((n) => n.imageTag && compareVersions(n.version, need) >= 0);
  return found
    ? `; ${found.version} was released ${found.publishedAt.slice(0, 10)}: sovereign catalog refresh --accept ${client}@${found.imageTag}`
    : "";
}

function describe(r: DueRow, now: Date): string {
  if (r.active) return `${r.upgrade}, active since ${r.activatesAt.slice(0, 10)}`;
  const days = Math.ceil((Date.parse(r.activatesAt) - now.getTime()) / DAY_MS);
  return `${r.upgrade}${r.tentative ? " (tentative)" : ""}, due ${r.activatesAt.slice(0, 10)}, in ${days} days`;
}
