/**
 * A small client of the Akash Console API (managed wallet, API key in the `x-api-key` header), with
 * the request and response shapes of akash-network/console apps/api:
 *   POST   /v1/deployments {data:{sdl}}                    -> {data:{dseq, manifest, signTx}}   (deployment/http-schemas/deployment.schema.ts)
 *   GET    /v1/bids?dseq=                                  -> {data:[{bid:{id, state, price, ...}, escrow_account}]} (bid/http-schemas/bid.schema.ts)
 *   POST   /v1/leases {manifest, leases:[{dseq,gseq,oseq,provider}]} -> {data: deployment with leases[].status} (deployment/http-schemas/lease.schema.ts)
 *   GET    /v1/deployments/{dseq}                          -> {data: deployment}
 *   DELETE /v1/deployments/{dseq}                          -> {data:{success}}
 *   GET    /v1/providers/{address}   (no key)              -> provider with isAudited, attributes[{key,value,auditedBy}] (provider/http-schemas/provider.schema.ts)
 *   POST   /v1/pricing               (no key)              -> [{spec, akash, aws, gcp, azure}]   (pricing/http-schemas/pricing.schema.ts)
 * Errors come as {error, message, code, type} (core/services/hono-error-handler). Plain Node
 * (fetch): no Pulumi here, so the dynamic provider and the tests share it.
 */

import { z } from "zod";
import { PRICING_SPECS, PricingAnswer } from "../../core/catalog/akash-pricing";

export interface ConsoleOptions {
  /** @default "https://console-api.akash.network" */
  baseUrl?: string;
  /** Console API key (Settings -> API keys). Never logged. */
  apiKey?: string;
  /** Attempts per request on 429, 502-504 and connection errors (idempotent requests). @default 4 */
  attempts?: number;
  /** First backoff, doubled per attempt. @default 500 */
  backoffMs?: number;
  /** Per request. @default 30000 */
  timeoutMs?: number;
}

export const DEFAULT_CONSOLE_URL = "https://console-api.akash.network";

/** A URL for a message or a file: a user name and password in it shown as `***`. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#@]*@/i, "$1***@");
}

const Coin = z.looseObject({ denom: z.string(), amount: z.coerce.string() });
export type Coin = z.infer<typeof Coin>;
const BidId = z.looseObject({
  owner: z.string(),
  dseq: z.coerce.string(),
  gseq: z.number(),
  oseq: z.number(),
  provider: z.string(),
  bseq: z.number(),
});
export type BidId = z.infer<typeof BidId>;
export interface Bid {
  id: BidId;
  state: string;
  price: Coin;
  created_at: string;
}
const ForwardedPort = z.looseObject({
  port: z.number(),
  externalPort: z.number(),
  host: z.string().optional(),
  available: z.number().optional(),
});
const LeaseIp = z.looseObject({ IP: z.string(), Port: z.number(), ExternalPort: z.number(), Protocol: z.string() });
const LeaseServiceStatus = z.looseObject({
  name: z.string(),
  available: z.number(),
  total: z.number(),
  uris: z.array(z.string()).nullable().optional(),
  ready_replicas: z.number(),
});
const LeaseStatus = z.looseObject({
  forwarded_ports: z.record(z.string(), z.array(ForwardedPort)).nullable().optional(),
  ips: z.record(z.string(), z.array(LeaseIp)).nullable().optional(),
  services: z.record(z.string(), LeaseServiceStatus).nullable().optional(),
});
export type LeaseStatus = z.infer<typeof LeaseStatus>;
const Lease = z.looseObject({ id: BidId, state: z.string(), price: Coin, status: LeaseStatus.nullable() });
export type Lease = z.infer<typeof Lease>;
/**
 * A deployment as the Console answers it (GET /v1/deployments/{dseq}, POST /v1/leases), as far as
 * it is used; checked before use, since `pulumi refresh` acts on it (a closed lease is recreated).
 */
export const DeploymentAnswer = z.looseObject({
  deployment: z.looseObject({ id: z.looseObject({ owner: z.string(), dseq: z.coerce.string() }), state: z.string() }),
  leases: z.array(Lease),
});
export type Deployment = z.infer<typeof DeploymentAnswer>;
export interface ProviderInfo {
  owner: string;
  name: string | null;
  hostUri: string;
  isAudited: boolean;
  isOnline: boolean;
  organization: string | null;
  country: string | null;
  ipCountryCode: string | null;
  hostingProvider: string | null;
  attributes: Array<{ key: string; value: string; auditedBy: string[] }>;
}

/** An answer of the Console that is not a success, with what it means for the user. */
export class ConsoleApiError extends Error {
  constructor(
    readonly status: number,
    readonly path: string,
    readonly apiMessage: string,
    meaning: string,
  ) {
    super(`Akash Console ${path}: ${meaning}${apiMessage ? ` (${status}: ${apiMessage})` : ` (${status})`}`);
    this.name = "ConsoleApiError";
  }
}

/** The first problems of a zod check, each naming its field. */
function issuesOf(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.join(".") || "answer"}: ${i.message}`)
    .join("; ");
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const RETRYABLE = new Set([429, 502, 503, 504]);

export class AkashConsole {
  readonly baseUrl: string;
  private readonly apiKey?: string;
  private readonly attempts: number;
  private readonly backoffMs: number;
  private readonly timeoutMs: number;

  constructor(options: ConsoleOptions = {}) {
    this.baseUrl = (options.baseUrl ?? DEFAULT_CONSOLE_URL).replace(/\/+$/, "");
    this.apiKey = options.apiKey;
    this.attempts = options.attempts ?? 4;
    this.backoffMs = options.backoffMs ?? 500;
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  /** Creates the deployment (the Console signs it with the managed wallet): its dseq and manifest. */
  async createDeployment(sdl: string): Promise<{ dseq: string; manifest: string }> {
    // Not retried on 5xx: the deployment may exist although the answer was lost.
    const r = await this.request<{ data: { dseq: string; manifest: string } }>(
      "POST",
      "/v1/deployments",
      { data: { sdl } },
      { retry5xx: false },
    );
    return { dseq: String(r.data.dseq), manifest: r.data.manifest };
  }

  async listBids(dseq: string): Promise<Bid[]> {
    const r = await this.request<{ data: Array<{ bid: Bid }> }>("GET", `/v1/bids?dseq=${encodeURIComponent(dseq)}`);
    return r.data.map((b) => b.bid);
  }

  /** Leases the chosen bids and sends the manifest to their providers (idempotent in the Console). */
  async createLeases(
    manifest: string,
    leases: Array<Pick<BidId, "dseq" | "gseq" | "oseq" | "provider">>,
  ): Promise<Deployment> {
    return this.deploymentOf("/v1/leases", await this.request<unknown>("POST", "/v1/leases", { manifest, leases }));
  }

  async getDeployment(dseq: string): Promise<Deployment> {
    const path = `/v1/deployments/${encodeURIComponent(dseq)}`;
    return this.deploymentOf(path, await this.request<unknown>("GET", path));
  }

  /** Closes the deployment and its leases; one that is gone already counts as closed. */
  async closeDeployment(dseq: string): Promise<void> {
    try {
      await this.request("DELETE", `/v1/deployments/${encodeURIComponent(dseq)}`);
    } catch (e) {
      if (e instanceof ConsoleApiError && e.status === 404) return;
      throw e;
    }
  }

  async getProvider(address: string): Promise<ProviderInfo> {
    return this.request<ProviderInfo>("GET", `/v1/providers/${encodeURIComponent(address)}`, undefined, {
      auth: false,
    });
  }

  /**
   * The Console's public price estimate (no key) for PRICING_SPECS, for the catalog refresh; an
   * answer of another shape, or with a negative, infinite or absurd price, is an error, never used.
   */
  async pricing(): Promise<PricingAnswer> {
    const r = await this.request<unknown>("POST", "/v1/pricing", PRICING_SPECS, { auth: false });
    const answer = PricingAnswer.safeParse(Array.isArray(r) ? r : [r]);
    if (answer.success) return answer.data;
    throw new ConsoleApiError(
      200,
      "/v1/pricing",
      issuesOf(answer.error),
      "answered something that is not a price estimate",
    );
  }

  /** `{data: deployment}` checked against DeploymentAnswer; another shape is an error naming the fields. */
  private deploymentOf(path: string, answer: unknown): Deployment {
    const parsed = z.object({ data: DeploymentAnswer }).safeParse(answer);
    if (parsed.success) return parsed.data.data;
    throw new ConsoleApiError(200, path, issuesOf(parsed.error), "answered something that is not a deployment");
  }

  private async request<T>(
    method: string,
    path: string,
    body?: unknown,
    opts: { auth?: boolean; retry5xx?: boolean } = {},
  ): Promise<T> {
    const auth = opts.auth ?? true;
    if (auth && !this.apiKey)
      throw new ConsoleApiError(
        0,
        path,
        "",
        "no API key: set it as a secret: pulumi config set --secret sovereign:akashApiKey <key>",
      );
    const idempotent = method === "GET" || method === "DELETE" || path === "/v1/leases";
    let last: unknown;
    for (let attempt = 1; attempt <= this.attempts; attempt++) {
      let response: Response;
      try {
        response = await fetch(`${this.baseUrl}${path}`, {
          method,
          headers: {
            "content-type": "application/json",
            accept: "application/json",
            ...(auth && this.apiKey ? { "x-api-key": this.apiKey } : {}),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(this.timeoutMs),
        });
      } catch (e) {
        // Connection refused or reset, DNS, timeout: nothing was answered.
        last = new ConsoleApiError(
          0,
          path,
          "",
          `cannot reach ${redactUrl(this.baseUrl)}: ${(e as Error).cause ? String((e as { cause: Error }).cause.message ?? (e as { cause: unknown }).cause) : (e as Error).message}`,
        );
        const refused = (e as { cause?: { code?: string } }).cause?.code === "ECONNREFUSED";
        if (attempt < this.attempts && (idempotent || refused)) {
          await sleep(this.backoffMs * 2 ** (attempt - 1));
          continue;
        }
        throw last;
      }
      const text = await response.text();
      if (response.ok) return this.json<T>(response.status, path, text);
      const err = this.error(response.status, path, text);
      if (
        RETRYABLE.has(response.status) &&
        attempt < this.attempts &&
        (response.status === 429 || response.status === 503 || (idempotent && opts.retry5xx !== false))
      ) {
        last = err;
        await sleep(this.backoffMs * 2 ** (attempt - 1));
        continue;
      }
      throw err;
    }
    throw last;
  }

  private json<T>(status: number, path: string, text: string): T {
    try {
      return (text ? JSON.parse(text) : {}) as T;
    } catch {
      throw new ConsoleApiError(status, path, "", "answered something that is not JSON");
    }
  }

  private error(status: number, path: string, text: string): ConsoleApiError {
    let message = text.slice(0, 300);
    try {
      message = (JSON.parse(text) as { message?: string }).message ?? message;
    } catch {
      /* not JSON */
    }
    const meaning =
      status === 401 || status === 403
        ? "the API key was refused (header x-api-key): create one in Akash Console, Settings, API keys, and set sovereign:akashApiKey"
        : status === 402 || /insufficient (funds|balance)|not enough (funds|balance)/i.test(message)
          ? "insufficient funds in the Console account: add credits or turn on auto recharge"
          : path === "/v1/leases"
            ? "the lease was refused or the provider rejected the manifest"
            : path === "/v1/deployments" && status === 400
              ? "the Console rejected the SDL"
              : status === 404
                ? "not found"
                : status === 429
                  ? "rate limited, retries exhausted"
                  : status >= 500
                    ? "the Console failed, retries exhausted"
                    : "request failed";
    return new ConsoleApiError(status, path, message, meaning);
  }
}
