/**
 * The gateway's integrity layer and deep health, for real on loopback: Debian's HAProxy and eRPC
 * 0.0.56 (built from the vendored source) with the configuration core/gateway renders, in front of
 * three anvils on three operators, one of which is made to lie (anvil_setBalance / anvil_setCode on
 * that node alone). Checked: the quorum each spread of operators gets; integrity reads return the
 * honest answer and never the forged one, the liar is cordoned and counted; with the honest nodes
 * gone, integrity reads fail with a JSON-RPC error while head reads go on; a node whose eth_call
 * fails while it answers its head is taken out by the health check. Bounded: ~100 requests.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { operatorQuorum } from "../../core/diversity/quorum";
import { renderGatewayConfig, type GatewayUpstream } from "../../core/gateway";
import {
  freePort,
  rpc,
  rpcRaw,
  serverStates,
  startAnvil,
  startErpc,
  startGateway,
  stopAll,
  waitFor,
  type Anvil,
  type Gateway,
} from "./processes";

after(stopAll);

/** anvil's first dev account: funded with 10,000 ETH on every node. */
const DEV = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
const HONEST = "0x21e19e0c9bab2400000";
const FORGED = "0xdeadbeef";
const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";
const REVERT = "0x60006000fd"; // PUSH1 0 PUSH1 0 REVERT
const FAST = { serverMs: 1000, checkIntervalMs: 300, checkTimeoutMs: 300, fall: 2, rise: 2, lagIntervalMs: 300 };

describe("the quorum: one more than the nodes the largest minOperators-1 operators hold", () => {
  it("follows how many nodes each operator holds", () => {
    assert.deepEqual(operatorQuorum(["a", "b", "c"], 2), {
      agreement: 2,
      participants: 3,
      operators: 3,
      minOperators: 2,
    });
    assert.equal((operatorQuorum(["a", "a", "b", "c"], 2) as { agreement: number }).agreement, 3);
    assert.equal((operatorQuorum(["a", "a", "b", "b", "c"], 3) as { agreement: number }).agreement, 5);
    assert.match((operatorQuorum(["a", "a"], 2) as { problem: string }).problem, /1 operator\(s\) \(a\)/);
    assert.match((operatorQuorum(["a", "b"], 1) as { problem: string }).problem, /at least 2/);
  });
  it("no operator's nodes alone ever meet it (every spread of up to 7 nodes on up to 4 operators)", () => {
    const ops = ["a", "b", "c", "d"];
    for (let n = 2; n <= 7; n++) {
      for (let code = 0; code < ops.length ** n; code++) {
        const nodes = Array.from({ length: n }, (_, i) => ops[Math.floor(code / ops.length ** i) % ops.length]);
        for (const m of [2, 3]) {
          const q = operatorQuorum(nodes, m);
          if ("problem" in q) {
            assert.ok(new Set(nodes).size < m);
            continue;
          }
          const sizes = [...new Set(nodes)].map((o) => nodes.filter((x) => x === o).length).sort((x, y) => y - x);
          assert.ok(sizes.slice(0, m - 1).reduce((x, y) => x + y, 0) < q.agreement, `${nodes} m=${m}`);
          assert.ok(q.agreement <= n, `${nodes} m=${m}: the honest nodes together can meet it`);
        }
      }
    }
  });
  it("refuses integrity on nodes dialled over mTLS and on chains on too few operators, naming the field", () => {
    const chain = (upstreams: GatewayUpstream[]) => ({
      gateway: "gw",
      chains: [{ chain: "devnet/local", upstreams, integrity: { chainId: 31337 } }],
    });
    assert.throws(
      () =>
        renderGatewayConfig(
          chain([
            { node: "a", url: "http://10.0.0.1:8545", operator: "x" },
            { node: "b", url: "http://10.0.0.2:8545", operator: "x" },
          ]),
        ),
      /chains\[0\]\.integrity\.minOperators: devnet\/local: its nodes are on 1 operator/,
    );
    assert.throws(
      () =>
        renderGatewayConfig(
          chain([
            { node: "a", url: "http://10.0.0.1:8545", operator: "x" },
            {
              node: "b",
              url: "https://10.0.0.2:8443",
              operator: "y",
              mtls: { serverName: "b.lab.upstream.sovereign" },
            },
          ]),
        ),
      /upstream b is dialled over mTLS/,
    );
  });
});

describe("integrity reads through eRPC's consensus, beside HAProxy", () => {
  let nodes: Anvil[];
  let gw: Gateway;
  let erpc: { metrics: string; log: () => string };
  const url = () => `${gw.url}/devnet/local`;
  const balance = () => rpcRaw(url(), "eth_getBalance", [DEV, "latest"]);
  before(async () => {
    nodes = await Promise.all([startAnvil(), startAnvil(), startAnvil()]);
    gw = await startGateway({
      gateway: "gw-q",
      timeouts: FAST,
      erpc: { port: await freePort(), metricsPort: await freePort(), timeoutMs: 1500, sitOutSeconds: 300 },
      chains: [
        {
          chain: "devnet/local",
          upstreams: nodes.map((n, i) => ({ node: `node-${"abc"[i]}`, url: n.url, operator: `op-${"abc"[i]}` })),
          integrity: { chainId: 31337, methods: ["eth_getBalance", "eth_call", "eth_getCode"] },
        },
      ],
    });
    erpc = await startErpc(gw.rendered);
    await waitFor(
      async () => (await serverStates(gw))["integrity_devnet.local/erpc"]?.status === "UP",
      8000,
      "HAProxy sees eRPC up",
    );
    assert.deepEqual(gw.rendered.integrity["devnet/local"].agreement, 2);
  });

  it("with a liar among three operators: every answer is the honest one, the liar is cordoned and counted", async () => {
    await rpc(nodes[2].url, "anvil_setBalance", [DEV, FORGED]);
    assert.equal(await rpc(nodes[2].url, "eth_getBalance", [DEV, "latest"]), FORGED, "node-c lies when asked alone");
    const answers = await Promise.all(Array.from({ length: 40 }, () => balance()));
    for (const a of answers) assert.equal(JSON.parse(a.text).result, HONEST, a.text);
    const metrics = await (await fetch(erpc.metrics)).text();
    assert.match(metrics, /erpc_consensus_misbehavior_detected_total\{[^}]*upstream="node-c"[^}]*\} [1-9]/);
    assert.match(
      metrics,
      /erpc_upstream_cordoned\{[^}]*reason="misbehaving in consensus"[^}]*upstream="node-c"[^}]*\} 1/,
    );
    assert.match(erpc.log(), /node-c/, "the dispute is logged, naming the node");
  });

  it("head reads stay on HAProxy: they never reach eRPC", async () => {
    const before = await (await fetch(erpc.metrics)).text();
    const count = (m: string) => (m.match(/erpc_network_request_received_total\{[^}]*\} (\d+)/g) ?? []).length;
    for (let i = 0; i < 10; i++) assert.match(await rpc(url(), "eth_blockNumber"), /^0x/);
    assert.equal(count(await (await fetch(erpc.metrics)).text()), count(before));
    assert.ok(!/eth_blockNumber/.test(await (await fetch(erpc.metrics)).text()));
  });

  it("with the honest operators gone: integrity reads fail with a JSON-RPC error, head reads go on", async () => {
    await Promise.all([nodes[0].stop(), nodes[1].stop()]);
    for (let i = 0; i < 10; i++) {
      const r = await balance();
      const body = JSON.parse(r.text);
      assert.ok(body.error, `an error, not an answer: ${r.text}`);
      assert.ok(!r.text.includes(FORGED.slice(2)), `never the forged value: ${r.text}`);
    }
    await waitFor(
      async () => /^0x/.test(await rpc(url(), "eth_blockNumber")),
      5000,
      "head reads from the remaining node",
    );
  });
});

describe("deep health: a node that answers its head but fails state reads is taken out", () => {
  it("eth_call reverting on one node: HAProxy marks it down while eth_blockNumber still works there", async () => {
    const nodes = await Promise.all([startAnvil(), startAnvil()]);
    const gw = await startGateway({
      gateway: "gw-deep",
      timeouts: FAST,
      chains: [
        {
          chain: "devnet/local",
          upstreams: nodes.map((n, i) => ({ node: `deep-${i}`, url: n.url, operator: `op-${i}` })),
        },
      ],
    });
    const state = async () => (await serverStates(gw))["rpc_devnet.local/deep-1"]?.status;
    await waitFor(async () => (await state()) === "UP", 8000, "deep-1 up");
    await rpc(nodes[1].url, "anvil_setCode", [ZERO_ADDRESS, REVERT]);
    assert.match(await rpc(nodes[1].url, "eth_blockNumber"), /^0x/, "its head still answers");
    await waitFor(async () => (await state())?.startsWith("DOWN") === true, 5000, "deep-1 down");
    await rpc(nodes[1].url, "anvil_setCode", [ZERO_ADDRESS, "0x"]);
    await waitFor(async () => (await state()) === "UP", 8000, "deep-1 up again once eth_call works");
  });
});
