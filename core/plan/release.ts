/**
 * The release a node runs: the image of each of its clients, by layer. The deploy records it per
 * node once the node has started with it (a marker resource, read back from `pulumi stack export`,
 * and the node's stack output `release`), so a rollout stopped midway shows which nodes run which
 * release; `sovereign status` names the chains whose nodes differ.
 */
import type { Catalog } from "../catalog/load";
import type { PlannedNode } from "./types";

/** Image (`repository:tag`) by client layer. */
export type NodeRelease = Record<string, string>;

/** The release the catalog pins for a node's clients: what its next start runs. */
export function nodeRelease(node: Pick<PlannedNode, "id" | "clients">, catalog: Pick<Catalog, "clients">): NodeRelease {
  return Object.fromEntries(
    Object.entries(node.clients).map(([layer, clientId]) => {
      const image = catalog.clients.get(clientId)?.image;
      if (!image) throw new Error(`${node.id}: client ${clientId} (${layer}) is not in the catalog`);
      return [layer, `${image.repository}:${image.tag}`];
    }),
  );
}

/** One line for a release: the image of a one-client node, else `layer=image` by layer. */
export function releaseText(release: NodeRelease): string {
  const layers = Object.keys(release).sort();
  return layers.length === 1 ? release[layers[0]] : layers.map((l) => `${l}=${release[l]}`).join(", ");
}

/** Keys of the marker's record (a resource's `environment` that runs nothing): the node, then each layer's image. */
const NODE_KEY = "sovereign:node";
const LAYER_PREFIX = "sovereign:release:";

/** The record the deploy keeps per node after the node started with `release`. */
export function releaseMarker(nodeId: string, release: NodeRelease): Record<string, string> {
  return {
    [NODE_KEY]: nodeId,
    ...Object.fromEntries(Object.entries(release).map(([layer, image]) => [`${LAYER_PREFIX}${layer}`, image])),
  };
}

/** The node and release of a marker record; undefined for any other record. */
export function markerRelease(record: Record<string, unknown>): { node: string; release: NodeRelease } | undefined {
  const node = record[NODE_KEY];
  if (typeof node !== "string") return undefined;
  const release = Object.fromEntries(
    Object.entries(record).flatMap(([k, v]) =>
      k.startsWith(LAYER_PREFIX) && typeof v === "string" ? [[k.slice(LAYER_PREFIX.length), v]] : [],
    ),
  );
  return Object.keys(release).length ? { node, release } : undefined;
}

/** A chain whose nodes run different releases: each release with its nodes, and the nodes of no known release. */
export interface MixedChain {
  chain: string;
  releases: Array<{ release: string; nodes: string[] }>;
  unknown: string[];
}

/** The chains whose nodes run more than one known release (a rollout stopped midway, or under way). */
export function mixedChains(nodes: ReadonlyArray<{ id: string; chain: string; release?: string }>): MixedChain[] {
  const byChain = new Map<string, Array<{ id: string; release?: string }>>();
  for (const n of nodes) byChain.set(n.chain, [...(byChain.get(n.chain) ?? []), n]);
  return [...byChain]
    .sort(([a], [b]) => a.localeCompare(b))
    .flatMap(([chain, list]) => {
      const releases = new Map<string, string[]>();
      for (const n of list) if (n.release) releases.set(n.release, [...(releases.get(n.release) ?? []), n.id]);
      if (releases.size < 2) return [];
      return [
        {
          chain,
          releases: [...releases]
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([release, ids]) => ({ release, nodes: ids.sort() })),
          unknown: list.filter((n) => !n.release).map((n) => n.id),
        },
      ];
    });
}
