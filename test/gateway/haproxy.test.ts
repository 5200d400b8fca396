/**
 * The gateway's data plane for real: Debian's HAProxy running the configuration core/gateway
 * renders, in front of real anvil nodes on loopback. Each node answers eth_getBalance of a marker
 * address with its own number, so a response says which node served it. Checked: backup nodes only
 * serve when no primary can; a lagging node is drained and rejoins when it catches up; a frozen or
 * killed node is failed over with no failed read; a write whose node hangs after receiving it is
 * not sent to another node; a head read gives up on a frozen node after its class's budget, other
 * reads after `serverMs`; API keys (401), per-key rate limits (429); TLS; WebSocket.
 * Bounded: at most a few hundred requests, every process killed in `after`.
 */
import { readFileSync } from "node:fs";
import { request } from "node:https";
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import WebSocket from "ws";
import {
  rpc,
  rpcRaw,
  selfSignedCertificate,
  serverStates,
  startAnvil,
  startGateway,
  stopAll,
  waitFor,
  type Anvil,
  type Gateway,
} from "./processes";

const MARKER = "0x000000000000000000000000000000000000beef";
const SENDER = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266"; // anvil's first dev account (unlocked)
const CHAIN = "devnet/local";
const BACKEND = "rpc_devnet.local";

after(stopAll);

/** Gives each anvil its own marker balance (1, 2, 3...) so answers tell who served them. */
async function mark(nodes: Anvil[]): Promise<void> {
  for (const [i, n] of nodes.entries()) await rpc(n.url, "anvil_setBalance", [MARKER, `0x${(i + 1).toString(16)}`]);
}

/** Which node (1-based marker) answered each of `count` sequential reads through the gateway; 0 = failed. */
async function whoAnswers(gw: Gateway, count: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    try {
      out.push(Number(await rpc(`${gw.url}/${CHAIN}`, "eth_getBalance", [MARKER, "latest"])));
    } catch {
      out.push(0);
    }
  }
  return out;
}

/** SIGSTOP, and wait until the kernel shows the process stopped (state T). */
async function freeze(n: Anvil): Promise<void> {
  n.process.kill("SIGSTOP");
  const state = () => readFileSync(`/proc/${n.process.pid}/stat`, "utf8").split(") ")[1][0];
  await waitFor(async () => state() === "T", 2000, "the node stopped");
}

const upstream = (node: string, a: Anvil, backup = false) => ({ node, url: a.url, operator: `op-${node}`, backup });

describe("health, lag and failover", () => {
  let a: Anvil, b: Anvil, c: Anvil, gw: Gateway;
  before(async () => {
    [a, b, c] = await Promise.all([startAnvil(), startAnvil(), startAnvil()]);
    await mark([a, b, c]);
    gw = await startGateway({
      gateway: "gw-test",
      chains: [
        {
          chain: CHAIN,
          maxLagBlocks: 3,
          upstreams: [upstream("node-a", a), upstream("node-b", b), upstream("paid-c", c, true)],
        },
      ],
      timeouts: { serverMs: 1000, checkIntervalMs: 300, checkTimeoutMs: 300, fall: 2, rise: 2, lagIntervalMs: 300 },
    });
    await waitFor(
      async () => Object.values(await serverStates(gw)).every((s) => s.status === "UP"),
      5000,
      "servers up",
    );
  });

  it("spreads reads over the primary nodes and leaves the paid backup alone", async () => {
    const who = await whoAnswers(gw, 20);
    assert.deepEqual([...new Set(who)].sort(), [1, 2], `answers came from ${who}`);
  });

  it("drains a node that lags the best head by more than maxLagBlocks, and takes it back once it catches up", async () => {
    await rpc(a.url, "anvil_mine", ["0xa"]);
    await rpc(c.url, "anvil_mine", ["0xa"]);
    await waitFor(
      async () => (await serverStates(gw))[`${BACKEND}/node-b`].status.startsWith("DRAIN"),
      5000,
      "node-b drained",
    );
    assert.deepEqual([...new Set(await whoAnswers(gw, 10))], [1], "only node-a serves while node-b lags");
    assert.ok(/lag-check: rpc_devnet.local\/node-b drained \(head 0, best 10, max lag 3\)/.test(gw.log()), gw.log());

    await rpc(b.url, "anvil_mine", ["0x8"]); // 2 behind: within the lag allowed
    await waitFor(
      async () => (await serverStates(gw))[`${BACKEND}/node-b`].status === "UP",
      5000,
      "node-b ready again",
    );
    assert.deepEqual([...new Set(await whoAnswers(gw, 20))].sort(), [1, 2]);
  });

  it("fails reads over from a frozen node with none lost, and the node rejoins when it answers again", async () => {
    await freeze(a);
    try {
      const who = await whoAnswers(gw, 20);
      assert.ok(!who.includes(0), `no read failed while node-a hung: ${who}`);
      assert.ok(
        who.every((w) => w === 2),
        `node-b served them all: ${who}`,
      );
      await waitFor(
        async () => (await serverStates(gw))[`${BACKEND}/node-a`].status.startsWith("DOWN"),
        5000,
        "node-a down",
      );
    } finally {
      a.process.kill("SIGCONT");
    }
    await waitFor(async () => (await serverStates(gw))[`${BACKEND}/node-a`].status === "UP", 5000, "node-a back up");
    assert.deepEqual([...new Set(await whoAnswers(gw, 20))].sort(), [1, 2]);
  });

  it("fails over from a dead node with no failed read, and to the backup once every primary is dead", async () => {
    await a.stop();
    const during = await whoAnswers(gw, 20);
    assert.ok(!during.includes(0), `no read failed after node-a died: ${during}`);
    await b.stop();
    await waitFor(
      async () => (await serverStates(gw))[`${BACKEND}/node-b`].status.startsWith("DOWN"),
      5000,
      "node-b down",
    );
    assert.deepEqual([...new Set(await whoAnswers(gw, 10))], [3], "the paid backup serves when no primary can");
  });
});

describe("writes are never sent twice", () => {
  let a: Anvil, b: Anvil, gw: Gateway;
  before(async () => {
    [a, b] = await Promise.all([startAnvil(), startAnvil()]);
    await mark([a, b]);
    // Slow health checks: the frozen node stays "up", so requests keep reaching it.
    gw = await startGateway({
      gateway: "gw-writes",
      chains: [{ chain: CHAIN, upstreams: [upstream("node-a", a), upstream("node-b", b)] }],
      // One budget for every method class: reads that meet the frozen node are retried after 600 ms.
      timeouts: {
        serverMs: 600,
        headMs: 600,
        heavyMs: 600,
        checkIntervalMs: 2000,
        checkTimeoutMs: 1000,
        fall: 15,
        rise: 1,
        lagIntervalMs: 60000,
      },
    });
    await waitFor(
      async () => Object.values(await serverStates(gw)).every((s) => s.status === "UP"),
      5000,
      "servers up",
    );
  });

  it("retries a read whose node hangs after receiving it, but not a write", async () => {
    await freeze(b);
    let writesOk = 0,
      writesFailed = 0;
    try {
      const reads = await whoAnswers(gw, 6);
      assert.deepEqual([...new Set(reads)], [1], `every read answered by node-a after a retry: ${reads}`);
      for (let i = 0; i < 6; i++) {
        const r = await rpcRaw(`${gw.url}/${CHAIN}`, "eth_sendTransaction", [
          { from: SENDER, to: MARKER, value: "0x1" },
        ]);
        if (r.status === 200 && JSON.parse(r.text).result) writesOk++;
        else {
          writesFailed++;
          assert.equal(r.status, 504, r.text);
        }
      }
    } finally {
      b.process.kill("SIGCONT");
    }
    await new Promise((r) => setTimeout(r, 500)); // the hung node executes what it had received once it wakes up
    const onA = Number(await rpc(a.url, "eth_getTransactionCount", [SENDER, "latest"]));
    const onB = Number(await rpc(b.url, "eth_getTransactionCount", [SENDER, "latest"]));
    assert.ok(onA + onB <= 6, `6 writes sent, ${onA} executed on node-a and ${onB} on node-b: some twice`);
    assert.ok(writesFailed >= 1, "some writes were routed to the hung node (else the test proves nothing)");
    // Every write that reached node-a answered; none of the failed ones was re-sent to node-a.
    assert.equal(onA, writesOk);
  });

  // A buffer (tune.bufsize) holds ~16 KB: a bigger body is forwarded before it is all read, so the
  // write rule may not see its method (here after 24 KB of params); HAProxy never retries a request
  // it could not hold whole, so it is still sent once.
  it("does not send a write bigger than one buffer twice either, its method after the buffer", async () => {
    const data = `0x${"00".repeat(12000)}`;
    const body = () =>
      `{"jsonrpc":"2.0","id":1,"params":[{"from":"${SENDER}","to":"${MARKER}","value":"0x1","data":"${data}"}],"method":"eth_sendTransaction"}`;
    const count = async (n: Anvil) => Number(await rpc(n.url, "eth_getTransactionCount", [SENDER, "latest"]));
    await waitFor(async () => (await serverStates(gw))[`${BACKEND}/node-b`].status === "UP", 8000, "node-b up");
    const [a0, b0] = [await count(a), await count(b)];
    await freeze(b);
    let writesOk = 0,
      writesFailed = 0;
    try {
      for (let i = 0; i < 6; i++) {
        const r = await fetch(`${gw.url}/${CHAIN}`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: body(),
          signal: AbortSignal.timeout(15000),
        });
        const text = await r.text();
        if (r.status === 200 && JSON.parse(text).result) writesOk++;
        else {
          writesFailed++;
          assert.equal(r.status, 504, text);
        }
      }
    } finally {
      b.process.kill("SIGCONT");
    }
    await new Promise((r) => setTimeout(r, 500));
    const [onA, onB] = [(await count(a)) - a0, (await count(b)) - b0];
    assert.ok(onA + onB <= 6, `6 writes sent, ${onA} executed on node-a and ${onB} on node-b: some twice`);
    assert.ok(writesFailed >= 1, "some writes were routed to the hung node (else the test proves nothing)");
    assert.equal(onA, writesOk);
  });

  it("still retries a read of several kilobytes (it fits in one buffer) whose node hangs", async () => {
    await waitFor(async () => (await serverStates(gw))[`${BACKEND}/node-b`].status === "UP", 8000, "node-b up");
    const retriesBefore = await backendRetries(gw);
    await freeze(b);
    try {
      for (let i = 0; i < 6; i++) {
        const result = await rpc(`${gw.url}/${CHAIN}`, "eth_call", [
          { to: MARKER, data: `0x${"00".repeat(4000)}` },
          "latest",
        ]);
        assert.equal(result, "0x");
      }
    } finally {
      b.process.kill("SIGCONT");
    }
    assert.ok((await backendRetries(gw)) > retriesBefore, "some reads reached the hung node and were retried");
  });
});

/** Retries (`wretr`) plus redispatches (`wredis`) of the chain's backend, from HAProxy's stats. */
async function backendRetries(gw: Gateway): Promise<number> {
  const [header, ...rows] = (await (await fetch(`${gw.metrics}/stats;csv`)).text()).trim().split("\n");
  const cols = header.replace(/^# /, "").split(",");
  const row = rows.map((r) => r.split(",")).find((f) => f[0] === BACKEND && f[1] === "BACKEND")!;
  return Number(row[cols.indexOf("wretr")]) + Number(row[cols.indexOf("wredis")]);
}

describe("time budgets by method class", () => {
  let a: Anvil, b: Anvil, gw: Gateway;
  const BUDGET = { headMs: 300, serverMs: 2000 };
  before(async () => {
    [a, b] = await Promise.all([startAnvil(), startAnvil()]);
    // Slow health checks: the frozen node stays "up", so every other request meets it.
    gw = await startGateway({
      gateway: "gw-budgets",
      chains: [{ chain: CHAIN, upstreams: [upstream("node-a", a), upstream("node-b", b)] }],
      timeouts: { ...BUDGET, checkIntervalMs: 5000, checkTimeoutMs: 1000, fall: 15, rise: 1, lagIntervalMs: 60000 },
    });
    await waitFor(
      async () => Object.values(await serverStates(gw)).every((s) => s.status === "UP"),
      8000,
      "servers up",
    );
  });

  /** Milliseconds each of `count` sequential calls of `method` took through the gateway; each must be answered. */
  const timed = async (method: string, params: unknown[], count: number) => {
    const ms: number[] = [];
    for (let i = 0; i < count; i++) {
      const t0 = performance.now();
      await rpc(`${gw.url}/${CHAIN}`, method, params);
      ms.push(performance.now() - t0);
    }
    return ms;
  };

  it("gives up on a frozen node after the head budget for a head read, after serverMs for other reads", async () => {
    await freeze(b);
    try {
      const head = await timed("eth_blockNumber", [], 6);
      const met = head.filter((t) => t >= BUDGET.headMs);
      assert.ok(met.length >= 1, `some head reads met the frozen node (else the test proves nothing): ${head}`);
      assert.ok(Math.max(...head) < BUDGET.serverMs, `a head read waited past its budget: ${head}`);
      const balance = await timed("eth_getBalance", [MARKER, "latest"], 4);
      assert.ok(
        balance.some((t) => t >= BUDGET.serverMs),
        `an eth_getBalance that met the frozen node waits serverMs: ${balance}`,
      );
      // A batch is never given head's budget, even when it names only head methods.
      const batch: number[] = [];
      for (let i = 0; i < 3 && !batch.some((t) => t >= BUDGET.serverMs); i++) {
        const t0 = performance.now();
        const r = await fetch(`${gw.url}/${CHAIN}`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify([{ jsonrpc: "2.0", id: 1, method: "eth_blockNumber", params: [] }]),
        });
        assert.equal(r.status, 200);
        batch.push(performance.now() - t0);
      }
      assert.ok(
        batch.some((t) => t >= BUDGET.serverMs),
        `a batch that met the frozen node waits serverMs: ${batch}`,
      );
    } finally {
      b.process.kill("SIGCONT");
    }
  });
});

describe("API keys and rate limits", () => {
  const alice = { name: "alice", key: "alice-0123456789abcdef0123", requestsPerSecond: 5 };
  const bob = { name: "bob", key: "bob-0123456789abcdef0123456", requestsPerSecond: 1000 };
  let gw: Gateway;
  before(async () => {
    const a = await startAnvil();
    gw = await startGateway(
      { gateway: "gw-keys", apiKeys: true, chains: [{ chain: CHAIN, upstreams: [upstream("node-a", a)] }] },
      { apiKeys: [alice, bob] },
    );
    await waitFor(
      async () => Object.values(await serverStates(gw)).every((s) => s.status === "UP"),
      5000,
      "servers up",
    );
  });

  it("refuses requests without a known key (401) and serves a key in the header or the path", async () => {
    assert.equal((await rpcRaw(`${gw.url}/${CHAIN}`, "eth_chainId")).status, 401);
    assert.equal((await rpcRaw(`${gw.url}/${CHAIN}/not-a-key-0123456789`, "eth_chainId")).status, 401);
    assert.equal(
      (await rpcRaw(`${gw.url}/${CHAIN}`, "eth_chainId", [], { "x-api-key": "wrong-0123456789abcdef" })).status,
      401,
    );
    assert.equal(await rpc(`${gw.url}/${CHAIN}`, "eth_chainId", [], { "x-api-key": alice.key }), "0x7a69");
    assert.equal(await rpc(`${gw.url}/${CHAIN}/${bob.key}`, "eth_chainId"), "0x7a69");
  });

  it("answers 429 past a key's rate, without touching another key's", async () => {
    // HAProxy's per-second rate adds the previous period's count, weighted by what is left of it:
    // the earlier test's request of this key must be two periods old, not one, to count for nothing.
    await new Promise((r) => setTimeout(r, 2100));
    const burst = await Promise.all(
      Array.from({ length: 15 }, () => rpcRaw(`${gw.url}/${CHAIN}/${alice.key}`, "eth_chainId")),
    );
    const codes = burst.map((r) => r.status);
    assert.equal(codes.filter((s) => s === 200).length, alice.requestsPerSecond, `${codes}`);
    assert.equal(codes.filter((s) => s === 429).length, 15 - alice.requestsPerSecond, `${codes}`);
    assert.equal((await rpcRaw(`${gw.url}/${CHAIN}`, "eth_chainId", [], { "x-api-key": bob.key })).status, 200);
  });

  it("never writes a key to its log", () => {
    assert.ok(gw.log().length > 0, "haproxy logged the requests");
    assert.ok(!gw.log().includes(alice.key) && !gw.log().includes(bob.key));
  });
});

describe("TLS and WebSocket", () => {
  let gw: Gateway, cert: string;
  before(async () => {
    const tls = selfSignedCertificate("gateway.test", "127.0.0.1");
    cert = tls.certificate;
    const a = await startAnvil({ blockTime: 1 });
    gw = await startGateway(
      { gateway: "gw-tls", tls: true, chains: [{ chain: CHAIN, websocket: true, upstreams: [upstream("node-a", a)] }] },
      { tls },
    );
    await waitFor(
      async () => Object.values(await serverStates(gw)).every((s) => s.status === "UP"),
      5000,
      "servers up",
    );
  });

  it("serves JSON-RPC over HTTPS with the given certificate", async () => {
    assert.ok(gw.url.startsWith("https://"));
    const body = await new Promise<string>((ok, fail) => {
      const req = request(
        `${gw.url}/${CHAIN}`,
        { method: "POST", ca: cert, headers: { "content-type": "application/json" } },
        (res) => {
          let text = "";
          res.on("data", (d) => {
            text += d;
          });
          res.on("end", () => ok(text));
        },
      );
      req.on("error", fail);
      req.end(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }));
    });
    assert.equal(JSON.parse(body).result, "0x7a69");
    await assert.rejects(fetch(`${gw.url.replace("https:", "http:")}/${CHAIN}`, { method: "POST", body: "{}" }));
  });

  it("passes a WebSocket subscription through to the node", async () => {
    const ws = new WebSocket(`${gw.url.replace("https:", "wss:")}/${CHAIN}`, { ca: cert });
    const heads: string[] = [];
    try {
      await new Promise<void>((ok, fail) => {
        ws.once("open", () => ok());
        ws.once("error", fail);
      });
      ws.send(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_subscribe", params: ["newHeads"] }));
      await new Promise<void>((ok, fail) => {
        const timer = setTimeout(() => fail(new Error(`only ${heads.length} heads in 5 s`)), 5000);
        ws.on("message", (m) => {
          const msg = JSON.parse(String(m));
          if (msg.method === "eth_subscription") heads.push(msg.params.result.number);
          if (heads.length >= 2) {
            clearTimeout(timer);
            ok();
          }
        });
      });
    } finally {
      ws.close();
    }
    assert.equal(Number(heads[1]) - Number(heads[0]), 1, `consecutive heads: ${heads}`);
  });
});
