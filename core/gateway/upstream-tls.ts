/**
 * mTLS between the gateways and nodes outside the fleet's WireGuard overlay (an Akash lease runs no
 * WireGuard: no NET_ADMIN, no tun device). The node gets a small HAProxy beside it that accepts only
 * the gateways' client certificates (the fleet's upstream CA) and forwards to the node's RPC; the
 * gateways dial it with their client certificate and check the node's name. Pure: the names, the
 * terminator's configuration and the gateway's side of it; the certificates are made by the
 * components (UpstreamCa).
 */
import { OUTSIDE_OVERLAY } from "../overlay/plan";
import type { Plan, PlannedNode } from "../plan";
import { fill, readTemplate } from "../workload/templates";

/** The terminator's public port on the node's site. */
export const UPSTREAM_TLS_PORT = 8443;
/** What the terminator takes of a lease beside the node (HAProxy proxying one node's RPC needs little). */
export const TERMINATOR_RESOURCES = { cpu: 0.5, memoryMi: 512, ephemeralGi: 1 } as const;

/** Where the terminator keeps its files inside its container (/tmp: writable for any image user). */
export const UPSTREAM_TLS_DIR = "/tmp/sovereign-upstream-tls";

/** Nodes the plan's gateways dial over mTLS: nodes of their chains that cannot join the overlay (Akash). */
export function mtlsNodes(plan: Pick<Plan, "nodes" | "gateways">): PlannedNode[] {
  const served = new Set(plan.gateways.flatMap((g) => g.chains));
  return plan.nodes.filter((n) => OUTSIDE_OVERLAY.has(n.provider) && served.has(n.chainKey));
}

/** The name in a node's server certificate, which the gateways check: `<node>.<fleet>.upstream.sovereign`. */
export function upstreamServerName(fleet: string, node: string): string {
  return `${node}.${fleet}.upstream.sovereign`;
}

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

/** What a certificate of the upstream CA is for. */
export type UpstreamCertificateUsage = "server" | "client";

/** The shell script that draws the fleet's upstream CA (run by the UpstreamCa component, and by tests). */
export function upstreamCaScript(fleet: string, templateDir?: string): string {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(fleet)) throw new Error(`fleet '${fleet}' must be a DNS label`);
  return fill(
    readTemplate("gateway/upstream-ca.sh", templateDir),
    { name: `${fleet} upstream CA` },
    "templates/gateway/upstream-ca.sh",
  );
}

/** The shell script that issues one certificate of the upstream CA (the CA's PEM on its stdin). */
export function upstreamCertificateScript(name: string, usage: UpstreamCertificateUsage, templateDir?: string): string {
  if (!/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/.test(name)) throw new Error(`certificate name '${name}' must be a DNS name`);
  return fill(
    readTemplate("gateway/upstream-cert.sh", templateDir),
    // A CN holds at most 64 characters; peers check the DNS name, which has no such limit.
    { name, cn: name.slice(0, 64), usage: usage === "server" ? "serverAuth" : "clientAuth" },
    "templates/gateway/upstream-cert.sh",
  );
}

/** Splits the scripts' output (certificate PEM, then key PEM). */
export function splitCertificateAndKey(pem: string): { certificate: string; privateKey: string } {
  const certificate = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pem)?.[0];
  const privateKey = /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]+?-----END [A-Z ]*PRIVATE KEY-----/.exec(pem)?.[0];
  if (!certificate || !privateKey) throw new Error("expected a PEM certificate followed by its private key");
  return { certificate: `${certificate}\n`, privateKey: `${privateKey}\n` };
}
