/**
 * mTLS between a gateway and a node outside the overlay, for real: Debian's HAProxy as the gateway
 * (core/gateway) and as the node's terminator (core/workload/upstream-terminator, what an Akash node gets),
 * certificates drawn by the same scripts UpstreamCa and UpstreamCertificate run, in front of real
 * anvil nodes on loopback. Checked: the gateway serves from the terminated node as from a plain
 * one; the terminator refuses a client without a certificate or with one of another CA; the
 * gateway refuses a terminator showing another node's name; the lag check drains and restores a
 * node over mTLS; a dead terminator costs no read. Bounded: a few hundred requests on loopback.
 */
import { request } from "node:https";
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { splitCertificateAndKey, upstreamServerName } from "../../core/gateway";
import {
  rpc,
  serverStates,
  startAnvil,
  startGateway,
  startTerminator,
  stopAll,
  upstreamCa,
  upstreamCertificate,
  waitFor,
  type Anvil,
  type Gateway,
  type Terminator,
} from "./processes";

const MARKER = "0x000000000000000000000000000000000000beef";
const CHAIN = "devnet/local";
const BACKEND = "rpc_devnet.local";
const FAST = { serverMs: 1000, checkIntervalMs: 300, checkTimeoutMs: 300, fall: 2, rise: 2, lagIntervalMs: 300 };

after(stopAll);

/** A JSON-RPC POST straight to the terminator with `cert` (or none): the status, or the TLS error. */
function direct(t: Terminator, ca: string, client?: { certificate: string; privateKey: string }): Promise<string> {
  return new Promise((ok) => {
    const req = request(
      t.url,
      {
        method: "POST",
        ca,
        servername: "node-b.lab.upstream.sovereign",
        ...(client ? { cert: client.certificate, key: client.privateKey } : {}),
        headers: { "content-type": "application/json" },
        timeout: 3000,
      },
      (res) => {
        res.resume();
        res.on("end", () => ok(`HTTP ${res.statusCode}`));
      },
    );
    req.on("error", (e) => ok(`error ${(e as NodeJS.ErrnoException).code ?? e.message}`));
    req.end(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }));
  });
}

describe("mTLS upstream (a node outside the overlay) with real HAProxy on both sides", () => {
  const ca = upstreamCa("lab");
  const caCert = splitCertificateAndKey(ca).certificate;
  const serverName = upstreamServerName("lab", "node-b");
  const gatewayClient = upstreamCertificate(ca, "gw-1.lab.gateway.sovereign", "client");
  const rogueCa = upstreamCa("rogue");
  let a: Anvil, b: Anvil, term: Terminator, gw: Gateway;

  before(async () => {
    [a, b] = await Promise.all([startAnvil(), startAnvil()]);
    await rpc(a.url, "anvil_setBalance", [MARKER, "0x1"]);
    await rpc(b.url, "anvil_setBalance", [MARKER, "0x2"]);
    term = await startTerminator(
      "node-b",
      `127.0.0.1:${b.port}`,
      upstreamCertificate(ca, serverName, "server"),
      caCert,
    );
    gw = await startGateway(
      {
        gateway: "gw-1",
        chains: [
          {
            chain: CHAIN,
            maxLagBlocks: 3,
            websocket: true,
            upstreams: [
              { node: "node-a", url: a.url, operator: "hetzner" },
              { node: "node-b", url: term.url, operator: "akash", mtls: { serverName } },
            ],
          },
        ],
        timeouts: FAST,
      },
      { upstreamTls: { ca: caCert, pem: gatewayClient } },
    );
    await waitFor(
      async () => {
        const s = await serverStates(gw);
        return s[`${BACKEND}/node-a`]?.status === "UP" && s[`${BACKEND}/node-b`]?.status === "UP";
      },
      5000,
      "both servers up",
    );
  });

  it("serves reads from the node behind the terminator as from the plain one", async () => {
    const who = new Set<number>();
    for (let i = 0; i < 20; i++) who.add(Number(await rpc(`${gw.url}/${CHAIN}`, "eth_getBalance", [MARKER, "latest"])));
    assert.deepEqual([...who].sort(), [1, 2]);
  });

  it("the terminator lets through only a client certificate of the fleet's CA", async () => {
    const valid = splitCertificateAndKey(gatewayClient);
    const rogue = splitCertificateAndKey(upstreamCertificate(rogueCa, "gw-1.lab.gateway.sovereign", "client"));
    assert.equal(await direct(term, caCert, valid), "HTTP 200");
    assert.match(await direct(term, caCert), /^error /, "no client certificate");
    assert.match(await direct(term, caCert, rogue), /^error /, "a client certificate of another CA");
  });

  it("the gateway refuses a terminator that shows another node's name", async () => {
    const wrong = await startGateway(
      {
        gateway: "gw-wrong",
        chains: [
          {
            chain: CHAIN,
            upstreams: [
              {
                node: "node-b",
                url: term.url,
                operator: "akash",
                mtls: { serverName: upstreamServerName("lab", "node-c") },
              },
            ],
          },
        ],
        timeouts: FAST,
      },
      { upstreamTls: { ca: caCert, pem: gatewayClient } },
    );
    await new Promise((r) => setTimeout(r, 1500));
    assert.match((await serverStates(wrong))[`${BACKEND}/node-b`].status, /^DOWN/);
    await wrong.stop();
  });

  it("the lag check drains a node behind the terminator and takes it back once it catches up", async () => {
    await rpc(a.url, "anvil_mine", ["0xa"]);
    await waitFor(
      async () => (await serverStates(gw))[`${BACKEND}/node-b`].status.startsWith("DRAIN"),
      5000,
      "node-b drained",
    );
    assert.match(gw.log(), /lag-check: rpc_devnet.local\/node-b drained \(head \d+, best \d+, max lag 3\)/);
    await rpc(b.url, "anvil_mine", ["0xa"]);
    await waitFor(
      async () => (await serverStates(gw))[`${BACKEND}/node-b`].status === "UP",
      5000,
      "node-b ready again",
    );
  });

  it("a dead terminator costs no read: the plain node serves them all", async () => {
    await term.stop();
    const who: number[] = [];
    for (let i = 0; i < 20; i++) {
      try {
        who.push(Number(await rpc(`${gw.url}/${CHAIN}`, "eth_getBalance", [MARKER, "latest"])));
      } catch {
        who.push(0);
      }
    }
    assert.deepEqual([...new Set(who)], [1], `answers: ${who}`);
  });
});
