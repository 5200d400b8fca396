// A fleet shaped like the bundled example, EVM and Bitcoin nodes behind gateways that serve every
// chain, through the Sovereign program itself (Pulumi.yaml, program/deploy.ts) with the real engine,
// on lab hosts sov-h17 and sov-h18: on each a devnet (anvil) node, a Bitcoin devnet node (btcd,
// regtest: e2e/lab/build-btcd-image.sh) and a gateway, joined by the WireGuard overlay. Checked:
// both gateways answer Bitcoin RPC (which needs credentials: the Fleet draws them, the gateways add
// them) and EVM RPC; refused methods stop at the gateway; the credentials are in no answer, no log
// and not in plaintext in the state; a cut host leaves Bitcoin answered through the other gateway;
// destroy succeeds and leaves the hosts clean.
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { Stack, UpResult } from "@pulumi/pulumi/automation";
import { stringify } from "yaml";
import { baremetalPaths } from "../../core/layout/baremetal";
import {
  REPO,
  labEnv,
  labHosts,
  programStack,
  setHostReachable,
  ssh,
  stateOnDisk,
  timer,
  overlaySuiteProblem,
  specHost,
} from "./lab";

const env = labEnv();
const HOSTS = [
  ["sov-h17", "netcup", "DE"],
  ["sov-h18", "scaleway", "FR"],
] as const;
const BTC = "devnet-bitcoin/regtest";
const EVM = "devnet/local";
const FLEET = "bitcoin-e2e";
/** Where the fleet's projects live on a bare-metal host (core/layout). */
const FLEET_DIRS = baremetalPaths(FLEET, "any");

const problem = overlaySuiteProblem(
  env,
  "bitcoin",
  HOSTS.map(([h]) => h),
);

interface GatewayOut {
  site: string;
  endpoints: Record<string, string>;
}

/** POSTs a JSON-RPC body with curl from the root namespace; the HTTP status and the body. */
function post(url: string, body: unknown, headers: string[] = []): { status: number; body: string } {
  const r = spawnSync(
    "curl",
    [
      ...["-s", "--max-time", "5", "-o", "-", "-w", "\n%{http_code}"],
      ...["-H", "content-type: application/json", ...headers.flatMap((h) => ["-H", h])],
      ...["--data", JSON.stringify(body), url],
    ],
    { encoding: "utf8" },
  );
  const lines = r.stdout.trimEnd().split("\n");
  return { status: Number(lines.pop()), body: lines.join("\n") };
}
const btc = (method: string, params: unknown[] = []) => ({ jsonrpc: "1.0", id: 1, method, params });

describe("Bitcoin (btcd) and EVM behind the same gateways, through the program", { skip: problem }, () => {
  const hosts = problem ? [] : labHosts(env);
  const host = (name: string) => hosts.find((h) => h.name === name)!;
  const work = mkdtempSync(join(tmpdir(), "sovereign-bitcoin-e2e-"));
  const timings: Record<string, number> = {};
  const timed = timer(timings);
  const log: string[] = [];
  let stack: Stack;
  let up: UpResult;
  let destroyed = false;
  const endpoints = (chain: string) =>
    Object.values(up.outputs.gateways.value as Record<string, GatewayOut>).map((g) => g.endpoints[chain]);
  /** The RPC password the Fleet drew, as the node's host keeps it (.env, root only). */
  const password = (name: string) =>
    /^SOVEREIGN_RPC_PASSWORD='([0-9a-f]+)'$/m.exec(ssh(env, host(name), `cat ${FLEET_DIRS.configRoot}/*/.env`))?.[1];

  before(async () => {
    const privateKey = readFileSync(hosts[0].privateKeyPath, "utf8");
    const machine = ([name, operator, country]: (typeof HOSTS)[number]) =>
      specHost(host(name), operator, country, { maxNodes: 2 });
    const spec = {
      name: FLEET,
      chains: [
        { chain: "devnet", count: 2 },
        { chain: "devnet-bitcoin", count: 2 },
      ],
      sites: { baremetal: { hosts: HOSTS.map(machine) } },
      gateways: { count: 2, maxLagBlocks: 5 },
      policy: { maxShare: { operator: 0.5 } },
    };
    const specFile = join(work, "fleet.yaml");
    writeFileSync(specFile, stringify(spec));
    const lab = (script: string, ...args: string[]) =>
      execFileSync("bash", [join(REPO, "e2e/lab", script), ...args], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "inherit"],
      });
    await timed("images", async () => lab("build-btcd-image.sh"));
    const image = lab("build-gateway-image.sh", "--hosts", HOSTS.map(([h]) => h).join(","))
      .trim()
      .split("\n")
      .pop()!;
    stack = await timed("stack init", () => programStack(env, `bitcoin-${process.pid}`, specFile, privateKey));
    await stack.setAllConfig({
      "sovereign:overlay": { value: "true" },
      "sovereign:wireguardGo": { value: env.SOVEREIGN_WIREGUARD_GO },
      "sovereign:gatewayImage": { value: image },
    });
  });

  after(async () => {
    for (const [name] of HOSTS) setHostReachable(name, true);
    try {
      // A destroy that fails here (the destroy test did not get to run) fails the suite.
      if (stack && !destroyed) await stack.destroy({ color: "never" });
    } finally {
      if (stack) await stack.workspace.removeStack(stack.name).catch(() => undefined);
      rmSync(work, { recursive: true, force: true });
      console.log(`bitcoin e2e timings (s): ${JSON.stringify(timings)}`);
    }
  });

  test("pulumi up: both gateways serve both chains", async () => {
    up = await timed("up", () => stack.up({ color: "never", onOutput: (o) => log.push(o) }));
    const gateways = Object.values(up.outputs.gateways.value as Record<string, GatewayOut>);
    assert.deepEqual(gateways.map((g) => g.site).sort(), HOSTS.map(([h]) => `baremetal/${h}`).sort());
    for (const g of gateways) assert.deepEqual(Object.keys(g.endpoints).sort(), [BTC, EVM].sort());
  });

  test("every gateway answers Bitcoin RPC without client credentials, and EVM RPC beside it", () => {
    for (const url of endpoints(BTC)) {
      const info = post(url, btc("getblockchaininfo"));
      assert.equal(info.status, 200, `${url}: ${info.body}`);
      assert.equal(JSON.parse(info.body).result.chain, "regtest", info.body);
      const count = post(url, btc("getblockcount"), ["authorization: Basic d3Jvbmc6d3Jvbmc="]);
      assert.equal(JSON.parse(count.body).result, 0, `a client's own credentials are replaced: ${count.body}`);
      assert.equal(post(url, btc("stop")).status, 403, "stop is refused at the gateway");
    }
    for (const url of endpoints(EVM)) {
      const r = post(url, { jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] });
      assert.equal(JSON.parse(r.body).result, "0x7a69", `${url}: ${r.body}`);
    }
  });

  test("the nodes want the credentials the Fleet drew; they are in no answer, log or plaintext state", () => {
    const secret = password(HOSTS[0][0]);
    assert.ok(secret && secret.length >= 32, "the node's .env holds its RPC password");
    assert.equal(password(HOSTS[1][0]), secret, "one password per chain");
    const nodes = Object.values(
      up.outputs.nodes.value as Record<string, { chain: string; overlayRpcEndpoint: string }>,
    ).filter((n) => n.chain === "devnet-bitcoin");
    assert.equal(nodes.length, 2);
    // From inside a gateway's host (on the overlay): no credentials, 401; the gateway's, 200.
    for (const n of nodes) {
      const curl = (auth: string) =>
        ssh(
          env,
          host(HOSTS[0][0]),
          `curl -s -o /dev/null -w '%{http_code}' --max-time 3 ${auth} --data '{"jsonrpc":"1.0","id":1,"method":"getblockcount","params":[]}' ${n.overlayRpcEndpoint}`,
        );
      assert.equal(curl(""), "401", `${n.overlayRpcEndpoint} refuses a request without credentials`);
      assert.equal(curl(`-u sovereign:${secret}`), "200");
    }
    const basic = Buffer.from(`sovereign:${secret}`).toString("base64");
    const answers = endpoints(BTC).map((u) => post(u, btc("getblockchaininfo")).body);
    const gatewayLogs = HOSTS.map(([h]) => ssh(env, host(h), "docker logs $(docker ps -q --filter name=gateway) 2>&1"));
    for (const [what, text] of [
      ["answers", answers.join("\n")],
      ["gateway logs", gatewayLogs.join("\n")],
      ["pulumi output", log.join("")],
      ["state on disk", stateOnDisk(env, "sovereign", stack.name)],
    ] as const) {
      assert.ok(!text.includes(secret!) && !text.includes(basic), `the RPC password is in the ${what}`);
    }
  });

  test("a cut host: the other gateway takes its Bitcoin node out and keeps answering", async () => {
    const [cut, other] = HOSTS.map(([h]) => h);
    const url = endpoints(BTC).find((u) => u.includes(host(other).address))!;
    const nodes = up.outputs.nodes.value as Record<string, { chain: string; site: string }>;
    const [cutNode] = Object.entries(nodes).find(
      ([, n]) => n.chain === "devnet-bitcoin" && n.site === `baremetal/${cut}`,
    )!;
    const stateOf = () =>
      ssh(env, host(other), "curl -s --max-time 3 'http://127.0.0.1:8405/stats;csv'")
        .split("\n")
        .find((l) => l.startsWith(`rpc_devnet-bitcoin.regtest,${cutNode},`))
        ?.split(",")[17];
    assert.equal(stateOf(), "UP", `${other}'s gateway sees ${cutNode} up before the cut`);
    setHostReachable(cut, false);
    try {
      const statuses: number[] = [];
      const deadline = Date.now() + 20000;
      while (Date.now() < deadline && !stateOf()?.startsWith("DOWN"))
        statuses.push(post(url, btc("getblockcount")).status);
      assert.match(stateOf() ?? "", /^DOWN/, `${cutNode} is taken out within 20 s`);
      for (let i = 0; i < 10; i++) statuses.push(post(url, btc("getblockcount")).status);
      assert.deepEqual([...new Set(statuses)], [200], `every Bitcoin read answered through ${url} while ${cut} is cut`);
    } finally {
      setHostReachable(cut, true);
    }
  });

  test("pulumi destroy succeeds and leaves the hosts clean", async () => {
    await timed("destroy", () => stack.destroy({ color: "never" }));
    destroyed = true;
    for (const [name] of HOSTS) {
      const left = ssh(
        env,
        host(name),
        `docker ps -a --format '{{.Names}}' | grep '^${FLEET}_' || true; ls -A ${FLEET_DIRS.fleetDir} 2>/dev/null || true`,
      );
      assert.equal(left.trim(), "", `${name} is clean`);
    }
  });
});
