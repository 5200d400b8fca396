import type { NodeGroup } from "../fleet-spec/resolve";
import type { BareMetalHost } from "../fleet-spec/schema";
import { Lp, type Term } from "./lp";
import type { Model, SiteClass } from "./model";

/** A row over a class of identical hosts: coefficients per group (missing: 0), at most `u` (hosts rented). */
export type HostCut = Map<NodeGroup, number>;

type Resource = [capacity: number, size: (g: NodeGroup) => number];

/**
 * Rows that bin packing implies for a class of identical hosts, beyond the class's capacity rows
 * (which alone let big nodes share hosts they cannot): Martello and Toth's bound as dual-feasible
 * functions, one per resource and threshold k (an item size up to half the capacity, or the half):
 * a node above capacity - k takes a host's share 1, one from k to capacity - k its size, a smaller
 * one nothing; the shares fit u hosts. Valid for every packing; duplicates dropped.
 */
export function hostCuts(groups: readonly NodeGroup[], host: BareMetalHost): HostCut[] {
  const resources: Resource[] = [
    [host.cpu, (g) => g.profile.vcpu],
    [host.memoryGb, (g) => g.profile.memoryGb],
    [host.diskGb, (g) => g.profile.diskGb],
  ];
  // maxNodes counts chain nodes, not gateways (model.ts).
  if (host.maxNodes !== undefined) resources.push([host.maxNodes, (g) => (g.gateway ? 0 : 1)]);
  const cuts = new Map<string, HostCut>();
  const add = (cut: HostCut) => {
    for (const [g, c] of cut) if (c === 0) cut.delete(g);
    if (!cut.size) return;
    const key = groups.map((g) => cut.get(g) ?? 0).join(",");
    if (!cuts.has(key)) cuts.set(key, cut);
  };

  for (const [capacity, size] of resources) {
    const thresholds = new Set([capacity / 2, ...groups.map(size).filter((s) => s > 0 && s <= capacity / 2)]);
    for (const k of thresholds) {
      const share = (x: number) => (x > capacity - k ? 1 : x >= k ? x / capacity : 0);
      // Without a node above capacity - k or below k, this is the capacity row again.
      if (groups.every((g) => size(g) >= k && size(g) <= capacity - k)) continue;
      add(new Map(groups.map((g) => [g, share(size(g))])));
    }
  }

  return [...cuts.values()];
}

/** A cut's terms over the class's placement columns and its rented-host column. */
export function cutTerms(cut: HostCut, columnOf: ReadonlyMap<NodeGroup, number>, rented: number): Term[] {
  return [...[...cut].map(([g, c]): Term => [columnOf.get(g)!, c]), [rented, -1]];
}

/** Most host patterns {@link patternCut} enumerates before it gives up (the planner then splits the class). */
const MAX_PATTERNS = 20000;

/**
 * A row cutting off nodes that do not pack onto `rented` identical hosts, found from the patterns
 * one host can hold: weights a (0 to 1 per group) with a·p <= 1 for every pattern p, so a·x <= u
 * holds for every packing of x onto u hosts (each host holds one pattern), chosen to maximise a·x
 * by a small linear program. Undefined when no such row cuts the counts off (the packing's linear
 * relaxation fits) or there are too many patterns: then the caller splits the class. The row holds
 * for any class of hosts of the same size, whatever its operator or region.
 */
export async function patternCut(
  host: BareMetalHost,
  items: ReadonlyArray<{ group: NodeGroup; count: number }>,
  rented: number,
  solve: (lp: Lp) => Promise<Float64Array | undefined>,
): Promise<HostCut | undefined> {
  const used = items.filter((i) => i.count > 0);
  const patterns = hostPatterns(
    host,
    used.map((i) => i.group),
  );
  if (!patterns) return undefined;
  const lp = new Lp();
  // Maximise a·x: the builder minimises, so the costs are -x.
  const a = used.map((i) => lp.column(-i.count, 0, 1, false));
  for (const p of patterns)
    lp.atMost(
      p.map((n, j): Term => [a[j], n]),
      1,
    );
  const values = await solve(lp);
  if (!values) return undefined;
  // Rescale so that every pattern keeps a·p <= 1 exactly, whatever the solver's rounding.
  const worst = Math.max(1, ...patterns.map((p) => p.reduce((s, n, j) => s + n * values[a[j]], 0)));
  const weights = used.map((_, j) => values[a[j]] / worst);
  const lhs = used.reduce((s, i, j) => s + weights[j] * i.count, 0);
  if (lhs <= rented + 1e-6) return undefined;
  return new Map(used.map((i, j) => [i.group, weights[j]]));
}

/** The maximal node counts per group that one host holds (resources, maxNodes, one node per P2P port). */
export function hostPatterns(host: BareMetalHost, groups: readonly NodeGroup[]): number[][] | undefined {
  const out: number[][] = [];
  const counts = groups.map(() => 0);
  const ports = new Set<string>();
  const fits = (g: NodeGroup, cpu: number, mem: number, disk: number, nodes: number) =>
    cpu + g.profile.vcpu <= host.cpu &&
    mem + g.profile.memoryGb <= host.memoryGb &&
    disk + g.profile.diskGb <= host.diskGb &&
    (host.maxNodes === undefined || g.gateway !== undefined || nodes + 1 <= host.maxNodes) &&
    !g.p2pPorts.some((p) => ports.has(p));
  const walk = (j: number, cpu: number, mem: number, disk: number, nodes: number): boolean => {
    if (out.length > MAX_PATTERNS) return false;
    if (j === groups.length) {
      // Maximal only: no group can take one more node.
      if (groups.every((g) => !fits(g, cpu, mem, disk, nodes))) out.push([...counts]);
      return true;
    }
    const g = groups[j];
    if (fits(g, cpu, mem, disk, nodes)) {
      counts[j]++;
      for (const p of g.p2pPorts) ports.add(p);
      const ok = walk(
        j,
        cpu + g.profile.vcpu,
        mem + g.profile.memoryGb,
        disk + g.profile.diskGb,
        nodes + (g.gateway ? 0 : 1),
      );
      for (const p of g.p2pPorts) ports.delete(p);
      counts[j]--;
      if (!ok) return false;
    }
    return walk(j + 1, cpu, mem, disk, nodes);
  };
  return walk(0, 0, 0, 0, 0) ? out : undefined;
}

/** A pattern cut with the host size it holds for. */
export interface SizedCut {
  size: string;
  cut: HostCut;
}

/** What a pattern cut depends on of a host: its size (CPU, memory, disk, maxNodes). */
export const hostSize = (h: BareMetalHost) => JSON.stringify([h.cpu, h.memoryGb, h.diskGb, h.maxNodes]);

/** Adds each cut to every class of hosts of its size, over the class's columns (groups it lacks count 0). */
export function addSizedCuts(model: Pick<Model, "lp" | "slots" | "classes">, cuts: readonly SizedCut[]): void {
  if (!cuts.length) return;
  const columns = new Map<SiteClass, Map<NodeGroup, number>>();
  for (const s of model.slots) {
    // A class modelled by patterns holds only what packs: a cut adds nothing there.
    if (s.siteClass.rented === undefined || s.siteClass.patterns) continue;
    const m = columns.get(s.siteClass) ?? new Map<NodeGroup, number>();
    m.set(s.group, s.column);
    columns.set(s.siteClass, m);
  }
  for (const [k, columnOf] of columns) {
    const size = hostSize(k.sites[0].host!);
    for (const { size: s, cut } of cuts) {
      if (s !== size) continue;
      const terms: Term[] = [];
      for (const [g, c] of cut) {
        const column = columnOf.get(g);
        if (column !== undefined) terms.push([column, c]);
      }
      if (terms.length) model.lp.atMost([...terms, [k.rented!, -1]], 0);
    }
  }
}
