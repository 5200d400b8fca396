/**
 * The rollout's scripts (core/rollout/scripts.ts, templates/rollout): the health bar reads each RPC
 * kind's head the way the gateway's Lua does (run here with the real sh and sed on real answers'
 * shapes), and the scripts name the node, the backends and the bar.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { gatewayStateScript, healthScript, type RolloutGateway } from "../../core/rollout/scripts";

const gateway: RolloutGateway = {
  id: "gateway-fra-1",
  container: "prod_gateway-fra-1-gateway",
  metrics: "127.0.0.1:8405",
  backend: "rpc_ethereum.mainnet",
  backends: ["rpc_ethereum.mainnet", "ws_ethereum.mainnet"],
  authFile: "",
};
const settings = {
  maxUnavailable: 1,
  canary: true,
  maxLagBlocks: 5,
  soakSeconds: 30,
  timeoutSeconds: 900,
  onFailure: "stop" as const,
};

/** The health script's head_of function alone, fed `answer` instead of asking a node. */
function headOf(kind: string, answer: string): string {
  const script = healthScript({ gateway, node: "n1", chain: "c/n", kind, url: "http://x", peers: [], settings });
  const fn = /head_of\(\) \{[\s\S]*?\n\}\n/.exec(script)![0];
  const r = spawnSync("sh", ["-c", `curl() { printf '%s' "$ANSWER"; }\nauth=""\nbody=""\n${fn}head_of http://x`], {
    encoding: "utf8",
    env: { ...process.env, ANSWER: answer },
  });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

test("the health bar reads the head of every RPC kind", () => {
  assert.equal(headOf("evm", '{"jsonrpc":"2.0","id":1,"result":"0x1b4"}'), "436");
  assert.equal(headOf("bitcoin", '{"result":{"chain":"regtest","blocks":812,"headers":812},"error":null}'), "812");
  assert.equal(
    headOf("cometbft", '{"result":{"sync_info":{"latest_block_height":"20573","catching_up":false}}}'),
    "20573",
  );
  assert.equal(
    headOf("xrpl", '{"result":{"info":{"validated_ledger":{"age":2,"hash":"AB","seq":90210}},"status":"success"}}'),
    "90210",
  );
  assert.equal(headOf("evm", '{"jsonrpc":"2.0","id":1,"error":{"code":-32000}}'), "", "no head: empty, never 0");
});

test("the scripts name the node, every backend and the bar", () => {
  const drain = gatewayStateScript(gateway, "ethereum-fra-1-1", "drain");
  assert.match(drain, /s=ethereum-fra-1-1&action=drain&b=\$backend/);
  assert.match(drain, /list='rpc_ethereum\.mainnet ws_ethereum\.mainnet'/);
  const health = healthScript({
    gateway,
    node: "ethereum-fra-1-1",
    chain: "ethereum/mainnet",
    kind: "evm",
    url: "http://100.72.0.2:8545",
    peers: ["http://100.72.0.3:8545", "http://o'brien:1"],
    settings,
  });
  assert.match(
    health,
    /rollout stopped at node ethereum-fra-1-1 \(ethereum\/mainnet\): health bar not met within 900 s/,
  );
  assert.match(health, /for peer in 'http:\/\/100\.72\.0\.3:8545' 'http:\/\/o'\\''brien:1'; do/);
  assert.throws(
    () => healthScript({ gateway, node: "n", chain: "c/n", kind: "solana", url: "", peers: [], settings }),
    /no head reader for RPC kind solana/,
  );
});
