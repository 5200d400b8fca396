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
  for (const n of [...nodes].sort((a, b) => a.id.localeCompare(b.id)))
    byOperator.set(n.operator, [...(byOperator.get(n.operator) ?? []), n.id]);
  const operators = [...byOperator.keys()].sort();
  const waves: Omit<RolloutWave, "wave">[] = [];
  if (canary && nodes.length > 1) {
    const first = operators[0];
    const [node, ...rest] = byOperator.get(first)!;
    waves.push({ canary: true, operator: first, nodes: [node] });
    byOperator.set(first, rest);
  }
  for (const operator of operators) {
    const ids = byOperator.get(operator)!;
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
  const left = nodes.filter((n) => !down.has(n.id));
  if (left.length === 0) return `no node of the chain's ${nodes.length} would serve`;
  if (!survive) return undefined;
  const worst = (dim: "operator" | "region") => {
    const counts = new Map<string, number>();
    for (const n of left) counts.set(n[dim], (counts.get(n[dim]) ?? 0) + 1);
    return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0];
  };
  const losses = (["operator", "region"] as const)
    .filter((dim) => survive[`${dim}Loss`] === 1)
    .map((dim) => ({ dim, lost: worst(dim) }));
  const [loss] = losses.sort((a, b) => b.lost[1] - a.lost[1]);
  const remaining = left.length - (loss?.lost[1] ?? 0);
  if (remaining >= survive.minNodes) return undefined;
  const after = loss ? `; then losing ${loss.dim} ${loss.lost[0]} (${loss.lost[1]} of them) leaves ${remaining}` : "";
  return `${left.length} node(s) would serve${after}, below survive.minNodes ${survive.minNodes}`;
}

/** The first wave that breaks survival, with its reason, or undefined when all keep it. */
function brokenWave(nodes: readonly RolloutNode[], waves: readonly RolloutWave[], survive: Policy["survive"]) {
  for (const w of waves) {
    const problem = survivalProblem(nodes, new Set(w.nodes), survive);
    if (problem) return { wave: w, problem };
  }
  return undefined;
}

/**
 * The most nodes down at once in any wave whose arrangement keeps survival in every wave: the
 * largest useful maxUnavailable; 0 when even one node down breaks it.
 */
export function allowedUnavailable(nodes: readonly RolloutNode[], canary: boolean, survive: Policy["survive"]): number {
  for (let k = nodes.length; k >= 1; k--) {
    const waves = chainWaves(nodes, k, canary);
    if (!brokenWave(nodes, waves, survive)) return Math.max(...waves.map((w) => w.nodes.length));
  }
  return 0;
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
