/**
 * The pure parts of core/gateway: every rendered configuration passes Debian's `haproxy -c`;
 * bad input names the field; the key map holds hashes, never keys; upstreams from a plan and the
 * catalog (WebSocket ports, port shifts).
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { loadCatalog } from "../../core/catalog/load";
import { RPC_KINDS } from "../../core/rpc-kinds";
import type { Plan, PlannedGateway, PlannedNode } from "../../core/plan";
import {
  gatewayChains,
  renderApiKeyMap,
  renderUpstreamAuthMap,
  renderCertificateFile,
  renderGatewayConfig,
  wsUrlOf,
  type GatewayConfigInput,
} from "../../core/gateway";
import { HAPROXY, selfSignedCertificate } from "./processes";

const dir = mkdtempSync(join(tmpdir(), "sov-gw-render-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const base = (extra: Partial<GatewayConfigInput> = {}): GatewayConfigInput => ({
  gateway: "gw-1",
  configDir: dir,
  runAs: null,
  chains: [
    {
      chain: "devnet/local",
      websocket: true,
      upstreams: [{ node: "a", url: "http://127.0.0.1:18545", operator: "x" }],
    },
    {
      chain: "ethereum/mainnet",
      upstreams: [
        { node: "geth-1", url: "http://10.0.0.2:8545", wsUrl: "ws://10.0.0.2:8546", operator: "y" },
        { node: "paid", url: "https://eth.example.com", operator: "z", backup: true },
      ],
    },
  ],
  ...extra,
});

function haproxyCheck(input: GatewayConfigInput): string {
  const r = renderGatewayConfig(input);
  writeFileSync(r.paths.config, r.haproxyCfg);
  writeFileSync(r.paths.lagCheck, r.lagCheckLua);
  writeFileSync(r.paths.apiKeys, renderApiKeyMap([{ name: "k", key: "0123456789abcdef0123" }]));
  const tls = selfSignedCertificate("t");
  writeFileSync(r.paths.certificate, renderCertificateFile(tls.certificate, tls.privateKey));
  return execFileSync(HAPROXY, ["-c", "-f", r.paths.config], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

describe("time budgets by method class (core/rpc-kinds)", () => {
  for (const kind of RPC_KINDS.values()) {
    it(`${kind.id}: method names or prefixes, each in one class, no write among them`, () => {
      const all = Object.values(kind.methodClasses).flat();
      for (const m of all)
        assert.match(m, /^[A-Za-z0-9_]+\*?$/, `${kind.id}: ${m} would not be a whole name in the regex`);
      assert.equal(new Set(all).size, all.length, `${kind.id}: a method in two classes`);
      for (const w of kind.writeMethods) assert.ok(!all.includes(w), `${kind.id}: write ${w} has a read budget`);
      assert.ok(kind.methodClasses.head.length > 0, `${kind.id} names its head reads`);
    });
  }

  it("renders one set-timeout per class, lightest first, head only for a single call", () => {
    const r = renderGatewayConfig(base({ timeouts: { headMs: 700, heavyMs: 9000, traceMs: 40000 } }));
    const rules = r.haproxyCfg.split("\n").filter((l) => l.includes("set-timeout server"));
    assert.equal(rules.length, 2 * 3, "three classes for each of the two chains");
    assert.deepEqual(
      rules.slice(0, 3).map((l) => /set-timeout server (\d+)ms/.exec(l)![1]),
      ["700", "9000", "40000"],
    );
    assert.match(rules[0], /\{ req.body -m reg "\^\[\[:space:\]\]\*\[\{\]" \}.*eth_blockNumber\|eth_chainId/);
    assert.match(rules[2], /debug_trace\[A-Za-z0-9_\]\*\|trace_/);
    assert.match(r.haproxyCfg, /timeout server 5000ms/);
  });
});

describe("renderGatewayConfig", () => {
  for (const [what, extra] of [
    ["plain HTTP, open", {}],
    ["HTTPS with API keys, 4 threads, no access log", { tls: true, apiKeys: true, threads: 4, accessLog: false }],
  ] as const) {
    it(`renders a configuration haproxy -c accepts: ${what}`, () => {
      assert.match(haproxyCheck(base(extra)), /Configuration file is valid/);
    });
  }

  it("routes each chain by path, WebSocket only where asked, backups last", () => {
    const r = renderGatewayConfig(base());
    assert.deepEqual(r.routes, { "devnet/local": "/devnet/local", "ethereum/mainnet": "/ethereum/mainnet" });
    assert.match(r.haproxyCfg, /set-var\(txn.backend\) str\(ws_devnet.local\) if websocket/);
    assert.doesNotMatch(r.haproxyCfg, /str\(ws_ethereum.mainnet\)/);
    assert.match(r.haproxyCfg, /server paid eth.example.com:443 check backup ssl verify required ca-file @system-ca/);
    assert.equal(r.port, 8545);
    assert.equal(renderGatewayConfig(base({ tls: true })).port, 8443);
  });

  it("reads a body whole before the write rule, with 16 KB buffers, and retries reads only", () => {
    const cfg = renderGatewayConfig(base()).haproxyCfg;
    assert.match(cfg, /^ +option http-buffer-request$/m);
    // 64 KB buffers cost ~40% of the throughput (an L7-retryable request copies a whole buffer).
    assert.match(cfg, /^ +tune\.bufsize 16384$/m);
    assert.match(cfg, /^ +retry-on conn-failure empty-response junk-response response-timeout 502 503 504$/m);
    assert.match(cfg, /^ +acl rpc_write req\.body -m sub eth_sendRawTransaction /m);
    assert.equal(cfg.match(/^ +http-request disable-l7-retry if rpc_write$/gm)?.length, 2, "one per chain backend");
  });

  it("names the field of bad input", () => {
    const bad = (extra: object, re: RegExp) =>
      assert.throws(() => renderGatewayConfig({ ...base(), ...extra } as GatewayConfigInput), re);
    bad({ chains: [] }, /chains: a gateway serves at least one chain/);
    bad(
      { chains: [{ chain: "devnet", upstreams: [{ node: "a", url: "http://h:1", operator: "x" }] }] },
      /chains\[0\]\.chain: chain must be a key chain\/network/,
    );
    bad(
      { chains: [{ chain: "devnet/local", upstreams: [{ node: "a", url: "ftp://h:1", operator: "x" }] }] },
      /chains\[0\]\.upstreams\[0\]\.url: scheme ftp:/,
    );
    bad(
      {
        chains: [
          {
            chain: "devnet/local",
            upstreams: [
              { node: "a", url: "http://h:1", operator: "x" },
              { node: "a", url: "http://h:2", operator: "x" },
            ],
          },
        ],
      },
      /chains\[0\]\.upstreams\[1\]\.node: a is listed twice/,
    );
    bad({ metrics: "127.0.0.1:8545" }, /metrics port 8545 is also the public port/);
    bad({ timeouts: { fall: 0 } }, /timeouts\.fall/);
    bad(
      {
        chains: [
          { chain: "solana/mainnet", kind: "solana", upstreams: [{ node: "a", url: "http://h:1", operator: "x" }] },
        ],
      },
      /chains\[0\]\.kind: kind must be an RPC kind of core\/rpc-kinds: evm, bitcoin, xrpl, cometbft/,
    );
  });

  it("puts a Bitcoin chain's credentials in the secret map only, and wants them for every such chain", () => {
    const r = renderGatewayConfig({
      ...base(),
      chains: [
        { chain: "bitcoin/mainnet", kind: "bitcoin", upstreams: [{ node: "b", url: "http://h:8332", operator: "x" }] },
      ],
    });
    assert.deepEqual(r.upstreamAuth, { "bitcoin/mainnet": "rpc_bitcoin.mainnet" });
    assert.equal(
      renderUpstreamAuthMap("gw", r.upstreamAuth, { "bitcoin/mainnet": "pw" }),
      `rpc_bitcoin.mainnet Basic ${Buffer.from("sovereign:pw").toString("base64")}\n`,
    );
    assert.ok(!/Basic /.test(r.haproxyCfg) && !/Basic /.test(r.lagCheckLua), "no credential in the config or the Lua");
    assert.throws(() => renderUpstreamAuthMap("gw", r.upstreamAuth, {}), /gw: upstreamAuth\.bitcoin\/mainnet/);
  });

  it("keeps only key hashes in the key map and refuses weak keys", () => {
    const map = renderApiKeyMap([{ name: "a", key: "0123456789abcdef0123", requestsPerSecond: 7 }]);
    assert.equal(map, `${createHash("sha256").update("0123456789abcdef0123").digest("hex")} 7\n`);
    assert.ok(!map.includes("0123456789abcdef0123"));
    assert.throws(() => renderApiKeyMap([{ name: "a", key: "short" }]), /apiKeys\[0\] \(a\): a key must be 16-128/);
    assert.throws(() => renderApiKeyMap([{ name: "a", key: "0123456789abcdef/0123" }]), /cannot contain '\/'/);
  });
});

describe("gatewayChains", () => {
  const node = (id: string, chain: string, network: string, clients: Record<string, string>, operator: string) =>
    ({ id, chain, network, chainKey: `${chain}/${network}`, clients, operator }) as PlannedNode;
  const plan = {
    nodes: [
      node("eth-1", "ethereum", "mainnet", { execution: "geth", consensus: "lighthouse" }, "hetzner"),
      node("eth-2", "ethereum", "mainnet", { execution: "nethermind", consensus: "lighthouse" }, "aws"),
      node("dev-1", "devnet", "local", { node: "anvil" }, "lab"),
    ],
  } as Plan;
  const gateway = { id: "gw-1", chains: ["ethereum/mainnet", "devnet/local"] } as PlannedGateway;

  it("lists every node of each chain, WebSocket ports from the catalog, backups by the caller's rule", () => {
    const chains = gatewayChains(plan, gateway, loadCatalog(), { backup: (n) => n.operator === "aws" });
    assert.deepEqual(
      chains.map((c) => [
        c.chain,
        c.websocket,
        c.upstreams.map((u) => `${u.node}:${u.rpcPort}/${u.wsPort}/${u.backup}`),
      ]),
      [
        ["ethereum/mainnet", true, ["eth-1:8545/8546/false", "eth-2:8545/8546/true"]],
        ["devnet/local", true, ["dev-1:8545/8545/false"]],
      ],
    );
    assert.equal(wsUrlOf("http://10.77.0.11:8565", chains[0].upstreams[0]), "http://10.77.0.11:8566");
    assert.deepEqual(
      chains.map((c) => c.kind),
      ["evm", "evm"],
      "each chain carries the catalog's rpc.kind",
    );
    assert.throws(
      () => gatewayChains(plan, { id: "gw-2", chains: ["bitcoin/mainnet"] } as PlannedGateway, loadCatalog()),
      /gw-2: the plan has no node of bitcoin\/mainnet/,
    );
  });
});
