/**
 * Rolling upgrades, planned: which nodes of a chain go down together (waves) when a release changes,
 * and whether that keeps the policy's `survive` rule during the rollout. Pure: the Fleet
 * (components/) deploys the waves one after another, the CLI shows them.
 */
import type { PolicyCheck } from "../diversity";
import type { Policy } from "../diversity/policy";
import type { Fleet } from "../fleet-spec/resolve";
import type { Rollout } from "../fleet-spec/rollout";
import type { ChainRollout, PlannedNode, RolloutSettings, RolloutWave } from "../plan/types";
import { present } from "../present";

export const ROLLOUT_DEFAULTS = {
  maxUnavailable: 1,
  canary: true,
  soakSeconds: 30,
  timeoutSeconds: 900,
  onFailure: "stop",
} as const;

/** The fields of a node the waves read. */
export type RolloutNode = Pick<PlannedNode, "id" | "chainKey" | "operator" | "region">;

/** A chain's settings and where its maxUnavailable came from (a spec path, or undefined for the default). */
export interface ResolvedRollout {
  settings: RolloutSettings;
  maxUnavailableFrom?: string;
}

/** Each chain key's rollout settings: the fleet's `rollout`, then its chain entries' overrides, then defaults. */
export function rolloutSettings(fleet: Fleet): Map<string, ResolvedRollout> {
  const out = new Map<string, ResolvedRollout>();
  const fleetLevel = fleet.spec.rollout ?? {};
  const maxLag = fleet.access?.maxLagBlocks ?? 5;
  for (const group of fleet.groups) {
    const entry: Rollout = fleet.spec.chains[group.index]?.rollout ?? {};
    const merged = { ...out.get(group.chainKey)?.settings, ...fleetLevel, ...entry };
    const from =
      entry.maxUnavailable !== undefined
        ? `chains[${group.index}].rollout.maxUnavailable`
        : fleetLevel.maxUnavailable !== undefined
          ? "rollout.maxUnavailable"
          : out.get(group.chainKey)?.maxUnavailableFrom;
    out.set(group.chainKey, {
      settings: {
        maxUnavailable: merged.maxUnavailable ?? ROLLOUT_DEFAULTS.maxUnavailable,
        canary: merged.canary ?? ROLLOUT_DEFAULTS.canary,
        maxLagBlocks: merged.maxLagBlocks ?? maxLag,
        soakSeconds: merged.soakSeconds ?? ROLLOUT_DEFAULTS.soakSeconds,
        timeoutSeconds: merged.timeoutSeconds ?? ROLLOUT_DEFAULTS.timeoutSeconds,
        onFailure: merged.onFailure ?? ROLLOUT_DEFAULTS.onFailure,
      },
      maxUnavailableFrom: from,
    });
  }
  return out;
}

/**
 * The waves of one chain with at most `maxUnavailable` nodes each: with `canary`, one node alone
 * first; then one operator at a time (operators by name, nodes by id), each operator's nodes in
 * chunks. Every node is in exactly one wave.
 */
export function chainWaves(nodes: readonly RolloutNode[], maxUnavailable: number, canary: boolean): RolloutWave[] {
  const byOperator = new Map<string, string[]>();
  for (const n of [...nodes].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
    const ids = byOperator.get(n.operator);
    if (ids) ids.push(n.id);
    else byOperator.set(n.operator, [n.id]);
  }
  const operators = [...byOperator.keys()].sort();
  const waves: Omit<RolloutWave, "wave">[] = [];
  if (canary && nodes.length > 1) {
    const first = operators[0];
    const [node, ...rest] = present(byOperator.get(first), `operator ${first}'s nodes`);
    waves.push({ canary: true, operator: first, nodes: [node] });
    byOperator.set(first, rest);
  }
  for (const operator of operators) {
    const ids = present(byOperator.get(operator), `operator ${operator}'s nodes`);
    for (let i = 0; i < ids.length; i += maxUnavailable)
      waves.push({ canary: false, operator, nodes: ids.slice(i, i + maxUnavailable) });
  }
  return waves.map((w, i) => ({ wave: i + 1, ...w }));
}

/** Why taking `down` out of a chain's `nodes` breaks survival (one node serving, `survive`), or undefined. */
export function survivalProblem(
  nodes: readonly RolloutNode[],
  down: ReadonlySet<string>,
  survive: Policy["survive"],
): string | undefined {
  return survival(nodes, survive)([...down]);
}

/**
 * survivalProblem for many waves of one chain: the counts per operator and region are taken once,
 * so a wave costs its own size plus the number of operators and regions.
 */
function survival(nodes: readonly RolloutNode[], survive: Policy["survive"]) {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const dims = (["operator", "region"] as const).filter((dim) => survive?.[`${dim}Loss`] === 1);
  const counts = new Map(
    dims.map((dim) => {
      const c = new Map<string, number>();
      for (const n of nodes) c.set(n[dim], (c.get(n[dim]) ?? 0) + 1);
      return [dim, c];
    }),
  );
  return (down: readonly string[]): string | undefined => {
    const left = nodes.length - down.length;
    if (left === 0) return `no node of the chain's ${nodes.length} would serve`;
    if (!survive) return undefined;
    let loss: { dim: string; key: string; lost: number } | undefined;
    for (const dim of dims) {
      const after = new Map(counts.get(dim));
      for (const id of down) {
        const key = present(byId.get(id), `node ${id}`)[dim];
        after.set(key, (after.get(key) ?? 0) - 1);
      }
      for (const [key, lost] of [...after].sort((a, b) => a[0].localeCompare(b[0])))
        if (!loss || lost > loss.lost) loss = { dim, key, lost };
    }
    const remaining = left - (loss?.lost ?? 0);
    if (remaining >= survive.minNodes) return undefined;
    const after = loss ? `; then losing ${loss.dim} ${loss.key} (${loss.lost} of them) leaves ${remaining}` : "";
    return `${left} node(s) would serve${after}, below survive.minNodes ${survive.minNodes}`;
  };
}

/** The first wave that breaks survival, with its reason, or undefined when all keep it. */
function brokenWave(nodes: readonly RolloutNode[], waves: readonly RolloutWave[], survive: Policy["survive"]) {
  const problemOf = survival(nodes, survive);
  for (const w of waves) {
    const problem = problemOf(w.nodes);
    if (problem) return { wave: w, problem };
  }
  return undefined;
}

/**
 * The most nodes down at once in any wave whose arrangement keeps survival in every wave: the
 * largest useful maxUnavailable; 0 when even one node down breaks it. Bigger waves never keep more
 * (each extra node down lowers what serves by one and the largest loss by at most one), so a binary
 * search finds the largest k that keeps it, up to the largest operator's size (waves stop growing).
 */
export function allowedUnavailable(nodes: readonly RolloutNode[], canary: boolean, survive: Policy["survive"]): number {
  const perOperator = new Map<string, number>();
  for (const n of nodes) perOperator.set(n.operator, (perOperator.get(n.operator) ?? 0) + 1);
  const keeps = (k: number) => !brokenWave(nodes, chainWaves(nodes, k, canary), survive);
  let [lo, hi] = [0, Math.max(0, ...perOperator.values())];
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (keeps(mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo === 0 ? 0 : Math.max(...chainWaves(nodes, lo, canary).map((w) => w.nodes.length));
}

/** A chain's rollout: its waves (at the requested maxUnavailable, or the allowed one when lower and not 0). */
export function chainRollout(
  nodes: readonly RolloutNode[],
  settings: RolloutSettings,
  survive: Policy["survive"],
): ChainRollout {
  const allowed = allowedUnavailable(nodes, settings.canary, survive);
  const k = allowed > 0 ? Math.min(settings.maxUnavailable, allowed) : settings.maxUnavailable;
  return { settings, waves: chainWaves(nodes, k, settings.canary), allowed };
}

/** Every chain's rollout of a plan's nodes, by chain key. */
export function planRollout(fleet: Fleet, nodes: readonly RolloutNode[]): Record<string, ChainRollout> {
  const settings = rolloutSettings(fleet);
  const out: Record<string, ChainRollout> = {};
  for (const [chainKey, resolved] of settings) {
    const chainNodes = nodes.filter((n) => n.chainKey === chainKey);
    if (chainNodes.length) out[chainKey] = chainRollout(chainNodes, resolved.settings, fleet.spec.policy.survive);
  }
  return out;
}

/**
 * One `rollout.maxUnavailable` check per chain: a breach when the spec asks for more nodes down at
 * once than `survive` allows (with the numbers and the fix), a warning when even one node down
 * breaks it (the chain cannot be upgraded without falling below its floor), else ok.
 */
export function rolloutChecks(fleet: Fleet, nodes: readonly RolloutNode[]): PolicyCheck[] {
  const settings = rolloutSettings(fleet);
  const survive = fleet.spec.policy.survive;
  return [...settings].flatMap(([chainKey, { settings: s, maxUnavailableFrom }]): PolicyCheck[] => {
    const chainNodes = nodes.filter((n) => n.chainKey === chainKey);
    if (!chainNodes.length) return [];
    const allowed = allowedUnavailable(chainNodes, s.canary, survive);
    const base = { rule: "rollout.maxUnavailable", scope: chainKey, limit: allowed, actual: s.maxUnavailable };
    const waves = chainWaves(chainNodes, s.maxUnavailable, s.canary);
    const broken = brokenWave(chainNodes, waves, survive);
    if (!broken) {
      return [
        {
          ...base,
          ok: true,
          message: `${waves.length} wave(s), at most ${s.maxUnavailable} of ${chainNodes.length} node(s) down at once (survive allows ${allowed})`,
        },
      ];
    }
    const what = `wave ${broken.wave.wave} takes ${broken.wave.nodes.length} of ${chainKey}'s ${chainNodes.length} nodes down (${broken.wave.nodes.join(", ")}): ${broken.problem}`;
    if (maxUnavailableFrom && allowed < s.maxUnavailable) {
      const fix =
        allowed > 0
          ? `set ${maxUnavailableFrom} to at most ${allowed}`
          : "add nodes to the chain (or lower survive.minNodes)";
      return [{ ...base, ok: false, message: `${maxUnavailableFrom} ${s.maxUnavailable}: ${what}; ${fix}` }];
    }
    return [
      {
        ...base,
        ok: true,
        status: "warn",
        message: `${what}; an upgrade of this chain cannot keep its floor: add nodes to the chain`,
      },
    ];
  });
}
