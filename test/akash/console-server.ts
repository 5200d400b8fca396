/**
 * A CONTRACT SERVER of the Akash Console API for tests: it answers on loopback with the request
 * and response shapes of akash-network/console apps/api (read 2026-12, commit d84c9e9):
 *   apps/api/src/deployment/routes/deployments/deployments.router.ts, http-schemas/deployment.schema.ts
 *     POST /v1/deployments {data:{sdl}} -> 201 {data:{dseq, manifest, signTx}}; GET/DELETE /v1/deployments/{dseq}
 *   apps/api/src/bid/routes/bids/bids.router.ts, bid/http-schemas/bid.schema.ts: GET /v1/bids?dseq= -> {data:[{bid, escrow_account}]}
 *   apps/api/src/deployment/routes/leases/leases.router.ts, http-schemas/lease.schema.ts:
 *     POST /v1/leases {manifest, leases:[{dseq,gseq,oseq,provider}]} -> {data: deployment, leases[].status {forwarded_ports, ips, services}}
 *   apps/api/src/provider/http-schemas/provider.schema.ts: GET /v1/providers/{address} (no key)
 *   apps/api/src/pricing/: POST /v1/pricing (no key), the Console's own Akash formula
 *   apps/api/src/core/services/hono-error-handler: errors {error, message, code, type}; auth: x-api-key
 * The manifest is made as the Console makes it: chain-sdk generateManifest + manifestToSortedJSON
 * (deployment-writer.service.ts). It is not Akash: no chain, no providers; bids are scripted.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { parse } from "yaml";
import type { Bid, ProviderInfo } from "../../core/akash/console-api";

export interface ScriptedBid {
  provider: string;
  amount: number;
  denom?: string;
  afterMs?: number;
}

export interface ContractScript {
  /** Bids each new deployment gets, appearing `afterMs` after it was created. @default none */
  bids?: ScriptedBid[];
  providers?: Record<string, Partial<ProviderInfo>>;
  /** Fail the next requests matching `METHOD path-prefix` with this status and message, `times` times. */
  failures?: Array<{ route: string; status: number; message: string; times?: number }>;
  /** GET /v1/deployments returns a lease without status this many times first. @default 1 */
  statusDelayPolls?: number;
  /** The leased IP. @default 127.0.0.1 */
  leaseIp?: string;
  /**
   * Runs the lease's services once it is made (a test's stand-in for the Akash provider, e.g. test/e2e/lease-runner.ts);
   * the lease answers only after it resolves. @default nothing runs
   */
  onLease?: (dseq: string, sdl: Record<string, unknown>) => Promise<void>;
  /** Answers `METHOD path-prefix` with this body (status 200) instead of the contract's. @default none */
  answers?: Array<{ route: string; body: unknown }>;
  /** Stops what `onLease` started, when the deployment is closed. @default nothing */
  onClose?: (dseq: string) => Promise<void>;
}

interface Stored {
  dseq: string;
  sdl: Record<string, unknown>;
  manifest: string;
  created: number;
  state: "active" | "closed";
  lease?: {
    gseq: number;
    oseq: number;
    provider: string;
    price: { denom: string; amount: string };
    /** Set when the provider closed the lease on its own (ContractServer.closeLease). */
    closedBy?: "provider" | "insufficient_funds";
  };
  statusPolls: number;
}

export interface ContractServer {
  url: string;
  script: ContractScript;
  deployments: Map<string, Stored>;
  /** The provider closes the lease of `dseq` on its own (an outage, or the escrow ran dry); the deployment stays open. */
  closeLease(dseq: string, why?: "provider" | "insufficient_funds"): void;
  /** Requests seen: method, path, whether the right key came. Never the key itself. */
  requests: Array<{ method: string; path: string; keyOk: boolean; body?: unknown }>;
  close(): Promise<void>;
}

export const API_KEY_HEADER = "x-api-key";
const ADDRESS = /^akash1[0-9a-z]{38}$/;

/** Provider accounts for tests (the shape of bech32 addresses; not real accounts). */
export const providerAddress = (n: number) =>
  `akash1${String(n)
    .padStart(38, "q")
    .replace(/[^0-9a-z]/g, "q")}`;

export async function startContractServer(apiKey: string, script: ContractScript = {}): Promise<ContractServer> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when a contract server starts (the SDK takes a second)
  const { generateManifest, manifestToSortedJSON } = require("@akashnetwork/chain-sdk");
  const deployments = new Map<string, Stored>();
  const requests: ContractServer["requests"] = [];
  let nextDseq = 1_700_000_000_000;

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://x");
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    const body = text ? JSON.parse(text) : undefined;
    const keyOk = req.headers[API_KEY_HEADER] === apiKey;
    requests.push({ method: req.method!, path: url.pathname + url.search, keyOk, body });
    const send = (status: number, value: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(value));
    };
    const fail = (status: number, message: string, error = "HttpError") =>
      send(status, { error, message, code: codeOf(status), type: "client_error" });

    const route = `${req.method} ${url.pathname}`;
    const failure = script.failures?.find((f) => route.startsWith(f.route) && (f.times ?? 1) > 0);
    if (failure) {
      failure.times = (failure.times ?? 1) - 1;
      return fail(failure.status, failure.message);
    }
    const answer = script.answers?.find((a) => route.startsWith(a.route));
    if (answer) return send(200, answer.body);

    const open = route === "POST /v1/pricing" || route.startsWith("GET /v1/providers/");
    if (!open && !keyOk) return fail(401, "Unauthorized", "UnauthorizedError");

    if (route === "POST /v1/deployments") {
      const sdlText = body?.data?.sdl;
      if (typeof sdlText !== "string")
        return send(400, {
          error: "BadRequestError",
          message: "Validation error",
          code: "validation_error",
          type: "validation_error",
        });
      const sdl = parse(sdlText);
      const result = generateManifest(sdl, "mainnet");
      if (!result.ok)
        return fail(400, `Invalid SDL: ${result.value.map((e: { message: string }) => e.message).join(", ")}`);
      const dseq = String(nextDseq++);
      const manifest = manifestToSortedJSON(result.value.groups);
      deployments.set(dseq, { dseq, sdl, manifest, created: Date.now(), state: "active", statusPolls: 0 });
      return send(201, { data: { dseq, manifest, signTx: { code: 0, transactionHash: `TX${dseq}`, rawLog: "" } } });
    }
    if (route === "GET /v1/bids") {
      const d = deployments.get(url.searchParams.get("dseq") ?? "");
      if (!d) return send(200, { data: [] });
      const age = Date.now() - d.created;
      const bids = (script.bids ?? [])
        .filter((b) => (b.afterMs ?? 0) <= age)
        .map((b, i) => ({ bid: bidOf(d.dseq, b, i, d.lease), escrow_account: escrow(d.dseq) }));
      return send(200, { data: bids });
    }
    if (route === "POST /v1/leases") {
      const lease = body?.leases?.[0];
      const d = deployments.get(String(lease?.dseq ?? ""));
      if (!d || d.state !== "active")
        return fail(400, "Cannot create lease: The associated order has already been matched or closed.");
      if (!ADDRESS.test(lease.provider))
        return send(400, {
          error: "BadRequestError",
          message: "Validation error",
          code: "validation_error",
          type: "validation_error",
        });
      if (body.manifest !== d.manifest) return fail(400, "manifest version validation failed");
      const bid = (script.bids ?? []).find((b) => b.provider === lease.provider);
      if (!bid)
        return fail(
          400,
          "Cannot create lease: The selected bid is no longer open. Please refresh and select an available bid.",
        );
      d.lease = {
        gseq: lease.gseq,
        oseq: lease.oseq,
        provider: lease.provider,
        price: { denom: bid.denom ?? "uact", amount: String(bid.amount) },
      };
      await script.onLease?.(d.dseq, d.sdl);
      return send(200, { data: deploymentOf(d, false) });
    }
    const m = url.pathname.match(/^\/v1\/deployments\/(\d+)$/);
    if (m && req.method === "GET") {
      const d = deployments.get(m[1]);
      if (!d) return fail(404, "Deployment not found");
      d.statusPolls++;
      return send(200, { data: deploymentOf(d, d.statusPolls > (script.statusDelayPolls ?? 1)) });
    }
    if (m && req.method === "DELETE") {
      const d = deployments.get(m[1]);
      if (!d) return fail(404, "Deployment not found");
      if (d.state === "active" && d.lease) await script.onClose?.(d.dseq);
      d.state = "closed";
      return send(200, { data: { success: true } });
    }
    const p = url.pathname.match(/^\/v1\/providers\/([0-9a-z]+)$/);
    if (p && req.method === "GET") {
      const info = script.providers?.[p[1]];
      if (!info) return fail(404, "Provider not found");
      return send(200, providerOf(p[1], info));
    }
    if (route === "POST /v1/pricing") {
      const specs = Array.isArray(body) ? body : [body];
      // The Console's formula (pricing.service.ts): 4.5 USD/thread, 1.25 USD/GB memory, 0.08 USD/GB storage, rounded to cents.
      const akash = (s: { cpu: number; memory: number; storage: number }) =>
        Math.round(((s.cpu / 1000) * 4.5 + (s.memory / 1e9) * 1.25 + (s.storage / 1e9) * 0.08) * 100) / 100;
      const out = specs.map((s) => ({ spec: s, akash: akash(s), aws: 0, gcp: 0, azure: 0 }));
      return send(200, Array.isArray(body) ? out : out[0]);
    }
    return fail(404, "Not found");
  };

  const deploymentOf = (d: Stored, withStatus: boolean) => {
    const services = Object.keys((d.sdl.services ?? {}) as Record<string, unknown>);
    const exposes = (s: string) =>
      (
        d.sdl.services as Record<
          string,
          { expose?: Array<{ port: number; as?: number; proto?: string; to?: Array<{ ip?: string }> }> }
        >
      )[s].expose ?? [];
    return {
      deployment: { id: { owner: "akash1owner", dseq: d.dseq }, state: d.state, hash: "", created_at: "1" },
      leases: d.lease
        ? [
            {
              id: {
                owner: "akash1owner",
                dseq: d.dseq,
                gseq: d.lease.gseq,
                oseq: d.lease.oseq,
                provider: d.lease.provider,
                bseq: 1,
              },
              state:
                d.lease.closedBy === "insufficient_funds"
                  ? "insufficient_funds"
                  : d.state === "active" && !d.lease.closedBy
                    ? "active"
                    : "closed",
              price: d.lease.price,
              created_at: "1",
              closed_on: "0",
              status: withStatus
                ? {
                    forwarded_ports: Object.fromEntries(
                      services.map((s) => [
                        s,
                        exposes(s)
                          .filter((e) => !e.to?.some((t) => t.ip))
                          .map((e, i) => ({
                            port: e.port,
                            externalPort: 31000 + i,
                            host: "provider.example",
                            available: 1,
                          })),
                      ]),
                    ),
                    ips: Object.fromEntries(
                      services.map((s) => [
                        s,
                        exposes(s)
                          .filter((e) => e.to?.some((t) => t.ip))
                          .map((e) => ({
                            IP: script.leaseIp ?? "127.0.0.1",
                            Port: e.port,
                            ExternalPort: e.as ?? e.port,
                            Protocol: (e.proto ?? "tcp").toUpperCase(),
                          })),
                      ]),
                    ),
                    services: Object.fromEntries(
                      services.map((s) => [
                        s,
                        {
                          name: s,
                          available: 1,
                          total: 1,
                          uris: [],
                          observed_generation: 1,
                          replicas: 1,
                          updated_replicas: 1,
                          ready_replicas: 1,
                          available_replicas: 1,
                        },
                      ]),
                    ),
                  }
                : null,
            },
          ]
        : [],
      escrow_account: escrow(d.dseq),
    };
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e) => {
      res.writeHead(500);
      res.end(JSON.stringify({ error: "InternalServerError", message: String(e) }));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    script,
    deployments,
    closeLease: (dseq, why = "provider") => {
      const lease = deployments.get(dseq)?.lease;
      if (!lease) throw new Error(`the contract server has no lease for deployment ${dseq}`);
      lease.closedBy = why;
    },
    requests,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections?.();
        server.close(() => r());
      }),
  };
}

function bidOf(dseq: string, b: ScriptedBid, i: number, lease?: Stored["lease"]): Bid & Record<string, unknown> {
  const state = lease ? (lease.provider === b.provider ? "active" : "closed") : "open";
  return {
    id: { owner: "akash1owner", dseq, gseq: 1, oseq: 1, provider: b.provider, bseq: i + 1 },
    state,
    price: { denom: b.denom ?? "uact", amount: String(b.amount) },
    created_at: "1",
    resources_offer: [],
  };
}

function providerOf(owner: string, info: Partial<ProviderInfo>): ProviderInfo & Record<string, unknown> {
  return {
    owner,
    name: info.name ?? owner.slice(0, 12),
    hostUri: info.hostUri ?? `https://${owner.slice(6, 12)}.provider.example:8443`,
    isAudited: info.isAudited ?? false,
    isOnline: true,
    organization: info.organization ?? null,
    country: info.country ?? null,
    ipCountryCode: info.ipCountryCode ?? null,
    hostingProvider: info.hostingProvider ?? null,
    attributes: info.attributes ?? [],
    createdHeight: 1,
    uptime1d: 1,
    uptime7d: 1,
    uptime30d: 1,
  };
}

const escrow = (dseq: string) => ({
  id: { scope: "deployment", xid: `akash1owner/${dseq}` },
  state: { owner: "akash1owner", state: "open", transferred: [], settled_at: "1", funds: [], deposits: [] },
});

function codeOf(status: number): string {
  return (
    (
      {
        400: "bad_request",
        401: "unauthorized",
        402: "payment_required",
        403: "forbidden",
        404: "not_found",
        429: "rate_limited",
      } as Record<number, string>
    )[status] ?? "internal_server_error"
  );
}
