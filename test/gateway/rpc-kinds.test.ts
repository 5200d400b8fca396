/**
 * The gateway per RPC kind (core/rpc-kinds), for real: Debian's HAProxy running the configuration
 * core/gateway renders, in front of btcd (Bitcoin, regtest), CometBFT (kvstore) and the XRPL
 * stand-in (no rippled build exists here) on loopback. For each kind: reads reach a healthy node,
 * a node whose head trails is drained and comes back, a write whose node hangs is not sent again,
 * refused methods never reach a node, and credentials stay out of what clients and logs see.
 * Bounded: a few hundred requests, every process killed in `after`.
 */
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { startBtcd, startCometbft, startXrplStandIn, type KindNode, type XrplStandIn } from "./kind-nodes";
import { serverStates, startGateway, stopAll, waitFor, type Gateway } from "./processes";

after(stopAll);

const FAST = { serverMs: 1000, checkIntervalMs: 300, checkTimeoutMs: 300, fall: 2, rise: 2, lagIntervalMs: 300 };
// Slow health checks: a frozen node stays "up", so requests keep reaching it.
const SLOW = { serverMs: 600, checkIntervalMs: 2000, checkTimeoutMs: 1000, fall: 15, rise: 1, lagIntervalMs: 60000 };

/** POSTs a raw body to the gateway's route of `chain`. */
async function post(gw: Gateway, chain: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${gw.url}/${chain}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(15000),
  });
  return { status: res.status, text: await res.text() };
}

const status = async (gw: Gateway, server: string) => (await serverStates(gw))[server]?.status ?? "";
const allUp = (gw: Gateway) =>
  waitFor(async () => Object.values(await serverStates(gw)).every((s) => s.status === "UP"), 8000, "servers up");

/** SIGSTOP a node's process until `body` is done. */
async function frozen<T>(n: KindNode, body: () => Promise<T>): Promise<T> {
  n.process!.kill("SIGSTOP");
  const state = () => readFileSync(`/proc/${n.process!.pid}/stat`, "utf8").split(") ")[1][0];
  await waitFor(async () => state() === "T", 2000, "the node stopped");
  try {
    return await body();
  } finally {
    n.process!.kill("SIGCONT");
  }
}

/** Sends `writes` write requests and `reads` reads; counts the writes that timed out (504: not retried). */
async function writesAgainstHungNode(gw: Gateway, chain: string, read: unknown, write: unknown, count = 6) {
  const reads: number[] = [];
  const writes: number[] = [];
  for (let i = 0; i < count; i++) {
    reads.push((await post(gw, chain, read)).status);
    writes.push((await post(gw, chain, write)).status);
  }
  return { reads, writes };
}

describe("bitcoin (btcd regtest): credentials from the gateway, never the client", () => {
  const CHAIN = "bitcoin/regtest";
  const BACKEND = "rpc_bitcoin.regtest";
  const PASSWORD = "c0ffee".repeat(8);
  const basic = Buffer.from(`sovereign:${PASSWORD}`).toString("base64");
  const call = (method: string, params: unknown[] = []) => ({ jsonrpc: "1.0", id: 1, method, params });
  let a: KindNode, b: KindNode, gw: Gateway;
  const chain = (timeouts: typeof FAST) => ({
    chain: CHAIN,
    kind: "bitcoin",
    maxLagBlocks: 3,
    timeouts,
    upstreams: [
      { node: "btc-a", url: a.url, operator: "op-a" },
      { node: "btc-b", url: b.url, operator: "op-b" },
    ],
  });
  before(async () => {
    [a, b] = await Promise.all([startBtcd(PASSWORD), startBtcd(PASSWORD)]);
    const { timeouts, ...c } = chain(FAST);
    gw = await startGateway({ gateway: "gw-btc", chains: [c], timeouts }, { upstreamAuth: { [CHAIN]: PASSWORD } });
    await allUp(gw);
  });

  it("answers Bitcoin RPC without client credentials; a client's own Authorization is replaced; no credential in answers or logs", async () => {
    const info = await post(gw, CHAIN, call("getblockchaininfo"));
    assert.equal(info.status, 200, info.text);
    assert.equal(JSON.parse(info.text).result.chain, "regtest");
    const wrong = await post(gw, CHAIN, call("getblockcount"), { authorization: "Basic d3Jvbmc6d3Jvbmc=" });
    assert.equal(wrong.status, 200, `a client's credentials are replaced by the node's: ${wrong.text}`);
    const refused = await post(gw, CHAIN, call("stop"));
    assert.equal(refused.status, 403, refused.text);
    assert.equal((await a.call(call("getblockcount"))).result, 0, "node-a still runs after a refused stop");
    assert.equal((await b.call(call("getblockcount"))).result, 0, "node-b still runs after a refused stop");
    for (const text of [
      info.text,
      wrong.text,
      refused.text,
      gw.log(),
      gw.rendered.haproxyCfg,
      gw.rendered.lagCheckLua,
    ]) {
      assert.ok(
        !text.includes(PASSWORD) && !text.includes(basic),
        "a credential leaked into an answer, the log or the config",
      );
    }
  });

  it("drains a node whose blocks trail the best head by more than maxLagBlocks, and takes it back", async () => {
    await a.call(call("generate", [5]));
    await waitFor(async () => (await status(gw, `${BACKEND}/btc-b`)).startsWith("DRAIN"), 8000, "btc-b drained");
    for (let i = 0; i < 10; i++)
      assert.equal(JSON.parse((await post(gw, CHAIN, call("getblockcount"))).text).result, 5, "only btc-a serves");
    assert.match(gw.log(), /lag-check: rpc_bitcoin.regtest\/btc-b drained \(head 0, best 5, max lag 3\)/);
    await b.call(call("generate", [4]));
    await waitFor(async () => (await status(gw, `${BACKEND}/btc-b`)) === "UP", 8000, "btc-b ready again");
  });

  it("retries a read whose node hangs, but never a sendrawtransaction", async () => {
    const { timeouts, ...c } = chain(SLOW);
    const slow = await startGateway(
      { gateway: "gw-btc-writes", chains: [c], timeouts },
      { upstreamAuth: { [CHAIN]: PASSWORD } },
    );
    await allUp(slow);
    const { reads, writes } = await frozen(b, () =>
      writesAgainstHungNode(slow, CHAIN, call("getblockcount"), call("sendrawtransaction", ["00"])),
    );
    assert.deepEqual([...new Set(reads)], [200], `every read answered after a retry: ${reads}`);
    assert.ok(writes.includes(504), `some writes reached the hung node and were not sent elsewhere: ${writes}`);
    assert.ok(!slow.log().includes(PASSWORD) && !slow.log().includes(basic));
  });
});

describe("cometbft (kvstore)", () => {
  const CHAIN = "cometbft/local";
  const BACKEND = "rpc_cometbft.local";
  const call = (method: string, params: unknown = {}) => ({ jsonrpc: "2.0", id: 1, method, params });
  const height = async (n: KindNode) => Number((await n.call(call("status"))).result.sync_info.latest_block_height);
  let tx = 0;
  const commit = async (n: KindNode, count: number) => {
    for (let i = 0; i < count; i++)
      await n.call(call("broadcast_tx_commit", { tx: Buffer.from(`k${tx}=${tx++}`).toString("base64") }));
  };
  let a: KindNode, b: KindNode, gw: Gateway;
  const upstreams = () => [
    { node: "cmt-a", url: a.url, operator: "op-a" },
    { node: "cmt-b", url: b.url, operator: "op-b" },
  ];
  before(async () => {
    [a, b] = await Promise.all([startCometbft(), startCometbft()]);
    gw = await startGateway({
      gateway: "gw-cmt",
      chains: [{ chain: CHAIN, kind: "cometbft", maxLagBlocks: 3, upstreams: upstreams() }],
      timeouts: FAST,
    });
    await allUp(gw);
  });

  it("answers status through the gateway and refuses dial_seeds; a client's Authorization never reaches the node", async () => {
    const r = await post(gw, CHAIN, call("status"), { authorization: "Basic c2VjcmV0OnNlY3JldA==" });
    assert.equal(r.status, 200, r.text);
    assert.equal(JSON.parse(r.text).result.sync_info.catching_up, false);
    assert.equal((await post(gw, CHAIN, call("dial_seeds", { seeds: [] }))).status, 403);
    assert.match(gw.rendered.haproxyCfg, /backend rpc_cometbft\.local[\s\S]*http-request del-header authorization/);
  });

  it("drains a node whose latest_block_height trails by more than maxLagBlocks, and takes it back", async () => {
    const [ha, hb] = [await height(a), await height(b)];
    await commit(a, Math.max(0, hb - ha) + 5);
    await waitFor(async () => (await status(gw, `${BACKEND}/cmt-b`)).startsWith("DRAIN"), 8000, "cmt-b drained");
    const best = await height(a);
    for (let i = 0; i < 5; i++) {
      const r = JSON.parse((await post(gw, CHAIN, call("status"))).text);
      assert.ok(Number(r.result.sync_info.latest_block_height) >= best, "only cmt-a serves");
    }
    await commit(b, best - (await height(b)));
    await waitFor(async () => (await status(gw, `${BACKEND}/cmt-b`)) === "UP", 8000, "cmt-b ready again");
  });

  it("retries a read whose node hangs, but never a broadcast_tx_sync", async () => {
    const slow = await startGateway({
      gateway: "gw-cmt-writes",
      chains: [{ chain: CHAIN, kind: "cometbft", maxLagBlocks: 1000, upstreams: upstreams() }],
      timeouts: SLOW,
    });
    await allUp(slow);
    const { reads, writes } = await frozen(b, () =>
      writesAgainstHungNode(
        slow,
        CHAIN,
        call("status"),
        call("broadcast_tx_sync", { tx: Buffer.from("w=1").toString("base64") }),
      ),
    );
    assert.deepEqual([...new Set(reads)], [200], `every read answered after a retry: ${reads}`);
    assert.ok(writes.includes(504), `some writes reached the hung node and were not sent elsewhere: ${writes}`);
  });
});

describe("xrpl (stand-in: no rippled build here)", () => {
  const CHAIN = "xrpl/local";
  const BACKEND = "rpc_xrpl.local";
  const call = (method: string) => ({ method, params: [{}] });
  let a: XrplStandIn, b: XrplStandIn, gw: Gateway;
  const upstreams = () => [
    { node: "xrpl-a", url: a.url, operator: "op-a" },
    { node: "xrpl-b", url: b.url, operator: "op-b" },
  ];
  before(async () => {
    [a, b] = await Promise.all([startXrplStandIn(1000), startXrplStandIn(1000)]);
    gw = await startGateway({
      gateway: "gw-xrpl",
      chains: [{ chain: CHAIN, kind: "xrpl", maxLagBlocks: 3, upstreams: upstreams() }],
      timeouts: FAST,
    });
    await allUp(gw);
  });
  after(() => {
    for (const n of [a, b]) {
      n.server.closeAllConnections();
      n.server.close();
    }
  });

  it("answers server_info, takes out a node that is not full/proposing/validating, refuses sign", async () => {
    const r = await post(gw, CHAIN, call("server_info"));
    assert.equal(JSON.parse(r.text).result.info.validated_ledger.seq, 1000, r.text);
    assert.equal((await post(gw, CHAIN, call("sign"))).status, 403);
    b.state.serverState = "syncing";
    await waitFor(async () => (await status(gw, `${BACKEND}/xrpl-b`)).startsWith("DOWN"), 8000, "xrpl-b down");
    b.state.serverState = "full";
    await waitFor(async () => (await status(gw, `${BACKEND}/xrpl-b`)) === "UP", 8000, "xrpl-b up again");
  });

  it("drains a node whose validated ledger trails, or is too old, and takes it back", async () => {
    a.state.seq = 1010;
    await waitFor(
      async () => (await status(gw, `${BACKEND}/xrpl-b`)).startsWith("DRAIN"),
      8000,
      "xrpl-b drained (behind)",
    );
    b.state.seq = 1010;
    await waitFor(async () => (await status(gw, `${BACKEND}/xrpl-b`)) === "UP", 8000, "xrpl-b ready again");
    b.state.age = 120;
    await waitFor(
      async () => (await status(gw, `${BACKEND}/xrpl-b`)).startsWith("DRAIN"),
      8000,
      "xrpl-b drained (stale ledger)",
    );
    assert.match(gw.log(), /xrpl-b drained \(head 1010, best 1010, max lag 3, behind by its own account\)/);
    b.state.age = 1;
    await waitFor(async () => (await status(gw, `${BACKEND}/xrpl-b`)) === "UP", 8000, "xrpl-b ready again");
  });

  it("retries a read whose node hangs, but never sends a submit twice", async () => {
    const slow = await startGateway({
      gateway: "gw-xrpl-writes",
      chains: [{ chain: CHAIN, kind: "xrpl", maxLagBlocks: 3, upstreams: upstreams() }],
      timeouts: SLOW,
    });
    await allUp(slow);
    const before = a.submits + b.submits;
    b.state.hang = true;
    try {
      const { reads, writes } = await writesAgainstHungNode(slow, CHAIN, call("server_info"), call("submit"));
      assert.deepEqual([...new Set(reads)], [200], `every read answered after a retry: ${reads}`);
      assert.ok(writes.includes(504), `some submits reached the hung node: ${writes}`);
      assert.equal(a.submits + b.submits - before, writes.length, "each submit reached exactly one node");
    } finally {
      b.state.hang = false;
    }
  });
});
