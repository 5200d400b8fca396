/**
 * A planned gateway's upstreams, from the plan and the catalog: every node of each chain it
 * serves, its operator, its RPC port and (when its client serves one) its WebSocket port. Pure:
 * the component turns node ids into URLs from the deployed hosts' `rpcEndpoint`s.
 */
import type { Catalog } from "../catalog/load";
import type { Plan, PlannedGateway, PlannedNode } from "../plan";
import { rpcKind } from "../rpc-kinds";

/** Clients that serve WebSocket on their HTTP RPC port (the catalog lists a separate `ws` port for the others). */
export const WS_ON_RPC_PORT: ReadonlySet<string> = new Set(["anvil"]);

export interface PlannedUpstream {
  node: string;
  operator: string;
  backup: boolean;
  /** The catalog's RPC port of the node's RPC client (hosts may publish it shifted). */
  rpcPort: number;
  /** The catalog's WebSocket port, when the client serves WebSocket. */
  wsPort?: number;
}

export interface PlannedGatewayChain {
  chain: string;
  /** The chain's RPC kind (catalog `rpc.kind`, a folder of core/rpc-kinds). */
  kind: string;
  maxLagBlocks: number;
  /** True when every upstream serves WebSocket. */
  websocket: boolean;
  upstreams: PlannedUpstream[];
  /** The plan's integrity layer of the chain (gateways.integrity), with the chain's id from the catalog. */
  integrity?: { chainId: number; minOperators: number; methods?: string[] };
}

export interface GatewayChainsOptions {
  /** Which nodes serve only as backup (paid or remote). @default none */
  backup?: (node: PlannedNode) => boolean;
  /** @default 3 */
  maxLagBlocks?: number;
}

/** The chains of `gateway` with every planned node of each as an upstream. */
export function gatewayChains(
  plan: Plan,
  gateway: PlannedGateway,
  catalog: Catalog,
  options: GatewayChainsOptions = {},
): PlannedGatewayChain[] {
  return gateway.chains.map((key) => {
    const nodes = plan.nodes.filter((n) => n.chainKey === key);
    if (nodes.length === 0) throw new Error(`${gateway.id}: the plan has no node of ${key} to serve`);
    const kind = rpcKind(catalog.chains.get(nodes[0].chain)?.rpc.kind ?? "evm").id;
    const upstreams = nodes.map((n): PlannedUpstream => {
      const chain = catalog.chains.get(n.chain);
      if (!chain) throw new Error(`${n.id}: unknown chain '${n.chain}'`);
      const clientId = n.clients[chain.rpc.layer];
      const client = catalog.clients.get(clientId);
      const rpc = client?.ports.find((p) => p.name === chain.rpc.port)?.port;
      if (rpc === undefined) throw new Error(`${n.id}: client ${clientId} has no port ${chain.rpc.port}`);
      const ws = WS_ON_RPC_PORT.has(clientId) ? rpc : client?.ports.find((p) => p.name === "ws")?.port;
      return {
        node: n.id,
        operator: n.operator,
        backup: options.backup?.(n) ?? false,
        rpcPort: rpc,
        ...(ws === undefined ? {} : { wsPort: ws }),
      };
    });
    return {
      chain: key,
      kind,
      maxLagBlocks: options.maxLagBlocks ?? 3,
      websocket: upstreams.every((u) => u.wsPort !== undefined),
      upstreams,
      ...integrityOf(gateway, key, kind, catalog.chains.get(nodes[0].chain)?.chainIds?.[nodes[0].network]),
    };
  });
}

/**
 * The chain's integrity layer from the plan: none for a chain whose RPC kind has no integrity
 * methods and whose spec names none (served as before); a chain with one but no chain id in the
 * catalog is an error.
 */
function integrityOf(gateway: PlannedGateway, key: string, kind: string, chainId: number | undefined) {
  const planned = gateway.integrity?.[key];
  if (!planned || (!planned.methods && !rpcKind(kind).integrityMethods?.length)) return {};
  if (chainId === undefined)
    throw new Error(
      `${gateway.id}: ${key} has no chain id in the catalog (chains[].chainIds), which eRPC's integrity layer needs; add it or leave the chain out of gateways.integrity`,
    );
  const { minOperators, methods } = planned;
  return { integrity: { chainId, minOperators, ...(methods ? { methods } : {}) } };
}

/** `url` with the WebSocket port in place of the RPC port, keeping any host port shift. */
export function wsUrlOf(rpcUrl: string, u: PlannedUpstream): string {
  if (u.wsPort === undefined) throw new Error(`${u.node} serves no WebSocket`);
  const url = new URL(rpcUrl);
  const shift = Number(url.port || (url.protocol === "https:" ? 443 : 80)) - u.rpcPort;
  url.port = String(u.wsPort + shift);
  return url.toString().replace(/\/$/, "");
}
