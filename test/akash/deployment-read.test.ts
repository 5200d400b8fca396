/**
 * CONTRACT TEST of AkashDeployment's refresh (the dynamic provider's `read` and `diff`) against the
 * local Console server (test/akash/console-server.ts): a live lease refreshes its outputs, a lease
 * its provider closed makes the next `up` replace the deployment, a closed deployment leaves the
 * state, and an answer of another shape is an error naming the field (never "alive").
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { BidRules } from "../../core/akash/bids";
import { loadCatalog } from "../../core/catalog/load";
import { renderSdl, sdlYaml } from "../../core/workload/sdl";
import { akashDeploymentProvider as provider } from "../../components/akash/deployment";
import { providerAddress, startContractServer, type ContractServer } from "./console-server";

const KEY = "ak-test-key-5e8a1c3b9d70";
const catalog = loadCatalog();
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
const SDL = sdlYaml(renderSdl(node, catalog), { rpcAuth: "sovereign:00ff$" + "ab".repeat(32) });
const P1 = providerAddress(1);
const rules: BidRules = { auditors: [catalog.providers.get("akash")!.market!.auditors[0]], denom: "uact" };

describe("AkashDeployment refresh reads the Console (contract test)", () => {
  let server: ContractServer;
  const inputs = () => ({
    node: node.id,
    sdl: SDL,
    apiUrl: server.url,
    apiKey: KEY,
    rules,
    bidTimeoutSeconds: 3,
    bidWindowSeconds: 0.1,
    pollSeconds: 0.05,
    statusTimeoutSeconds: 3,
    backoffMs: 10,
  });
  /** A leased node as the engine keeps it: the create's outputs, with the inputs merged in. */
  const lease = async () => {
    const created = await provider.create(inputs());
    return { id: created.id!, state: { ...inputs(), ...created.outs } };
  };

  before(async () => {
    server = await startContractServer(KEY, { bids: [{ provider: P1, amount: 90 }] });
  });
  after(() => server.close());

  it("a live lease: same id, its status read again, nothing to change", async () => {
    const { id, state } = await lease();
    server.script.leaseIp = "127.0.0.9"; // the provider moved the leased IP
    const read = await provider.read!(id, state);
    assert.equal(read.id, id);
    assert.equal(read.props.publicIp, "127.0.0.9");
    assert.equal(read.props.leaseState, undefined);
    const diff = await provider.diff!(id, read.props, inputs());
    assert.deepEqual(diff.replaces, []);
    assert.equal(diff.changes, false);
    server.script.leaseIp = undefined;
  });

  for (const why of ["provider", "insufficient_funds"] as const) {
    it(`a lease closed by ${why === "provider" ? "its provider" : "an empty escrow"}: the next up replaces the deployment`, async () => {
      const { id, state } = await lease();
      server.closeLease(id, why);
      const read = await provider.read!(id, state);
      assert.equal(read.id, id, "the open deployment stays in the state, so the replacement closes it");
      assert.equal(read.props.leaseState, why === "provider" ? "closed" : "insufficient_funds");
      const diff = await provider.diff!(id, read.props, inputs());
      assert.equal(diff.changes, true);
      assert.deepEqual(diff.replaces, ["leaseState"]);
      assert.equal(diff.deleteBeforeReplace, false, "the new lease first, then the old deployment is closed");
      // The replacement: a new deployment is leased, the old one closed.
      const next = await provider.create(inputs());
      assert.notEqual(next.id, id);
      await provider.delete!(id, read.props);
      assert.equal(server.deployments.get(id)!.state, "closed");
      assert.equal(server.deployments.get(next.id!)!.state, "active");
    });
  }

  it("a closed or unknown deployment leaves the state (no id), so up leases a new one", async () => {
    const { id, state } = await lease();
    await provider.delete!(id, state); // closed behind the engine's back
    assert.equal((await provider.read!(id, state)).id, "");
    assert.equal((await provider.read!("999", { ...state })).id, "", "a dseq the Console does not know");
  });

  it("an answer of another shape is an error naming the field; a Console that does not answer too", async () => {
    const { id, state } = await lease();
    server.script.answers = [
      { route: "GET /v1/deployments/", body: { data: { deployment: { state: 5 }, leases: {} } } },
    ];
    await assert.rejects(provider.read!(id, state), /not a deployment.*deployment\.(id|state)/);
    server.script.answers = [];
    server.script.failures = [{ route: "GET /v1/deployments/", status: 503, message: "down", times: 10 }];
    await assert.rejects(provider.read!(id, state), /503/);
    server.script.failures = [];
    assert.equal((await provider.read!(id, state)).id, id, "the state is untouched by the failed reads");
  });
});
