/**
 * The mTLS terminator beside a node outside the overlay (Akash): a small HAProxy that accepts only
 * the gateways' client certificates (the fleet's upstream CA) and forwards to the node's RPC. It is
 * part of the node's workload (the Akash SDL runs it, the cost model prices it); the gateways' side
 * of the mTLS is in core/gateway/upstream-tls.
 */
import { fill, readTemplate } from "./templates";

/** The terminator's public port on the node's site. */
export const UPSTREAM_TLS_PORT = 8443;
/** What the terminator takes of a lease beside the node (HAProxy proxying one node's RPC needs little). */
export const TERMINATOR_RESOURCES = { cpu: 0.5, memoryMi: 512, ephemeralGi: 1 } as const;

/** Where the terminator keeps its files inside its container (/tmp: writable for any image user). */
export const UPSTREAM_TLS_DIR = "/tmp/sovereign-upstream-tls";

export interface UpstreamTerminatorInput {
  /** Node id (server name in the config, for logs). */
  node: string;
  /** `host:port` of the node's JSON-RPC as the terminator reaches it (an Akash service name: `execution:8545`). */
  rpc: string;
  /** `host:port` of the node's WebSocket when it is not `rpc`. @default WebSocket goes to `rpc` */
  ws?: string;
  /** @default UPSTREAM_TLS_PORT */
  port?: number;
  /** @default UPSTREAM_TLS_DIR */
  dir?: string;
}

export interface RenderedUpstreamTerminator {
  haproxyCfg: string;
  port: number;
  /** Files the terminator reads: its certificate + key (secret) and the upstream CA. */
  paths: { certificate: string; ca: string; config: string };
}

/** The terminator's haproxy.cfg. Holds no secret: the key is in `paths.certificate`. */
export function renderUpstreamTerminator(
  input: UpstreamTerminatorInput,
  templateDir?: string,
): RenderedUpstreamTerminator {
  const hostPort = /^[a-z0-9.-]+:\d{1,5}$/;
  if (!hostPort.test(input.rpc)) throw new Error(`${input.node}: rpc must be host:port (got '${input.rpc}')`);
  if (input.ws !== undefined && !hostPort.test(input.ws))
    throw new Error(`${input.node}: ws must be host:port (got '${input.ws}')`);
  const port = input.port ?? UPSTREAM_TLS_PORT;
  const dir = (input.dir ?? UPSTREAM_TLS_DIR).replace(/\/+$/, "");
  const paths = { certificate: `${dir}/server.pem`, ca: `${dir}/ca.pem`, config: `${dir}/haproxy.cfg` };
  const ws = input.ws && input.ws !== input.rpc;
  const haproxyCfg = fill(
    readTemplate("gateway/upstream-tls.cfg", templateDir),
    {
      node: input.node,
      port: String(port),
      certificate: paths.certificate,
      ca: paths.ca,
      rpc: input.rpc,
      wsRoute: ws ? "    use_backend ws if websocket" : "",
      wsBackend: ws ? `\nbackend ws\n    server ${input.node} ${input.ws}\n` : "",
    },
    "templates/gateway/upstream-tls.cfg",
  );
  return { haproxyCfg, port, paths };
}
