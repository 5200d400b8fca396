import type { NodeGroup } from "../fleet-spec/resolve";
import type { BareMetalHost } from "../fleet-spec/schema";
import type { Lp, Term } from "./lp";
import { hostPatterns, hostSize } from "./packing-cuts";

/**
 * A class of identical hosts modelled by what one host can hold: integer w[p] = hosts of the class
 * holding pattern p (nodes per packing kind), at most the hosts rented, and every kind's nodes at
 * most what the chosen patterns hold. Exact (a packing is read off the patterns), so such a class
 * never needs a packing check, a cut or a split, and the first solve is the answer.
 */
export interface PatternClass {
  /** The class's groups by packing kind: interchangeable on a host (same size, ports, gateway or not). */
  kinds: NodeGroup[][];
  /** Maximal nodes per kind that one host holds. */
  patterns: number[][];
  /** Per pattern, the column counting hosts that hold it. */
  columns: number[];
}

/** Most patterns a class may have to be modelled by them (more columns than the packing checks cost). */
const MAX_CLASS_PATTERNS = 400;

/** Groups that are the same to a host (size, P2P ports, and whether maxNodes counts them), by a key of that. */
function packingKinds(groups: readonly NodeGroup[]): Map<string, NodeGroup[]> {
  const byKey = new Map<string, NodeGroup[]>();
  for (const g of groups) {
    const { vcpu, memoryGb, diskGb } = g.profile;
    const key = JSON.stringify([vcpu, memoryGb, diskGb, g.gateway !== undefined, [...g.p2pPorts].sort()]);
    const kind = byKey.get(key);
    if (kind) kind.push(g);
    else byKey.set(key, [g]);
  }
  return byKey;
}

/** Patterns per host size and kinds: classes that differ only in operator, region or price share them. */
export type PatternCache = Map<string, number[][] | undefined>;

/**
 * Pattern rows for a class of `hosts` identical hosts (`rented` counts those rented) and its groups'
 * columns, or undefined when the patterns are too many (the caller keeps the capacity rows and checks).
 */
export function patternRows<F extends string>(
  lp: Lp<F>,
  host: BareMetalHost,
  hosts: number,
  rented: number,
  columnOf: ReadonlyMap<NodeGroup, number>,
  cache: PatternCache,
): PatternClass | undefined {
  const byKey = packingKinds([...columnOf.keys()]);
  const kinds = [...byKey.values()];
  const key = JSON.stringify([hostSize(host), ...byKey.keys()]);
  if (!cache.has(key))
    cache.set(
      key,
      hostPatterns(
        host,
        kinds.map((k) => k[0]),
      ),
    );
  const patterns = cache.get(key);
  if (!patterns || patterns.length > MAX_CLASS_PATTERNS) return undefined;
  const columns = patterns.map(() => lp.column(0, 0, hosts));
  lp.atMost([...columns.map((w): Term => [w, 1]), [rented, -1]], 0);
  kinds.forEach((kind, t) =>
    lp.atMost(
      [
        ...kind.map((g): Term => [columnOf.get(g)!, 1]),
        ...patterns.flatMap((p, i): Term[] => (p[t] ? [[columns[i], -p[t]]] : [])),
      ],
      0,
    ),
  );
  return { kinds, patterns, columns };
}

/**
 * Nodes per host and item from solved pattern counts: each pattern goes to as many hosts as the
 * solver chose (hosts in order), and each kind's nodes fill that kind's places on them.
 */
export function packByPatterns(
  k: PatternClass,
  hosts: number,
  items: ReadonlyArray<{ group: NodeGroup; count: number }>,
  values: Float64Array,
): number[][] {
  const out = Array.from({ length: hosts }, () => items.map(() => 0));
  const places: number[][] = k.kinds.map(() => []);
  let h = 0;
  k.patterns.forEach((p, i) => {
    for (let n = 0; n < values[k.columns[i]]; n++, h++) p.forEach((c, t) => places[t].push(...Array(c).fill(h)));
  });
  const kindOf = new Map(k.kinds.flatMap((kind, t) => kind.map((g) => [g, t])));
  const next = k.kinds.map(() => 0);
  items.forEach(({ group, count }, j) => {
    const t = kindOf.get(group)!;
    for (let n = 0; n < count; n++) out[places[t][next[t]++]][j]++;
  });
  return out;
}
