/**
 * CONTRACT TEST of the Akash Console API flow: the client and the lease flow against a local HTTP
 * server (test/akash/console-server.ts) that answers with the request and response shapes of
 * akash-network/console apps/api (files cited there). Not Akash itself: bids are scripted.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { chooseBid, type BidRules } from "../../core/akash/bids";
import { AkashConsole, ConsoleApiError, type Bid, type ProviderInfo } from "../../core/akash/console-api";
import { closeNode, leaseNode, NoBidsError, type LeaseRequest } from "../../core/akash/lease";
import { loadCatalog } from "../../core/catalog/load";
import { renderSdl, sdlYaml } from "../../core/workload/sdl";
import { providerAddress, startContractServer, type ContractServer } from "./console-server";

const KEY = "ak-test-key-7d2f0c9e4b1a";
const catalog = loadCatalog();
const AUDITOR = catalog.providers.get("akash")!.market!.auditors[0];
const node = {
  id: "bitcoin-akash-1",
  chain: "bitcoin",
  network: "mainnet",
  role: "full",
  clients: { node: "bitcoind" },
  vcpu: 4,
  memoryGb: 16,
  storage: { class: "beta2", sizeGb: 1000 },
};
// bitcoind reads the gateways' RPC user as a salted hash (rpcauth), a secret the deploy fills.
const SDL = sdlYaml(renderSdl(node, catalog), { rpcAuth: "sovereign:00ff$" + "ab".repeat(32) });
const [P1, P2, P3] = [providerAddress(1), providerAddress(2), providerAddress(3)];
const rules: BidRules = { auditors: [AUDITOR], denom: "uact" };
const fast = { bidTimeoutSeconds: 3, bidWindowSeconds: 0.2, pollSeconds: 0.05, statusTimeoutSeconds: 3, backoffMs: 10 };

describe("Akash Console API flow (contract test against a local server)", () => {
  let server: ContractServer;
  const request = (over: Partial<LeaseRequest> = {}): LeaseRequest => ({
    node: node.id,
    sdl: SDL,
    apiUrl: server.url,
    apiKey: KEY,
    rules,
    ...fast,
    ...over,
  });
  before(async () => {
    server = await startContractServer(KEY);
  });
  after(() => server.close());

  it("bids arrive: the cheapest is leased, the manifest sent, the lease status read into outputs", async () => {
    server.script.bids = [
      { provider: P1, amount: 180, afterMs: 100 },
      { provider: P2, amount: 120.5, afterMs: 150 },
      { provider: P3, amount: 150, afterMs: 200 },
    ];
    server.script.providers = { [P2]: { name: "p2", organization: "Org Two", country: "DE", isAudited: false } };
    const out = await leaseNode(request({ bidWindowSeconds: 0.3 }));
    assert.equal(out.provider, P2);
    assert.equal(out.organization, "Org Two");
    assert.equal(out.country, "DE");
    assert.deepEqual(out.price, { denom: "uact", amount: "120.5" });
    assert.equal(out.publicIp, "127.0.0.1", "the leased IP from leases[].status.ips");
    assert.deepEqual(out.services, { node: { ready: true, uris: [] } });
    const d = server.deployments.get(out.dseq)!;
    assert.equal(d.state, "active");
    assert.equal(d.lease!.provider, P2);
    // The manifest the lease carried is the one the Console returned for the SDL (checked by the server).
    const lease = server.requests.find((r) => r.path === "/v1/leases")!;
    assert.deepEqual((lease.body as { leases: unknown[] }).leases, [
      { dseq: out.dseq, gseq: 1, oseq: 1, provider: P2 },
    ]);
    assert.ok(
      server.requests.filter((r) => !r.path.startsWith("/v1/providers")).every((r) => r.keyOk),
      "every call carries x-api-key",
    );
    assert.ok(!JSON.stringify(server.requests).includes(KEY));
  });

  it("no bids before the timeout: a clear error, and the deployment is closed again", async () => {
    server.script.bids = [{ provider: P1, amount: 100, afterMs: 60_000 }];
    const t0 = Date.now();
    await assert.rejects(
      () => leaseNode(request({ bidTimeoutSeconds: 0.5 })),
      (e: Error) =>
        e instanceof NoBidsError &&
        /no acceptable Akash bid within 0.5 s \(0 bid\(s\)\); the deployment was closed/.test(e.message),
    );
    assert.ok(Date.now() - t0 < 3000, "gives up at the timeout");
    const last = [...server.deployments.values()].at(-1)!;
    assert.equal(last.state, "closed");
  });

  it("chosen bids keep the rules: audited only, required attributes, another provider than the chain's other nodes", async () => {
    const signed = (key: string, value: string) => ({ key, value, auditedBy: [AUDITOR] });
    server.script.bids = [
      { provider: P1, amount: 90 },
      { provider: P2, amount: 100 },
      { provider: P3, amount: 110 },
    ];
    server.script.providers = {
      [P1]: { isAudited: false, attributes: [{ key: "region", value: "us-west", auditedBy: [] }] },
      [P2]: { isAudited: true, attributes: [signed("region", "us-west"), signed("host", "akash")] },
      [P3]: { isAudited: true, attributes: [signed("region", "eu-central")] },
    };
    const audited = await leaseNode(request({ rules: { ...rules, audited: true, attributes: { region: "us-west" } } }));
    assert.equal(audited.provider, P2, "P1 is cheaper but not audited; P3 is in another region");
    assert.equal(audited.audited, true);
    const second = await leaseNode(request({ rules: { ...rules, avoidProviders: [P1] } }));
    assert.equal(second.provider, P2, "P1 already runs a node of the chain");
    await assert.rejects(
      () =>
        leaseNode(
          request({ bidTimeoutSeconds: 0.3, rules: { ...rules, audited: true, attributes: { region: "ap-south" } } }),
        ),
      (e: Error) =>
        e instanceof NoBidsError && /lacks attribute region=ap-south/.test(e.message) && /not audited/.test(e.message),
    );
  });

  it("delete closes the deployment; closing one that is gone is not an error", async () => {
    server.script.bids = [{ provider: P1, amount: 100 }];
    server.script.providers = {};
    const out = await leaseNode(request());
    await closeNode(server.url, KEY, out.dseq);
    assert.equal(server.deployments.get(out.dseq)!.state, "closed");
    assert.ok(server.requests.some((r) => r.method === "DELETE" && r.path === `/v1/deployments/${out.dseq}`));
    await closeNode(server.url, KEY, "999", 10);
  });

  it("API errors: refused key, insufficient funds, rejected SDL, rejected manifest, retries with backoff", async () => {
    server.script.bids = [{ provider: P1, amount: 100 }];
    await assert.rejects(
      () => leaseNode(request({ apiKey: "wrong" })),
      /the API key was refused \(header x-api-key\).*\(401: Unauthorized\)/,
    );
    server.script.failures = [
      {
        route: "POST /v1/deployments",
        status: 402,
        message:
          "Not enough balance to cover the deployment deposit. Add credits or turn on auto recharge to continue.",
      },
    ];
    await assert.rejects(() => leaseNode(request()), /insufficient funds in the Console account: add credits/);
    await assert.rejects(
      () => leaseNode(request({ sdl: "version: '2.0'\nservices: {}\n" })),
      /the Console rejected the SDL \(400: Invalid SDL/,
    );
    server.script.failures = [{ route: "POST /v1/leases", status: 400, message: "manifest rejected: invalid service" }];
    await assert.rejects(
      () => leaseNode(request()),
      /the lease was refused or the provider rejected the manifest \(400: manifest rejected: invalid service\); the deployment was closed/,
    );
    assert.equal([...server.deployments.values()].at(-1)!.state, "closed");
    // 503 twice on GET /v1/bids, then it works: retried with backoff.
    server.script.failures = [{ route: "GET /v1/bids", status: 503, message: "Service Unavailable", times: 2 }];
    const out = await leaseNode(request());
    assert.equal(out.provider, P1);
    // A 500 on create is not retried: the deployment may exist although the answer was lost.
    server.script.failures = [
      { route: "POST /v1/deployments", status: 500, message: "Internal server error", times: 1 },
    ];
    const before = server.requests.length;
    await assert.rejects(
      () => leaseNode(request()),
      (e: Error) => e instanceof ConsoleApiError && e.status === 500,
    );
    assert.equal(server.requests.length - before, 1);
    // Nothing listens: a clear error after the retries.
    await assert.rejects(
      () => new AkashConsole({ baseUrl: "http://127.0.0.1:9", apiKey: KEY, backoffMs: 5 }).listBids("1"),
      /cannot reach http:\/\/127\.0\.0\.1:9/,
    );
  });
});

describe("chooseBid", () => {
  const bid = (provider: string, amount: string, state = "open", denom = "uact"): Bid => ({
    id: { owner: "o", dseq: "1", gseq: 1, oseq: 1, provider, bseq: 1 },
    state,
    price: { denom, amount },
    created_at: "1",
  });
  const info = (audited: boolean, attrs: Record<string, string> = {}): ProviderInfo => ({
    owner: "x",
    name: null,
    hostUri: "",
    isAudited: audited,
    isOnline: true,
    organization: null,
    country: null,
    ipCountryCode: null,
    hostingProvider: null,
    attributes: Object.entries(attrs).map(([key, value]) => ({ key, value, auditedBy: audited ? [AUDITOR] : [] })),
  });

  it("takes the cheapest open bid in the SDL's denomination under the ceiling", () => {
    const c = chooseBid(
      [bid("a", "50", "closed"), bid("b", "70"), bid("c", "60", "open", "uakt"), bid("d", "65"), bid("e", "300")],
      new Map(),
      { ...rules, maxAmount: 200 },
    );
    assert.equal(c.bid?.id.provider, "d");
    assert.deepEqual(c.refused.map((r) => r.provider).sort(), ["a", "c", "e"]);
  });

  it("without facts about a provider, an audited-only rule refuses it", () => {
    const c = chooseBid([bid("a", "50")], new Map([["a", undefined]]), { ...rules, audited: true });
    assert.equal(c.bid, undefined);
    assert.match(c.refused[0].reason, /provider facts unknown/);
    assert.equal(
      chooseBid([bid("a", "50")], new Map([["a", info(true)]]), { ...rules, audited: true }).bid?.id.provider,
      "a",
    );
  });
});
