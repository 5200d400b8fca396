/**
 * Renders a gateway's HAProxy configuration (haproxy.cfg + the Lua lag check) from
 * templates/gateway/. Pure: no Pulumi, no network. HAProxy does the proxying, health checks,
 * retries, rate limits and TLS; this module only writes its configuration.
 */
import { createHash } from "node:crypto";
import { rpcKind, RPC_KINDS, type MethodClass, type RpcKind } from "../rpc-kinds";
import { fill, readTemplate } from "../workload/templates";
import { apiKeyProblem } from "./credentials";
import { chainIntegrity, integrityBackend, integrityRoute, renderErpcConfig, type ChainIntegrity } from "./integrity";
import { parseGatewayConfig, type GatewayApiKey, type GatewayConfig, type GatewayConfigInput } from "./types";

export const GATEWAY_FILES = {
  config: "haproxy.cfg",
  lagCheck: "lag-check.lua",
  /** The eRPC sidecar's configuration (chains with integrity reads). */
  erpc: "erpc.yaml",
  /** `<sha256 of key> <requests per second>` per line: secret. */
  apiKeys: "api-keys.map",
  /** Certificate chain + private key, PEM: secret. */
  certificate: "tls.pem",
  /** The fleet's upstream CA certificate, PEM: what an mTLS upstream's server certificate must chain to. */
  upstreamCa: "upstream-ca.pem",
  /** The gateway's upstream client certificate + private key, PEM: secret. */
  upstreamClient: "upstream-client.pem",
  /** `<backend> Basic <base64 user:password>` per chain whose nodes want credentials: secret. */
  upstreamAuth: "upstream-auth.map",
} as const;

export const DEFAULT_HTTP_PORT = 8545;
export const DEFAULT_HTTPS_PORT = 8443;
export const DEFAULT_KEY_RATE = 50;

export interface RenderedGatewayConfig {
  config: GatewayConfig;
  haproxyCfg: string;
  lagCheckLua: string;
  /** Public listener port. */
  port: number;
  /** `http` or `https`. */
  scheme: "http" | "https";
  /** Port of the private metrics listener. */
  metricsPort: number;
  /** Path of each chain on the gateway, by chain key: `/ethereum/mainnet`. */
  routes: Record<string, string>;
  /** Absolute paths of the files (as HAProxy sees them). */
  paths: Record<keyof typeof GATEWAY_FILES, string>;
  /** True when an upstream is dialled over mTLS: the upstream CA and client certificate files are needed. */
  upstreamTls: boolean;
  /** HAProxy backend name by chain key, for chains whose nodes want credentials (the keys of the upstream-auth map). */
  upstreamAuth: Record<string, string>;
  /** The integrity layer by chain key (quorum and methods), for chains with `integrity`. */
  integrity: Record<string, ChainIntegrity>;
  /** erpc.yaml of the eRPC sidecar; absent when no chain has integrity. */
  erpcYaml?: string;
}

interface Address {
  host: string;
  port: number;
  tls: boolean;
  /** mTLS: the name the server certificate must carry. */
  serverName?: string;
}

/** Renders the gateway's haproxy.cfg and lag check; throws on bad input naming the field. */
export function renderGatewayConfig(input: GatewayConfigInput, templateDir?: string): RenderedGatewayConfig {
  const c = parseGatewayConfig(input);
  const dir = c.configDir.replace(/\/+$/, "");
  const paths = Object.fromEntries(
    Object.entries(GATEWAY_FILES).map(([k, f]) => [k, `${dir}/${f}`]),
  ) as RenderedGatewayConfig["paths"];
  const port = c.listen.port ?? (c.tls ? DEFAULT_HTTPS_PORT : DEFAULT_HTTP_PORT);
  const metricsPort = Number(/:(\d+)$/.exec(c.metrics)?.[1]);
  if (!metricsPort)
    throw new Error(`gateway ${c.gateway}: metrics must be address:port, e.g. 127.0.0.1:8405 (got '${c.metrics}')`);
  if (metricsPort === port)
    throw new Error(`gateway ${c.gateway}: the metrics port ${metricsPort} is also the public port`);

  const seen = new Set<string>();
  const routes: Record<string, string> = {};
  const routeLines: string[] = [];
  const backends: string[] = [];
  const lagChains: string[] = [];
  const lagTunnels: string[] = [];
  const upstreamAuth: Record<string, string> = {};
  const integrity: Record<string, ChainIntegrity> = {};
  for (const [i, chain] of c.chains.entries()) {
    if (seen.has(chain.chain))
      throw new Error(`chains[${i}].chain: ${chain.chain} is listed twice; merge its upstreams into one entry`);
    seen.add(chain.chain);
    const r = renderChainRoutes(c, chain, i, { port, paths, templateDir });
    routes[chain.chain] = r.path;
    if (r.kind.auth === "basic") upstreamAuth[chain.chain] = r.backend;
    if (r.integrity) integrity[chain.chain] = r.integrity;
    routeLines.push(...r.routeLines);
    backends.push(...r.backends);
    lagChains.push(r.lagChain);
    lagTunnels.push(...r.lagTunnels);
  }

  const haproxyCfg = renderHaproxyCfg(c, {
    dir,
    port,
    paths,
    routeLines,
    backends: [...backends, ...lagTunnels],
    exampleRoute: Object.values(routes)[0],
    templateDir,
  });
  const lagCheckLua = fill(
    readTemplate("gateway/lag-check.lua", templateDir),
    {
      gateway: c.gateway,
      chains: `{\n${lagChains.join("\n")}\n}`,
      kinds: lagKinds(new Set(c.chains.map((ch) => ch.kind))),
      upstreamAuth: Object.keys(upstreamAuth).length ? lua(paths.upstreamAuth) : "nil",
      interval: String(c.timeouts.lagIntervalMs),
      timeout: String(c.timeouts.checkTimeoutMs),
      fall: String(c.timeouts.fall),
    },
    "templates/gateway/lag-check.lua",
  );
  const upstreamTls = c.chains.some((ch) => ch.upstreams.some((u) => u.mtls));
  const withIntegrity = c.chains.filter((ch) => integrity[ch.chain]);
  return {
    config: c,
    haproxyCfg,
    lagCheckLua,
    port,
    scheme: c.tls ? "https" : "http",
    metricsPort,
    routes,
    paths,
    upstreamTls,
    upstreamAuth,
    integrity,
    ...(withIntegrity.length
      ? {
          erpcYaml: renderErpcConfig(
            c,
            withIntegrity.map((ch) => ({ chain: ch, integrity: integrity[ch.chain] })),
          ),
        }
      : {}),
  };
}

type GatewayChain = GatewayConfig["chains"][number];

/**
 * A chain's HAProxy backend for one kind of traffic (HTTP RPC, WebSocket, integrity reads):
 * the name the rendered config gives it and the runtime API drains (components/rollout.ts).
 */
export function haproxyBackendName(traffic: "rpc" | "ws" | "integrity", chainKey: string): string {
  return `${traffic}_${chainKey.replace("/", ".")}`;
}

/** Where a gateway listens and keeps its files, as its chains' backends need them. */
interface GatewayPlace {
  /** The public port: it names the host's lag-check sockets apart. */
  port: number;
  paths: RenderedGatewayConfig["paths"];
  templateDir?: string;
}

/** One chain's routes, its backends (integrity, HTTP, WebSocket), its lag-check entry and mTLS lag tunnels. */
function renderChainRoutes(c: GatewayConfig, chain: GatewayChain, i: number, place: GatewayPlace) {
  const { paths, templateDir } = place;
  const t = c.timeouts;
  const path = `/${chain.chain}`;
  const kind = rpcKind(chain.kind);
  const backend = haproxyBackendName("rpc", chain.chain);
  const wsBackend = haproxyBackendName("ws", chain.chain);
  const pathAcl = `{ path_reg ^${path.replace(/[.-]/g, (ch) => `\\${ch}`)}(/[^/]*)?/?$ }`;
  const routeLines = [`    http-request set-var(txn.backend) str(${backend}) if ${pathAcl}`];
  const backends: string[] = [];
  let integrity: ChainIntegrity | undefined;
  if (chain.integrity) {
    integrity = chainIntegrity(chain, kind, `chains[${i}]`);
    const integrityName = haproxyBackendName("integrity", chain.chain);
    routeLines.push(integrityRoute(integrity, pathAcl, integrityName));
    backends.push(integrityBackend(c, chain, integrity, integrityName, templateDir));
  }
  if (chain.websocket)
    routeLines.push(`    http-request set-var(txn.backend) str(${wsBackend}) if websocket ${pathAcl}`);

  const servers = upstreamServers(c, chain, i, backend, place);
  const common = { chain: chain.chain, backend, wsBackend, retries: String(c.retries), kind: kind.id };
  backends.push(
    fill(
      readTemplate("gateway/backend.cfg", templateDir),
      {
        ...common,
        checkInterval: `${t.checkIntervalMs}ms`,
        fall: String(t.fall),
        rise: String(t.rise),
        errorLimit: String(t.errorLimit),
        healthCheck: healthCheck(kind, kind.auth === "basic" ? paths.upstreamAuth : undefined),
        requestRules: requestRules(kind, kind.auth === "basic" ? paths.upstreamAuth : undefined),
        writeMethods: kind.writeMethods.join(" "),
        methodBudgets: methodBudgets(kind, t),
        servers: servers.http.join("\n"),
      },
      "templates/gateway/backend.cfg",
    ),
  );
  if (chain.websocket) {
    backends.push(
      fill(
        readTemplate("gateway/backend-ws.cfg", templateDir),
        { ...common, servers: servers.ws.join("\n") },
        "templates/gateway/backend-ws.cfg",
      ),
    );
  }
  const lagChain = `  { backend = ${lua(backend)}, kind = ${lua(kind.id)}, maxLag = ${chain.maxLagBlocks}, servers = {\n${servers.lag.join("\n")}\n  } },`;
  return { path, kind, backend, integrity, routeLines, backends, lagChain, lagTunnels: servers.lagTunnels };
}

/**
 * A chain's upstreams as HAProxy `server` lines (HTTP, and WebSocket tracking them), as lag-check
 * entries, and the in-process listeners the lag check dials for mTLS upstreams.
 */
function upstreamServers(c: GatewayConfig, chain: GatewayChain, i: number, backend: string, place: GatewayPlace) {
  const { paths } = place;
  const names = new Set<string>();
  const http: string[] = [];
  const ws: string[] = [];
  const lag: string[] = [];
  const lagTunnels: string[] = [];
  for (const [j, u] of chain.upstreams.entries()) {
    const where = `chains[${i}].upstreams[${j}]`;
    if (names.has(u.node)) throw new Error(`${where}.node: ${u.node} is listed twice for ${chain.chain}`);
    names.add(u.node);
    const a = { ...parseUpstreamUrl(u.url, `${where}.url`, ["http:", "https:"]), serverName: u.mtls?.serverName };
    const backup = u.backup ? " backup" : "";
    http.push(`    server ${u.node} ${hostPort(a)} check${backup}${tlsArgs(a, paths)}  # operator ${u.operator}`);
    if (a.serverName) {
      // HAProxy's Lua HTTP client cannot show a client certificate: the lag check dials an
      // in-process listener whose server does the mTLS. A unix socket readable by HAProxy's user
      // alone (an abstract one would let any local process borrow the gateway's identity), in
      // /tmp (the config directory is read-only in the container); the public port, claimed once
      // per host, keeps the names of a host's gateways apart.
      const socket = `/tmp/sovereign-lag-${place.port}-${createHash("sha256").update(`${backend}/${u.node}`).digest("hex").slice(0, 12)}.sock`;
      const owner = c.runAs ? ` user ${c.runAs} group ${c.runAs}` : "";
      lagTunnels.push(
        `# Lag check of ${u.node} (${chain.chain}) over mTLS: lag-check.lua dials it.\n` +
          `listen lag_${backend}_${u.node}\n    bind unix@${socket} mode 600${owner}\n    server ${u.node} ${hostPort(a)}${tlsArgs(a, paths)}\n`,
      );
      lag.push(`      { name = ${lua(u.node)}, url = ${lua(`http://${u.node}/`)}, dst = ${lua(`unix@${socket}`)} },`);
    } else {
      lag.push(`      { name = ${lua(u.node)}, url = ${lua(`${a.tls ? "https" : "http"}://${hostPort(a)}/`)} },`);
    }
    if (chain.websocket) {
      const w = u.wsUrl
        ? {
            ...parseUpstreamUrl(u.wsUrl, `${where}.wsUrl`, ["ws:", "wss:", "http:", "https:"]),
            serverName: a.serverName,
          }
        : a;
      ws.push(`    server ${u.node} ${hostPort(w)} track ${backend}/${u.node}${backup}${tlsArgs(w, paths)}`);
    }
  }
  return { http, ws, lag, lagTunnels };
}

/** haproxy.cfg: global settings, the public bind (TLS or not), API keys, routes and every backend. */
function renderHaproxyCfg(
  c: GatewayConfig,
  parts: {
    dir: string;
    port: number;
    paths: RenderedGatewayConfig["paths"];
    routeLines: string[];
    backends: string[];
    exampleRoute: string;
    templateDir?: string;
  },
): string {
  const { paths } = parts;
  const t = c.timeouts;
  const bind = `${bracket(c.listen.address)}:${parts.port}`;
  const binds = c.tls ? `    bind ${bind} ssl crt ${paths.certificate} alpn h2,http/1.1` : `    bind ${bind}`;
  return fill(
    readTemplate("gateway/haproxy.cfg", parts.templateDir),
    {
      gateway: c.gateway,
      configDir: parts.dir,
      apiKeyMap: paths.apiKeys,
      certificate: paths.certificate,
      globalExtra: [
        c.runAs ? `    user ${c.runAs}\n    group ${c.runAs}` : "    # runs as the user that starts it",
        c.threads ? `    nbthread ${c.threads}` : "",
      ]
        .filter(Boolean)
        .join("\n"),
      accessLog: c.accessLog ? "    log global" : "    no log",
      connectTimeout: `${t.connectMs}ms`,
      serverTimeout: `${t.serverMs}ms`,
      checkTimeout: `${t.checkTimeoutMs}ms`,
      binds,
      routes: parts.routeLines.join("\n"),
      apiKeyRules: c.apiKeys ? apiKeyRules(paths.apiKeys) : "    # no API keys: open endpoint",
      apiKeyTable: c.apiKeys
        ? "# Request rate per API key (by its hash): the limit of each key comes from the key map.\n" +
          "backend api_keys\n    stick-table type string len 64 size 100k expire 60s store http_req_rate(1s)\n"
        : "",
      backends: parts.backends.join("\n"),
      exampleRoute: parts.exampleRoute,
      metricsBind: c.metrics,
    },
    "templates/gateway/haproxy.cfg",
  );
}

/**
 * The kind's `http-check` lines. A check carries `Host: localhost` (Go's HTTP servers, btcd and
 * CometBFT among them, refuse a request without Host; geth accepts localhost by default) and, for
 * nodes that want credentials, the Authorization the secret map holds for the backend.
 */
function healthCheck(kind: RpcKind, authMap: string | undefined): string {
  const auth = authMap ? ` hdr authorization "%[be_name,map(${authMap})]"` : "";
  const step = (c: { body: string; expect: readonly string[] }) => [
    `    http-check send meth POST uri / ver HTTP/1.1 hdr host localhost hdr content-type application/json${auth} body ${JSON.stringify(c.body)}`,
    ...c.expect.map((e) => `    http-check expect ${e}`),
  ];
  if (!kind.stateCheck) return step(kind.healthCheck).join("\n");
  // Deep health: a second request reads state; each step opens its own connection, as the server's
  // check would (`connect default`: its address, port and TLS).
  return [
    "    http-check connect default",
    ...step(kind.healthCheck),
    "    http-check connect default",
    ...step(kind.stateCheck),
  ].join("\n");
}

/** Refused methods (403), and the node's credentials from the secret map in place of anything a client sent. */
function requestRules(kind: RpcKind, authMap: string | undefined): string {
  const rules: string[] = [];
  if (kind.deniedMethods.length) {
    const names = kind.deniedMethods.join("|");
    rules.push(
      `    # Node administration and wallets stay with the operator.`,
      `    http-request return status 403 content-type application/json string '{"jsonrpc":"2.0","id":null,"error":{"code":-32601,"message":"this method is not served by the gateway"}}' if { req.body -m reg "\\"method\\"[[:space:]]*:[[:space:]]*\\"(${names})\\"" }`,
    );
  }
  rules.push(
    authMap
      ? `    # The node's credentials (secret map), never a client's.\n    http-request set-header authorization "%[be_name,map(${authMap})]"`
      : "    http-request del-header authorization",
  );
  return rules.join("\n");
}

/** The budget setting of each method class. */
const BUDGET_OF: Record<MethodClass, "headMs" | "heavyMs" | "traceMs"> = {
  head: "headMs",
  heavy: "heavyMs",
  trace: "traceMs",
};

/**
 * `set-timeout server` per method class, lightest first so a batch naming a heavier method ends
 * with the heavier budget; `head` only for a single call (a body that starts with `{`).
 */
function methodBudgets(kind: RpcKind, t: GatewayConfig["timeouts"]): string {
  const rules: string[] = [];
  for (const cls of ["head", "heavy", "trace"] as const) {
    const names = kind.methodClasses[cls].map((m) => m.replace(/\*$/, "[A-Za-z0-9_]*"));
    if (!names.length) continue;
    const single = cls === "head" ? ` { req.body -m reg "^[[:space:]]*[{]" }` : "";
    rules.push(
      `    http-request set-timeout server ${t[BUDGET_OF[cls]]}ms if${single} { req.body -m reg "\\"method\\"[[:space:]]*:[[:space:]]*\\"(${names.join("|")})\\"" }`,
    );
  }
  return rules.join("\n");
}

/** lag-check.lua's head parsers of the kinds served, by kind id. */
function lagKinds(kinds: Set<string>): string {
  const entries = [...RPC_KINDS.values()]
    .filter((k) => kinds.has(k.id))
    .map((k) => `  [${lua(k.id)}] = { body = ${lua(k.head.body)}, parse = ${k.head.parse} },`);
  return `{\n${entries.join("\n")}\n}`;
}

function apiKeyRules(map: string): string {
  const error = (code: number, message: string) =>
    `'{"jsonrpc":"2.0","id":null,"error":{"code":${code},"message":"${message}"}}'`;
  return [
    "    # API key from x-api-key, else the last path segment; looked up by its SHA-256, never logged.",
    "    http-request set-var(txn.apikey) req.hdr(x-api-key) if { req.hdr(x-api-key) -m found }",
    "    http-request set-var(txn.apikey) path,field(4,/) unless { var(txn.apikey) -m found }",
    "    http-request set-var(txn.key_hash) var(txn.apikey),sha2(256),hex,lower",
    `    http-request set-var(txn.key_limit) var(txn.key_hash),map_str(${map})`,
    `    http-request return status 401 content-type application/json string ${error(-32001, "missing or unknown API key")} unless { var(txn.key_limit) -m found }`,
    "    http-request track-sc0 var(txn.key_hash) table api_keys",
    `    http-request return status 429 content-type application/json string ${error(-32005, "rate limit of this API key exceeded")} if { sc_http_req_rate(0),sub(txn.key_limit) gt 0 }`,
  ].join("\n");
}

/** The API key map file: one `<sha256 hex> <requests per second>` line per key. Secret. */
export function renderApiKeyMap(keys: readonly GatewayApiKey[]): string {
  const seen = new Set<string>();
  const lines = keys.map((k, i) => {
    if (!k.name) throw new Error(`apiKeys[${i}].name: give the key a name (who holds it)`);
    const problem = apiKeyProblem(k.key ?? "");
    if (problem) throw new Error(`apiKeys[${i}] (${k.name}): ${problem}`);
    if (seen.has(k.key)) throw new Error(`apiKeys[${i}] (${k.name}): the same key is given twice`);
    seen.add(k.key);
    const rate = k.requestsPerSecond ?? DEFAULT_KEY_RATE;
    if (!Number.isInteger(rate) || rate < 1)
      throw new Error(`apiKeys[${i}] (${k.name}).requestsPerSecond must be a whole number >= 1`);
    return `${createHash("sha256").update(k.key).digest("hex")} ${rate}`;
  });
  return `${lines.join("\n")}\n`;
}

/** HAProxy's crt file: certificate chain then private key, PEM. Secret. */
export function renderCertificateFile(certificate: string, privateKey: string): string {
  if (!/-----BEGIN CERTIFICATE-----/.test(certificate))
    throw new Error("tls.certificate: expected a PEM certificate (-----BEGIN CERTIFICATE-----)");
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(privateKey))
    throw new Error("tls.privateKey: expected a PEM private key (a 'BEGIN ... PRIVATE KEY' block)");
  return `${certificate.trim()}\n${privateKey.trim()}\n`;
}

function parseUpstreamUrl(raw: string, where: string, schemes: string[]): Address {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new Error(`${where}: '${raw}' is not a URL; write http://host:port`);
  }
  if (!schemes.includes(u.protocol))
    throw new Error(`${where}: scheme ${u.protocol} is not one of ${schemes.join(" ")}`);
  if (u.pathname !== "/" || u.search || u.username || u.password) {
    throw new Error(
      `${where}: give only scheme://host:port (no path, query or credentials): HAProxy forwards every request to /`,
    );
  }
  const tls = u.protocol === "https:" || u.protocol === "wss:";
  const port = u.port ? Number(u.port) : tls ? 443 : 80;
  return { host: u.hostname.replace(/^\[|\]$/g, ""), port, tls };
}

function hostPort(a: Address): string {
  return `${bracket(a.host)}:${a.port}`;
}

function bracket(host: string): string {
  return host.includes(":") ? `[${host}]` : host;
}

/**
 * TLS to https upstreams: public TLS against the system CAs, or mTLS (the fleet's upstream CA, the
 * gateway's client certificate, the node's name checked); hostnames resolved at run time too, so
 * an unresolvable name never stops the gateway.
 */
function tlsArgs(a: Address, paths: RenderedGatewayConfig["paths"]): string {
  const tls = a.serverName
    ? ` ssl verify required ca-file ${paths.upstreamCa} crt ${paths.upstreamClient} sni str(${a.serverName}) verifyhost ${a.serverName} check-sni ${a.serverName}`
    : a.tls
      ? ` ssl verify required ca-file @system-ca sni str(${a.host}) check-sni ${a.host}`
      : "";
  return isIp(a.host) ? tls : `${tls} resolvers system init-addr last,libc,none`;
}

function isIp(host: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.includes(":");
}

function lua(s: string): string {
  return JSON.stringify(s);
}
