import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { loadCatalog } from "../../core/catalog/load";
import {
  NODE_TAG_KEYS,
  cidrProblems,
  clientTagKey,
  fromGcpLabels,
  gcpLabelKey,
  ingressRules,
  nodeFromTags,
  nodeTags,
  rpcPort,
  toGcpLabels,
} from "../../core/workload";

const catalog = loadCatalog();
const eth = { chain: "ethereum", clients: { execution: "reth", consensus: "lighthouse" } };

describe("ingress rules from catalog ports", () => {
  it("P2P to the world, nothing else by default", () => {
    const rules = ingressRules(eth, catalog);
    assert.deepEqual(
      rules.map((r) => `${r.port}/${r.protocol}`),
      ["9000/tcp", "9000/udp", "9001/udp", "9200/udp", "30303/tcp", "30303/udp"],
    );
    for (const r of rules) assert.deepEqual(r.cidrs, ["0.0.0.0/0"]);
  });

  it("RPC from the allow-list, SSH from admin CIDRs; engine, metrics never", () => {
    const rules = ingressRules(eth, catalog, { rpcAllowCidrs: ["203.0.113.0/24"], adminCidrs: ["198.51.100.7/32"] });
    const rpc = rules.filter((r) => r.source === "rpc");
    assert.deepEqual(
      rpc.map((r) => r.port),
      [5052, 8545, 8546],
    );
    for (const r of rpc) assert.deepEqual(r.cidrs, ["203.0.113.0/24"]);
    assert.deepEqual(
      rules.filter((r) => r.source === "admin").map((r) => [r.port, r.cidrs]),
      [[22, ["198.51.100.7/32"]]],
    );
    const ports = rules.map((r) => r.port);
    for (const closed of [8551, 9001 /* reth metrics is tcp */, 5054]) {
      assert.ok(!rules.some((r) => r.port === closed && r.protocol === "tcp"), `${closed}/tcp opened`);
    }
    assert.ok(ports.includes(9001), "lighthouse QUIC 9001/udp is P2P");
  });

  it("RPC from the fleet's own network, with or without an allow-list; engine, metrics, SSH never from it", () => {
    const net = ["10.42.0.0/16"];
    const only = ingressRules(eth, catalog, { networkCidrs: net });
    const fromNet = only.filter((r) => r.source === "network");
    assert.deepEqual(
      fromNet.map((r) => [r.key, r.port, r.protocol, r.cidrs]),
      [
        ["net-5052-tcp", 5052, "tcp", net],
        ["net-8545-tcp", 8545, "tcp", net],
        ["net-8546-tcp", 8546, "tcp", net],
      ],
    );
    assert.equal(only.filter((r) => r.source === "rpc").length, 0, "no allow-list, no rpc rule");
    assert.deepEqual(
      only.filter((r) => r.source === "world").map((r) => r.port),
      [9000, 9000, 9001, 9200, 30303, 30303],
    );
    for (const closed of [8551, 5054, 22])
      assert.ok(!fromNet.some((r) => r.port === closed), `${closed} opened to the network`);

    const both = ingressRules(eth, catalog, {
      rpcAllowCidrs: ["203.0.113.0/24"],
      networkCidrs: ["10.104.0.0/20", "10.102.0.0/20", "10.104.0.0/20"],
      adminCidrs: ["198.51.100.7/32"],
    });
    assert.deepEqual(
      both.map((r) => r.source),
      [
        "world",
        "world",
        "world",
        "world",
        "world",
        "world",
        "rpc",
        "rpc",
        "rpc",
        "network",
        "network",
        "network",
        "admin",
      ],
    );
    for (const r of both.filter((x) => x.source === "network"))
      assert.deepEqual(r.cidrs, ["10.104.0.0/20", "10.102.0.0/20"]);
    assert.equal(new Set(both.map((r) => r.key)).size, both.length, "keys are unique (resource names)");
    assert.match(both.find((r) => r.key === "net-8545-tcp")!.description, /execution\/reth rpc/);
    // A client without RPC ports gets no network rule.
    assert.deepEqual(
      ingressRules({ clients: { node: "nitro" } }, catalog, { networkCidrs: net }).map((r) => r.key),
      ["net-8547-tcp", "net-8548-tcp"],
    );
  });

  it("merges the same port of two clients into one rule", () => {
    const rules = ingressRules({ clients: { execution: "geth", consensus: "teku" } }, catalog);
    assert.equal(rules.filter((r) => r.port === 30303 && r.protocol === "tcp").length, 1);
  });

  it("finds the chain's RPC port", () => {
    assert.deepEqual(rpcPort({ chain: "arbitrum", clients: { node: "nitro" } }, catalog), {
      service: "node",
      port: 8547,
    });
    assert.deepEqual(rpcPort({ chain: "bitcoin", clients: { node: "bitcoind" } }, catalog), {
      service: "node",
      port: 8332,
    });
  });

  it("checks CIDRs", () => {
    assert.deepEqual(cidrProblems("x", ["10.0.0.0/8", "2001:db8::/32", "0.0.0.0/0"]), []);
    assert.equal(cidrProblems("x", ["10.0.0.1", "300.0.0.0/8", "10.0.0.0/40", 5]).length, 4);
  });
});

describe("tag scheme", () => {
  const node = {
    id: "base-gcp-us-east4-1",
    chain: "base",
    network: "mainnet",
    role: "full",
    provider: "gcp",
    operator: "gcp",
    region: "us-east4",
    jurisdiction: "US",
    clients: { execution: "op-reth", rollup: "op-node" },
  };

  it("writes every key, one per client layer", () => {
    const tags = nodeTags("fleet-a", node);
    for (const k of NODE_TAG_KEYS) assert.ok(tags[k], k);
    assert.equal(tags["sovereign:execution"], "op-reth");
    assert.equal(tags["sovereign:rollup"], "op-node");
    assert.equal(clientTagKey("node"), "sovereign:client");
    assert.deepEqual(nodeFromTags(tags), node);
  });

  it("maps to GCP labels (lower case, no colons) and back", () => {
    const labels = toGcpLabels(nodeTags("fleet-a", node));
    assert.equal(labels["sovereign-fleet"], "fleet-a");
    assert.equal(labels["sovereign-jurisdiction"], "us");
    for (const [k, v] of Object.entries(labels)) {
      assert.match(k, /^[a-z][a-z0-9_-]{0,62}$/);
      assert.match(v, /^[a-z0-9_-]{0,63}$/);
    }
    assert.deepEqual(nodeFromTags(fromGcpLabels(labels)), node);
    assert.equal(gcpLabelKey("sovereign:fleet"), "sovereign-fleet");
    assert.equal(toGcpLabels({ "sovereign:x": "A.B/c" })["sovereign-x"], "a_b_c");
  });
});
