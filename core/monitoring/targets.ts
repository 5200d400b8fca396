/**
 * What a monitor scrapes, as Prometheus file_sd target groups: node_exporter on every machine, each
 * client's metrics port (from the catalog, reached over the overlay: the port stays private), the
 * gateways' HAProxy exporter and blackbox probes of every public RPC endpoint. Every target carries
 * the plan's labels (node, chain, operator, region, jurisdiction, client), so the alert rules and
 * `sovereign status` can join live state with the plan.
 */
import type { Catalog } from "../catalog/load";
import type { Plan, PlannedNode } from "../plan/types";

/** Port of node_exporter on every machine (its default). */
export const NODE_EXPORTER_PORT = 9100;
/** Port of HAProxy's built-in Prometheus exporter on a gateway (core/gateway: `metrics` listener). */
export const HAPROXY_EXPORTER_PORT = 8405;
/** Port of the eRPC sidecar's exporter on a gateway with integrity reads (core/gateway: `erpc.metricsPort`). */
export const ERPC_EXPORTER_PORT = 4001;

/** The jobs of the scrape config; the rules select on them. */
export const JOBS = {
  node: "node",
  nodeProbe: "node-probe",
  client: "client",
  haproxy: "haproxy",
  erpc: "erpc",
  rpcProbe: "rpc-probe",
  dnsProbe: "dns-probe",
} as const;

/** One file_sd target group. */
export interface TargetGroup {
  targets: string[];
  labels: Record<string, string>;
}

/** Where the monitor reaches each machine: its overlay address (and, on a shared host, the node's port offset). */
export interface MachineAddress {
  address: string;
  portOffset?: number;
}

export interface TargetInput {
  plan: Pick<Plan, "nodes" | "gateways">;
  catalog: Pick<Catalog, "clients" | "chains">;
  /** By node id, gateway id or bare-metal host name. */
  addresses: Readonly<Record<string, MachineAddress>>;
  /** Public RPC URLs (the fleet's hostname and each gateway endpoint) probed from outside with a real request. */
  endpoints?: readonly string[];
  /** DNS servers of the fleet's zone (host or host:port), probed with a query for the zone's SOA. */
  dnsServers?: readonly string[];
  /** node_exporter's port on every machine; NODE_EXPORTER_PORT unless given. */
  nodeExporterPort?: number;
}

/** The plan's labels of a node: what the sovereignty rules group by. */
export function nodeLabels(n: PlannedNode): Record<string, string> {
  return {
    node: n.id,
    chain: n.chainKey,
    operator: n.operator,
    region: n.region,
    jurisdiction: n.jurisdiction,
  };
}

function addressOf(addresses: TargetInput["addresses"], machine: string): MachineAddress {
  const found = Object.hasOwn(addresses, machine) ? addresses[machine] : undefined;
  if (!found) throw new Error(`monitoring: no overlay address for ${machine}; every planned machine needs one`);
  return found;
}

const hostPort = (a: MachineAddress, port: number) => `${a.address}:${port + (a.portOffset ?? 0)}`;

/** The client's metrics port from the catalog, or undefined when it has none (bitcoind). */
export function metricsPort(catalog: TargetInput["catalog"], clientId: string): number | undefined {
  return catalog.clients.get(clientId)?.ports.find((p) => p.name === "metrics")?.port;
}

function clientTargets(n: PlannedNode, address: MachineAddress, catalog: TargetInput["catalog"]): TargetGroup[] {
  const rpcLayer = catalog.chains.get(n.chain)?.rpc.layer;
  return Object.entries(n.clients).flatMap(([layer, clientId]) => {
    const port = metricsPort(catalog, clientId);
    if (port === undefined) return [];
    return [
      {
        targets: [hostPort(address, port)],
        labels: { ...nodeLabels(n), layer, client: clientId, rpc_layer: String(rpcLayer === layer) },
      },
    ];
  });
}

function rpcProbeTarget(
  n: PlannedNode,
  address: MachineAddress,
  catalog: TargetInput["catalog"],
): TargetGroup | undefined {
  const rpc = catalog.chains.get(n.chain)?.rpc;
  const clientId = rpc && Object.hasOwn(n.clients, rpc.layer) ? n.clients[rpc.layer] : undefined;
  const port = clientId ? catalog.clients.get(clientId)?.ports.find((p) => p.name === rpc?.port)?.port : undefined;
  if (!rpc || !clientId || port === undefined) return undefined;
  return { targets: [hostPort(address, port)], labels: { ...nodeLabels(n), layer: rpc.layer, client: clientId } };
}

/** Target groups per job, ready to be written as `<job>.json` file_sd files. */
export function renderTargets(input: TargetInput): Record<string, TargetGroup[]> {
  const { plan, catalog, addresses } = input;
  const exporterPort = input.nodeExporterPort ?? NODE_EXPORTER_PORT;
  const node: TargetGroup[] = [];
  const client: TargetGroup[] = [];
  const nodeProbe: TargetGroup[] = [];
  const machines = new Set<string>();
  for (const n of plan.nodes) {
    const address = addressOf(addresses, n.id);
    // Nodes sharing a bare-metal host share its node_exporter: one target per machine address.
    const machine = n.host ?? n.id;
    if (!machines.has(machine)) {
      machines.add(machine);
      const { node: id, chain, ...placement } = nodeLabels(n);
      const labels = n.host ? { machine, ...placement } : { machine, node: id, chain, ...placement };
      node.push({ targets: [`${address.address}:${exporterPort}`], labels });
    }
    const scraped = clientTargets(n, address, catalog);
    client.push(...scraped);
    // A node whose clients serve no metrics (bitcoind) is still seen: a TCP probe of its RPC port.
    const probe = scraped.length ? undefined : rpcProbeTarget(n, address, catalog);
    if (probe) nodeProbe.push(probe);
  }
  const haproxy: TargetGroup[] = [];
  const erpc: TargetGroup[] = [];
  for (const g of plan.gateways) {
    const address = addressOf(addresses, g.id);
    const labels = { gateway: g.id, operator: g.operator, region: g.region, jurisdiction: g.jurisdiction };
    if (!machines.has(g.host ?? g.id)) {
      machines.add(g.host ?? g.id);
      node.push({
        targets: [`${address.address}:${exporterPort}`],
        labels: { machine: g.host ?? g.id, ...labels },
      });
    }
    haproxy.push({ targets: [hostPort(address, HAPROXY_EXPORTER_PORT)], labels });
    if (g.integrity && Object.keys(g.integrity).length)
      erpc.push({ targets: [hostPort(address, ERPC_EXPORTER_PORT)], labels });
  }
  return {
    [JOBS.node]: node,
    [JOBS.client]: client,
    [JOBS.nodeProbe]: nodeProbe,
    [JOBS.haproxy]: haproxy,
    [JOBS.erpc]: erpc,
    [JOBS.rpcProbe]: (input.endpoints ?? []).map((url) => ({ targets: [url], labels: { endpoint: url } })),
    [JOBS.dnsProbe]: (input.dnsServers ?? []).map((server) => ({ targets: [server], labels: { server } })),
  };
}
