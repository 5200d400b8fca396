/**
 * One node on Akash, start to end, through the Console API: create the deployment, wait for bids
 * (with a timeout), choose one by the spec's rules, lease it and send the manifest, wait for the
 * lease status (IPs, forwarded ports, services); and close it. A deployment that gets no
 * acceptable bid, or whose lease fails, is closed again so its deposit returns. Plain Node: the
 * Pulumi dynamic provider (components/akash/deployment.ts) and the contract tests call these functions.
 */
import { chooseBid, type BidRules } from "./bids";
import {
  AkashConsole,
  ConsoleApiError,
  type Bid,
  type Coin,
  type Deployment,
  type LeaseStatus,
  type ProviderInfo,
} from "./console-api";

export interface LeaseRequest {
  /** Node id, for messages. */
  node: string;
  /** The SDL as YAML, secrets filled in (keep it secret). */
  sdl: string;
  apiUrl: string;
  apiKey: string;
  rules: BidRules;
  /** Seconds to wait for an acceptable bid. @default 300 */
  bidTimeoutSeconds?: number;
  /** Seconds to keep collecting bids after the first acceptable one, for a better price. @default 15 */
  bidWindowSeconds?: number;
  /** Seconds between polls. @default 5 */
  pollSeconds?: number;
  /** Seconds to wait for the lease status after the manifest was sent. @default 300 */
  statusTimeoutSeconds?: number;
  /** Retry backoff of the API client, ms. @default 500 */
  backoffMs?: number;
}

export interface LeasedNode {
  dseq: string;
  gseq: number;
  oseq: number;
  /** The Akash provider (its account address): the operator of this node for the diversity report. */
  provider: string;
  providerName: string;
  hostUri: string;
  /** Who runs the provider, as the Console knows it (organization, else hosting provider, else the address). */
  organization: string;
  country: string;
  audited: boolean;
  price: Coin;
  /** The leased IP, where P2P (and public RPC) listen. "" when the lease has none. */
  publicIp: string;
  /** Per service: container port -> external port and host, for ports without the leased IP. */
  forwardedPorts: Record<string, Array<{ port: number; externalPort: number; host: string }>>;
  services: Record<string, { ready: boolean; uris: string[] }>;
}

/** No acceptable bid before the timeout; the deployment was closed again. */
export class NoBidsError extends Error {
  constructor(node: string, seconds: number, bids: number, refused: Array<{ provider: string; reason: string }>) {
    const why = refused.length ? `: ${refused.map((r) => `${r.provider} ${r.reason}`).join("; ")}` : "";
    super(
      `${node}: no acceptable Akash bid within ${seconds} s (${bids} bid(s)${why}); the deployment was closed. Raise the price ceiling (catalog akash market.ceilingFactor), relax sites.akash.audited/attributes, or try again later`,
    );
    this.name = "NoBidsError";
  }
}

const sleep = (s: number) => new Promise((r) => setTimeout(r, s * 1000));

export async function leaseNode(req: LeaseRequest): Promise<LeasedNode> {
  const api = new AkashConsole({ baseUrl: req.apiUrl, apiKey: req.apiKey, backoffMs: req.backoffMs });
  const { dseq, manifest } = await api.createDeployment(req.sdl);
  const closeQuietly = () => api.closeDeployment(dseq).catch(() => undefined);
  try {
    const { bid, provider } = await awaitBid(api, dseq, req);
    let deployment: Deployment;
    try {
      deployment = await api.createLeases(manifest, [
        { dseq, gseq: bid.id.gseq, oseq: bid.id.oseq, provider: bid.id.provider },
      ]);
    } catch (e) {
      throw e instanceof ConsoleApiError ? new Error(`${req.node}: ${e.message}; the deployment was closed`) : e;
    }
    deployment = await awaitStatus(api, dseq, deployment, req);
    return leased(dseq, bid, provider, deployment);
  } catch (e) {
    await closeQuietly();
    throw e;
  }
}

/**
 * What the Console says of a leased node now, for `pulumi refresh`: `gone` when the deployment is
 * closed or unknown (the state forgets it; `up` leases a new one); `lease-closed` when the deployment
 * is open but its lease with `provider` is not active (the provider closed it, or funds ran out: `up`
 * replaces it and closes the old deployment); else `active` with the lease's current IP, ports and
 * services. A Console that does not answer, or answers another shape, is an error: never "alive".
 */
export type NodeReading =
  | { state: "gone"; why: string }
  | { state: "lease-closed"; leaseState: string }
  | { state: "active"; node: Pick<LeasedNode, "price"> & Partial<ReturnType<typeof statusOf>> };

export async function readNode(
  apiUrl: string,
  apiKey: string,
  dseq: string,
  provider: string,
  backoffMs?: number,
): Promise<NodeReading> {
  let deployment: Deployment;
  try {
    deployment = await new AkashConsole({ baseUrl: apiUrl, apiKey, backoffMs }).getDeployment(dseq);
  } catch (e) {
    if (e instanceof ConsoleApiError && e.status === 404) return { state: "gone", why: "unknown to the Console" };
    throw e;
  }
  if (deployment.deployment.state !== "active")
    return { state: "gone", why: `deployment ${deployment.deployment.state}` };
  const lease = deployment.leases.find((l) => l.id.provider === provider);
  if (!lease || lease.state !== "active") return { state: "lease-closed", leaseState: lease?.state ?? "missing" };
  // A provider that does not report the status now leaves the last known IP and ports in place.
  return { state: "active", node: { ...(lease.status ? statusOf(lease.status) : {}), price: lease.price } };
}

export async function closeNode(apiUrl: string, apiKey: string, dseq: string, backoffMs?: number): Promise<void> {
  await new AkashConsole({ baseUrl: apiUrl, apiKey, backoffMs }).closeDeployment(dseq);
}

async function awaitBid(
  api: AkashConsole,
  dseq: string,
  req: LeaseRequest,
): Promise<{ bid: Bid; provider?: ProviderInfo }> {
  const timeout = req.bidTimeoutSeconds ?? 300;
  const windowS = req.bidWindowSeconds ?? 15;
  const poll = req.pollSeconds ?? 5;
  const facts = new Map<string, ProviderInfo | undefined>();
  const start = Date.now();
  let firstOk: number | undefined;
  for (;;) {
    const bids = await api.listBids(dseq);
    for (const b of bids) {
      if (!facts.has(b.id.provider))
        facts.set(b.id.provider, await api.getProvider(b.id.provider).catch(() => undefined));
    }
    const choice = chooseBid(bids, facts, req.rules);
    const elapsed = (Date.now() - start) / 1000;
    if (choice.bid) {
      firstOk ??= elapsed;
      if (elapsed - firstOk >= windowS || elapsed >= timeout)
        return { bid: choice.bid, provider: facts.get(choice.bid.id.provider) };
    } else if (elapsed >= timeout) {
      throw new NoBidsError(req.node, timeout, bids.length, choice.refused);
    }
    await sleep(Math.min(poll, Math.max(0.05, timeout - elapsed)));
  }
}

async function awaitStatus(
  api: AkashConsole,
  dseq: string,
  deployment: Deployment,
  req: LeaseRequest,
): Promise<Deployment> {
  const deadline = Date.now() + (req.statusTimeoutSeconds ?? 300) * 1000;
  while (!deployment.leases[0]?.status && Date.now() < deadline) {
    await sleep(req.pollSeconds ?? 5);
    deployment = await api.getDeployment(dseq);
  }
  if (!deployment.leases[0]?.status)
    throw new Error(`${req.node}: the provider did not report the lease status of deployment ${dseq} in time`);
  return deployment;
}

function leased(dseq: string, bid: Bid, provider: ProviderInfo | undefined, deployment: Deployment): LeasedNode {
  const lease = deployment.leases.find((l) => l.id.provider === bid.id.provider) ?? deployment.leases[0];
  return {
    dseq,
    gseq: bid.id.gseq,
    oseq: bid.id.oseq,
    provider: bid.id.provider,
    providerName: provider?.name ?? bid.id.provider,
    hostUri: provider?.hostUri ?? "",
    organization: provider?.organization ?? provider?.hostingProvider ?? bid.id.provider,
    country: provider?.country ?? provider?.ipCountryCode ?? "",
    audited: provider?.isAudited ?? false,
    price: lease.price ?? bid.price,
    ...statusOf(lease.status),
  };
}

/** A lease status as node outputs: the leased IP, forwarded ports and services; empty without one. */
function statusOf(status: LeaseStatus | null): Pick<LeasedNode, "publicIp" | "forwardedPorts" | "services"> {
  const ips = Object.values(status?.ips ?? {}).flat();
  return {
    publicIp: ips[0]?.IP ?? "",
    forwardedPorts: Object.fromEntries(
      Object.entries(status?.forwarded_ports ?? {}).map(([s, ports]) => [
        s,
        ports.map((p) => ({ port: p.port, externalPort: p.externalPort, host: p.host ?? "" })),
      ]),
    ),
    services: Object.fromEntries(
      Object.entries(status?.services ?? {}).map(([s, v]) => [s, { ready: v.ready_replicas >= 1, uris: v.uris ?? [] }]),
    ),
  };
}
