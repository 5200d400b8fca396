/**
 * A node's workload on a bare-metal host: the same compose project as on a cloud VM, with the host's
 * paths and names (several fleets share a host: core/layout's baremetalPaths) and its host ports
 * shifted (several nodes share one). One home for what `pulumi up` deploys over SSH and what
 * `sovereign render` prints.
 */
import type { Catalog } from "../catalog/load";
import { baremetalPaths, hostPortOffsets } from "../layout";
import type { WorkloadOptions } from "./render";
import { present } from "../present";

/** The workload options of a node of `fleet` on a bare-metal host: paths and project by fleet and node. */
export function baremetalWorkloadOptions(
  fleet: string,
  nodeId: string,
  hostPortOffset: number,
  extra?: WorkloadOptions,
): WorkloadOptions {
  const paths = baremetalPaths(fleet, nodeId);
  return {
    fleet,
    dataRoot: paths.dataRoot,
    configRoot: paths.configRoot,
    project: paths.project,
    hostPortOffset,
    ...extra,
  };
}

/** A bare-metal node as far as its host ports go. */
export interface BareMetalPortUser {
  id: string;
  host?: string;
  clients: Record<string, string>;
}

/**
 * The host port offset of each bare-metal node: `base` (a second fleet on the same hosts) plus its
 * shift among the nodes of its host; deployed nodes keep theirs (`deployed`: total offsets by node id).
 */
export function baremetalPortOffsets(
  nodes: readonly BareMetalPortUser[],
  catalog: Catalog,
  options: { base?: number; deployed?: Record<string, number> } = {},
): Map<string, number> {
  const base = options.base ?? 0;
  const deployed = new Map(Object.entries(options.deployed ?? {}).map(([id, total]) => [id, total - base]));
  const offsets = new Map<string, number>();
  for (const hostName of new Set(nodes.map((n) => n.host))) {
    const onHost = nodes.filter((n) => n.host === hostName).map((n) => ({ id: n.id, ports: movablePorts(n, catalog) }));
    for (const [id, off] of hostPortOffsets(onHost, deployed)) offsets.set(id, base + off);
  }
  return offsets;
}

/** The container ports of a node that Docker publishes shifted by the offset (RPC and private). */
function movablePorts(node: BareMetalPortUser, catalog: Catalog): number[] {
  return Object.values(node.clients).flatMap((id) =>
    present(catalog.clients.get(id), `client ${id}`)
      .ports.filter((p) => p.exposure === "rpc" || p.exposure === "private")
      .map((p) => p.port),
  );
}
