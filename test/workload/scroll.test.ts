/**
 * Scroll in the catalog: a fleet of Scroll nodes plans, each renders a compose project whose l2geth
 * is wired to L1 (execution RPC, beacon API, Scroll's blob archive, the sequencer), and nothing is
 * delivered without the L1 secrets. Also the catalog rule that keeps `requires` equal to what the
 * chain's clients read.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { parse } from "yaml";
import { checkIntegrity } from "../../core/catalog/load";
import { catalogReadiness, upgradeChecks } from "../../core/catalog/upgrades";
import { planFleet } from "../../core/planner/plan";
import { renderWorkload, workloadFiles, type ComposeFile } from "../../core/workload";
import { catalog as loadCat, fleetOf } from "../core/helpers";

const catalog = loadCat();
const SECRETS = {
  l1Rpc: "https://l1.example.invalid/KEY-abc",
  l1Beacon: "https://beacon.example.invalid/KEY-def",
};
const scrollNode = (role = "full") => ({
  id: "scroll-1",
  chain: "scroll",
  network: "mainnet",
  role,
  clients: { node: "l2geth" },
});

describe("Scroll", () => {
  it("plans a Scroll fleet: nodes of chain scroll running l2geth, sized by the catalog profile", async () => {
    const plan = await planFleet(
      fleetOf({
        name: "scroll-fleet",
        chains: [{ chain: "scroll", count: 2 }],
        sites: { aws: { regions: ["us-east-1", "eu-central-1"] } },
        policy: {},
      }),
      catalog,
    );
    assert.equal(plan.nodes.length, 2);
    for (const n of plan.nodes) {
      assert.equal(n.chain, "scroll");
      assert.equal(n.network, "mainnet");
      assert.deepEqual(n.clients, { node: "l2geth" });
    }
    const profile = catalog.chains.get("scroll")!.roles.full;
    assert.equal(profile.vcpu, 8);
    assert.equal(profile.memoryGb, 32);
    assert.equal(profile.diskGb, 4000);
    assert.match(profile.source, /docs\.scroll\.io/);
    assert.equal(
      profile.estimate,
      true,
      "the disk performance is derived from 'gp3', so the profile says it is an estimate",
    );
  });

  it("renders l2geth wired to L1: --scroll, L1 RPC and beacon from .env, the blob archive, the sequencer", () => {
    const w = renderWorkload(scrollNode(), catalog);
    const svc = (parse(w.composeYaml) as ComposeFile).services.node;
    assert.equal(svc.image, "scrolltech/l2geth:scroll-v5.10.7");
    const cmd = svc.command;
    assert.equal(cmd[0], "--scroll");
    for (const arg of [
      "--l1.endpoint=${SOVEREIGN_L1_RPC}",
      "--da.blob.beaconnode=${SOVEREIGN_L1_BEACON}",
      "--da.blob.awss3=https://scroll-mainnet-blob-data.s3.us-west-2.amazonaws.com",
      "--gossip.sequencerhttp=https://mainnet-sequencer-proxy.scroll.io",
      "--rollup.verify",
      "--datadir=/data",
    ])
      assert.ok(cmd.includes(arg), `${arg} in ${cmd.join(" ")}`);
    assert.ok(!cmd.some((a) => a.startsWith("--gcmode")), "full keeps geth's default (pruned) gcmode");
    assert.deepEqual(w.secrets, ["l1Beacon", "l1Rpc"]);
    assert.equal(w.needsJwt, false, "a single-process node has no engine API");
    assert.deepEqual(w.rpc, { service: "node", port: 8545 });
    assert.deepEqual(svc.ports, [
      "30303:30303/tcp",
      "30303:30303/udp",
      "8545:8545/tcp",
      "8546:8546/tcp",
      "127.0.0.1:6060:6060/tcp",
    ]);
    assert.deepEqual(svc.healthcheck?.test, ["CMD", "geth", "attach", "--exec", "eth.blockNumber", "/data/geth.ipc"]);
    assert.ok(
      renderWorkload(scrollNode("archive"), catalog).compose.services.node.command.includes("--gcmode=archive"),
    );
  });

  it("the L1 URLs reach only the .env file; without them nothing is written", () => {
    const w = renderWorkload(scrollNode(), catalog);
    const files = workloadFiles(w, SECRETS);
    const env = files.find((f) => f.path.endsWith("/.env"))!;
    assert.equal(env.secret, true);
    assert.match(env.content, /^SOVEREIGN_L1_BEACON='https:\/\/beacon\.example\.invalid\/KEY-def'$/m);
    assert.match(env.content, /^SOVEREIGN_L1_RPC='https:\/\/l1\.example\.invalid\/KEY-abc'$/m);
    assert.ok(!w.composeYaml.includes("KEY-"));
    assert.throws(() => workloadFiles(w, {}), /scroll-1: the chain needs l1Beacon and l1Rpc .*sovereign:l1Beacon/);
    assert.throws(() => workloadFiles(w, { l1Beacon: SECRETS.l1Beacon }), /the chain needs l1Rpc/);
  });

  it("a network without a blob archive in the catalog is refused, naming the field to add", () => {
    const scroll = catalog.chains.get("scroll")!;
    const partial = { ...catalog, chains: new Map(catalog.chains) };
    partial.chains.set("scroll", { ...scroll, blobArchiveUrls: {} });
    assert.throws(
      () => renderWorkload(scrollNode(), partial),
      /^Error: scroll-1: l2geth: \{blobArchiveUrl\} has no value: add blobArchiveUrls\.mainnet \(an archive serving the chain's blobs\) to chain scroll in the catalog$/,
    );
  });

  it("the pinned l2geth follows Galileo on mainnet (minimum scroll-v5.10.0); an older pin forks off", () => {
    const now = new Date("2026-12-02T00:00:00Z");
    const row = catalogReadiness(catalog, { now }).find((r) => r.client === "l2geth" && r.upgrade === "Galileo")!;
    assert.deepEqual([row.pinned, row.minimum, row.readiness, row.active], ["5.10.7", "5.10.0", "ready", true]);
    const nodes = [{ chainKey: "scroll/mainnet", clients: { node: "l2geth" } }];
    assert.equal(upgradeChecks(catalog, nodes, { now })[0].ok, true);
    const old = structuredClone(catalog);
    old.clients.get("l2geth")!.image.tag = "scroll-v5.9.2";
    const [check] = upgradeChecks(old, nodes, { now });
    assert.equal(check.ok, false);
    assert.match(check.message, /l2geth 5\.9\.2 is below 5\.10\.0 \(Galileo, active since 2025-12-16\)/);
  });
});

describe("catalog: a chain's requires is what its clients read", () => {
  it("a client reading {l1Rpc} on a chain that does not require it, and a requirement nobody reads, are problems", () => {
    const broken = structuredClone(catalog);
    broken.chains.get("scroll")!.requires = ["l1Beacon"];
    broken.chains.get("bitcoin")!.requires = ["l1Rpc"];
    const problems = checkIntegrity(broken).join("\n");
    assert.match(problems, /chain scroll: client l2geth reads \{l1Rpc\}, which the chain does not list in requires/);
    assert.match(problems, /chain bitcoin: requires l1Rpc, but none of its clients reads \{l1Rpc\}/);
    assert.deepEqual(checkIntegrity(catalog), []);
  });
});
