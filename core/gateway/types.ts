/**
 * What a gateway's HAProxy configuration is rendered from, validated with zod so bad input names
 * the field and the fix. Plain data: URLs are resolved strings here (the component resolves
 * Pulumi Outputs first), and secrets (API keys, the TLS key) are not part of it: they go to
 * {@link renderGatewaySecretFiles} as values.
 */
import { z } from "zod";
import { SpecError, pathToString } from "../errors";
import { RPC_KINDS } from "../rpc-kinds";

const NAME = /^[a-z0-9][a-z0-9_.-]*$/;
const nameField = (what: string) =>
  z.string().regex(NAME, `${what} must be lower-case letters, digits, - _ . (e.g. devnet-lab-1)`);

/** A JSON-RPC upstream of one chain: a node of the fleet, or a paid endpoint kept as backup. */
export const GatewayUpstream = z
  .object({
    /** Node id (the server name in HAProxy). */
    node: nameField("upstream node"),
    /** `http://host:port` (or https) of the node's JSON-RPC; no path. */
    url: z.string(),
    /** WebSocket URL when it differs from `url` (geth serves WS on 8546). @default same host and port as `url` */
    wsUrl: z.string().optional(),
    /** Operator of the node (logged, reported). */
    operator: z.string().min(1),
    /** Use only when no primary upstream is usable (paid or remote endpoints). @default false */
    backup: z.boolean().default(false),
    /**
     * Dial it over mutual TLS (an `https` URL): the gateway shows the fleet's upstream client
     * certificate and accepts only a server certificate of the fleet's upstream CA for
     * `serverName`. For nodes outside the overlay (Akash leases). @default none (plain or public TLS)
     */
    mtls: z
      .object({
        serverName: z
          .string()
          .regex(
            /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/,
            "serverName must be a DNS name, e.g. devnet-akash-1.lab.upstream.sovereign",
          ),
      })
      .strict()
      .optional(),
  })
  .strict()
  .refine((u) => !u.mtls || u.url.startsWith("https://"), {
    message: "an upstream with mtls needs an https:// url",
    path: ["url"],
  });
export type GatewayUpstream = z.input<typeof GatewayUpstream>;

export const GatewayChain = z
  .object({
    /** Chain key `chain/network`, e.g. `ethereum/mainnet`; served under `/<chain>/<network>`. */
    chain: z.string().regex(/^[a-z0-9-]+\/[a-z0-9-]+$/, "chain must be a key chain/network, e.g. ethereum/mainnet"),
    /** The catalog's `rpc.kind` of the chain: a folder of core/rpc-kinds (health check, head, writes, auth). @default "evm" */
    kind: z
      .string()
      .default("evm")
      .refine((k) => RPC_KINDS.has(k), {
        message: `kind must be an RPC kind of core/rpc-kinds: ${[...RPC_KINDS.keys()].join(", ")}`,
      }),
    upstreams: z.array(GatewayUpstream).min(1, "a chain needs at least one upstream node"),
    /** Blocks an upstream may trail the best upstream's head before it is drained. @default 3 */
    maxLagBlocks: z.number().int().min(0).default(3),
    /** Pass WebSocket upgrades through to the nodes (chains whose clients serve WS). @default false */
    websocket: z.boolean().default(false),
    /**
     * Integrity reads: these methods go to the eRPC sidecar, which answers only when nodes on
     * `minOperators` operators agree (core/diversity/quorum.ts), else with a JSON-RPC error.
     * @default none (every method on HAProxy)
     */
    integrity: z
      .object({
        /** The chain's EVM chain id (eRPC's network). */
        chainId: z.number().int().positive(),
        /** @default 2 */
        minOperators: z.number().int().min(2).default(2),
        /** @default the RPC kind's `integrityMethods` */
        methods: z
          .array(z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, "a JSON-RPC method name"))
          .min(1)
          .optional(),
      })
      .strict()
      .optional(),
  })
  .strict();
export type GatewayChain = z.input<typeof GatewayChain>;

/**
 * The gateway's timings, chosen for nodes on other providers' networks (round trips up to ~300 ms
 * between continents) that must still fail over within a wallet's timeout (viem's `timeout: 2000`
 * with a dead or frozen node: bench/gateway-timeouts.bench.ts). Each is stack config
 * (`sovereign:gatewayTimeouts`, docs/deploy.md) and explained in docs/gateway.md.
 */
export const GATEWAY_TIMEOUTS = {
  /** A SYN and its answer over the longest path, twice; a dead host costs this before the retry. */
  connectMs: 500,
  /** Methods in no class of the chain's RPC kind (state reads, blocks, receipts, writes). */
  serverMs: 5000,
  /** `head` methods (core/rpc-kinds): answered from memory, so a node slower than this is stuck. */
  headMs: 1000,
  /** `heavy` methods: eth_getLogs over a block range, eth_call (geth stops one at 5 s), whole blocks. */
  heavyMs: 15000,
  /** `trace` methods: debug_trace*, trace_*, a UTXO-set scan (geth's HTTP server cuts answers at 30 s). */
  traceMs: 30000,
  checkIntervalMs: 500,
  checkTimeoutMs: 1000,
  fall: 2,
  rise: 2,
  lagIntervalMs: 1000,
  errorLimit: 2,
} as const;

const ms = (what: string, fallback: number) =>
  z.number().int().positive().max(3_600_000, `${what} is at most 3600000 (an hour)`).default(fallback);

/** Timings of a gateway (`GatewayConfigInput.timeouts`, stack config `sovereign:gatewayTimeouts`); defaults in GATEWAY_TIMEOUTS. */
export const GatewayTimeouts = z
  .object({
    /** Connect to an upstream; a dead host costs this much before the retry. @default 500 */
    connectMs: ms("connectMs", GATEWAY_TIMEOUTS.connectMs),
    /** Wait for an upstream's answer to a method of no class; a read that times out is retried elsewhere. @default 5000 */
    serverMs: ms("serverMs", GATEWAY_TIMEOUTS.serverMs),
    /** Same, for the RPC kind's `head` methods (eth_blockNumber, getblockcount, status, server_info...). @default 1000 */
    headMs: ms("headMs", GATEWAY_TIMEOUTS.headMs),
    /** Same, for `heavy` methods (eth_getLogs, eth_call, getblock, tx_search...). @default 15000 */
    heavyMs: ms("heavyMs", GATEWAY_TIMEOUTS.heavyMs),
    /** Same, for `trace` methods (debug_trace*, trace_*, scantxoutset...). @default 30000 */
    traceMs: ms("traceMs", GATEWAY_TIMEOUTS.traceMs),
    /** Health check interval. @default 500 */
    checkIntervalMs: ms("checkIntervalMs", GATEWAY_TIMEOUTS.checkIntervalMs),
    /** Health check timeout. @default 1000 */
    checkTimeoutMs: ms("checkTimeoutMs", GATEWAY_TIMEOUTS.checkTimeoutMs),
    /** Failed checks before a server is down. @default 2 */
    fall: z.number().int().positive().max(100).default(GATEWAY_TIMEOUTS.fall),
    /** Passed checks before it is up again. @default 2 */
    rise: z.number().int().positive().max(100).default(GATEWAY_TIMEOUTS.rise),
    /** Lag check period (the head of every upstream, asked the way its RPC kind says). @default 1000 */
    lagIntervalMs: ms("lagIntervalMs", GATEWAY_TIMEOUTS.lagIntervalMs),
    /** Failed connections in a row from live traffic that mark a server down before its checks do. @default 2 */
    errorLimit: z.number().int().positive().max(100).default(GATEWAY_TIMEOUTS.errorLimit),
  })
  .strict();
export type GatewayTimeouts = z.input<typeof GatewayTimeouts>;

export const GatewayConfigInput = z
  .object({
    /** Gateway id (a PlannedGateway's id). */
    gateway: nameField("gateway"),
    chains: z.array(GatewayChain).min(1, "a gateway serves at least one chain"),
    /** Public JSON-RPC listener. */
    listen: z
      .object({
        /** @default "0.0.0.0" */
        address: z.string().default("0.0.0.0"),
        /** @default 8545 (plain HTTP) or 8443 (with tls) */
        port: z.number().int().min(1).max(65535).optional(),
      })
      .strict()
      .default({ address: "0.0.0.0" }),
    /** HTTPS on the public listener from a certificate given as a secret file. @default false (plain HTTP) */
    tls: z.boolean().default(false),
    /**
     * API keys are required: requests carry one in `x-api-key` or as the last path segment
     * (`/<chain>/<network>/<key>`), each with its own rate limit. @default false (open endpoint)
     */
    apiKeys: z.boolean().default(false),
    /** Prometheus exporter (`/metrics`) and stats page (`/stats`): a private address. @default "127.0.0.1:8405" */
    metrics: z.string().default("127.0.0.1:8405"),
    /** Directory holding haproxy.cfg, lag-check.lua and the secret files, as HAProxy sees it. @default "/etc/haproxy/sovereign" */
    configDir: z
      .string()
      .regex(/^\/[^\s'"]*$/, "configDir must be an absolute path without spaces or quotes")
      .default("/etc/haproxy/sovereign"),
    /** Drop root after reading the config (Debian and the official image have a `haproxy` user). @default "haproxy" */
    runAs: z.string().regex(NAME).nullable().default("haproxy"),
    timeouts: GatewayTimeouts.default(GATEWAY_TIMEOUTS),
    /** HAProxy threads. @default one per CPU (HAProxy's own default) */
    threads: z.number().int().min(1).max(64).optional(),
    /** Log one line per request to stdout (no request line, so no API key). @default true */
    accessLog: z.boolean().default(true),
    /** Attempts on other upstreams after the first fails. @default 2 */
    retries: z.number().int().min(0).max(10).default(2),
    /** The eRPC sidecar of chains with `integrity`: loopback ports and its consensus budget. */
    erpc: z
      .object({
        /** eRPC's JSON-RPC listener on 127.0.0.1 (HAProxy's integrity backends dial it). @default 4000 */
        port: z.number().int().min(1).max(65535).default(4000),
        /** eRPC's Prometheus listener, on the host of `metrics`. @default 4001 */
        metricsPort: z.number().int().min(1).max(65535).default(4001),
        /** Time an integrity read may take, every participant's answer included; then a JSON-RPC error. @default 2000 */
        timeoutMs: z.number().int().positive().default(2000),
        /** How long a node that disagreed with the agreed answer sits out (eRPC's sitOutPenalty). @default 300 */
        sitOutSeconds: z.number().int().positive().default(300),
      })
      .strict()
      .default({ port: 4000, metricsPort: 4001, timeoutMs: 2000, sitOutSeconds: 300 }),
  })
  .strict();
export type GatewayConfigInput = z.input<typeof GatewayConfigInput>;
export type GatewayConfig = z.output<typeof GatewayConfigInput>;

/** An API key and its rate limit; `key` is a secret. */
export interface GatewayApiKey {
  /** A name for the key (who holds it); never the key itself. */
  name: string;
  key: string;
  /** Requests per second the key may make; more get HTTP 429. @default 50 */
  requestsPerSecond?: number;
}

/** Parses gateway config input; throws a SpecError naming each bad field. */
export function parseGatewayConfig(input: unknown): GatewayConfig {
  const r = GatewayConfigInput.safeParse(input);
  if (!r.success) {
    throw new SpecError(r.error.issues.map((i) => ({ path: pathToString(i.path), message: i.message })));
  }
  return r.data;
}
