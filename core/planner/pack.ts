import type { NodeGroup } from "../fleet-spec/resolve";
import type { BareMetalHost } from "../fleet-spec/schema";
import { Lp, type Term } from "./lp";
import { solveModel } from "./solve";

/**
 * Puts the nodes the solver gave a class of identical hosts onto the hosts one by one (first fit,
 * the nodes with P2P ports and the biggest first, hosts in spec order): CPU, memory, disk, maxNodes
 * and one node per P2P port per host. Returns nodes per host and item, or undefined when first fit
 * does not find room (then {@link packExactly} decides).
 */
export function packHosts(
  hosts: readonly BareMetalHost[],
  items: ReadonlyArray<{ group: NodeGroup; count: number }>,
): number[][] | undefined {
  if (hosts.length === 0) return items.some((i) => i.count > 0) ? undefined : [];
  const size = (g: NodeGroup) =>
    g.profile.vcpu / hosts[0].cpu + g.profile.memoryGb / hosts[0].memoryGb + g.profile.diskGb / hosts[0].diskGb;
  const order = items
    .map((_, j) => j)
    .sort(
      (a, b) =>
        Number(items[b].group.p2pPorts.length > 0) - Number(items[a].group.p2pPorts.length > 0) ||
        size(items[b].group) - size(items[a].group) ||
        a - b,
    );
  const used = hosts.map(() => ({ cpu: 0, memoryGb: 0, diskGb: 0, nodes: 0, ports: new Set<string>() }));
  const out = hosts.map(() => items.map(() => 0));
  for (const j of order) {
    const { group, count } = items[j];
    const p = group.profile;
    let h = 0;
    for (let placed = 0; placed < count; placed++) {
      const fits = (i: number) => {
        const u = used[i];
        const host = hosts[i];
        return (
          u.cpu + p.vcpu <= host.cpu &&
          u.memoryGb + p.memoryGb <= host.memoryGb &&
          u.diskGb + p.diskGb <= host.diskGb &&
          (host.maxNodes === undefined || group.gateway !== undefined || u.nodes < host.maxNodes) &&
          !group.p2pPorts.some((port) => u.ports.has(port))
        );
      };
      while (h < hosts.length && !fits(h)) h++;
      if (h === hosts.length) return undefined;
      const u = used[h];
      u.cpu += p.vcpu;
      u.memoryGb += p.memoryGb;
      u.diskGb += p.diskGb;
      // maxNodes counts chain nodes only (a gateway is held to one per host by its port).
      if (!group.gateway) u.nodes++;
      for (const port of group.p2pPorts) u.ports.add(port);
      out[h][j]++;
    }
  }
  return out;
}

/**
 * The same packing solved exactly (a small MILP: nodes per host and item), for the classes first fit
 * cannot pack. Undefined when no packing exists or none is found within the time limit.
 */
export async function packExactly(
  hosts: readonly BareMetalHost[],
  items: ReadonlyArray<{ group: NodeGroup; count: number }>,
  cliques: ReadonlyArray<ReadonlySet<NodeGroup>>,
  timeLimitSeconds: number,
): Promise<number[][] | undefined> {
  const lp = new Lp();
  const at = hosts.map(() => items.map(({ count }) => lp.column(0, 0, count)));
  items.forEach(({ count }, j) =>
    lp.equal(
      hosts.map((_, h): Term => [at[h][j], 1]),
      count,
    ),
  );
  hosts.forEach((host, h) => {
    const on = (size: (g: NodeGroup) => number) => items.map(({ group }, j): Term => [at[h][j], size(group)]);
    lp.atMost(
      on((g) => g.profile.vcpu),
      host.cpu,
    );
    lp.atMost(
      on((g) => g.profile.memoryGb),
      host.memoryGb,
    );
    lp.atMost(
      on((g) => g.profile.diskGb),
      host.diskGb,
    );
    if (host.maxNodes !== undefined)
      lp.atMost(
        on((g) => (g.gateway ? 0 : 1)),
        host.maxNodes,
      );
    for (const clique of cliques)
      lp.atMost(
        on((g) => (clique.has(g) ? 1 : 0)),
        1,
      );
  });
  const solution = await solveModel(lp.arrays(), { timeLimitSeconds });
  if (!solution.values.length) return undefined;
  return at.map((row) => row.map((column) => solution.values[column]));
}
