// An Akash node behind the fleet's gateways, through the Sovereign program with the real engine:
// a devnet node on bare-metal sov-h14 and one leased on Akash, gateways on sov-h14 and sov-h15 in
// the WireGuard overlay. The Akash Console is the CONTRACT SERVER (test/akash/console-server.ts),
// and the lease's services run for real on sov-h16's dockerd through the LEASE RUNNER
// (test/e2e/lease-runner.ts), a stand-in for an Akash provider: what the gateways reach is the
// SDL's own containers (the node and its mTLS terminator). Checked: the gateways dial the lease
// over mTLS and serve from it when the bare-metal node is down; the terminator refuses clients
// without the fleet's certificate and the node's plain RPC is not published; no certificate key
// or API key in plaintext in the state or the logs; destroy closes the lease and its containers.
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { Stack, UpResult } from "@pulumi/pulumi/automation";
import { stringify } from "yaml";
import { providerAddress, startContractServer, type ContractServer } from "../akash/console-server";
import {
  REPO,
  destroyStack,
  hostLeftovers,
  labEnv,
  labHosts,
  labProblem,
  programStack,
  ssh,
  stateOnDisk,
  timer,
} from "./lab";
import { leaseRunner, type LeaseRunner } from "./lease-runner";

const env = labEnv();
const NODE_HOST = "sov-h14";
const GATEWAY_ONLY_HOST = "sov-h15";
const LEASE_HOST = "sov-h16";
const CHAIN = "devnet/local";
const API_KEY = `akash-upstream-${process.pid}-7c1e9d3b5a2f4e6c`;
const PROVIDER = providerAddress(21);

function suiteProblem(): string | undefined {
  const lab = labProblem(env);
  if (lab) return lab;
  if (!env.SOVEREIGN_WIREGUARD_GO) return "wireguard-go is not built; run: sudo bash e2e/lab/setup.sh";
  const names = new Set(labHosts(env).map((h) => h.name));
  const missing = [NODE_HOST, GATEWAY_ONLY_HOST, LEASE_HOST].filter((h) => !names.has(h));
  if (missing.length) return `needs lab hosts ${missing.join(", ")}; run: sudo bash e2e/lab/setup.sh 16`;
  return undefined;
}
const problem = suiteProblem();
if (problem) console.error(`\n*** akash upstream e2e cannot run: ${problem} ***\n`);

interface NodeOut {
  provider: string;
  rpcEndpoint: string;
  mtlsRpcEndpoint?: string;
  overlayRpcEndpoint?: string;
}

/** eth_chainId through a gateway URL with curl: the HTTP status and the body. */
function call(url: string): { status: number; body: string } {
  const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] });
  const r = spawnSync(
    "curl",
    [
      "-s",
      "--max-time",
      "5",
      "-o",
      "-",
      "-w",
      "\n%{http_code}",
      "-H",
      "content-type: application/json",
      "--data",
      body,
      url,
    ],
    { encoding: "utf8" },
  );
  const lines = r.stdout.trimEnd().split("\n");
  return { status: Number(lines.pop()), body: lines.join("\n") };
}

describe("an Akash node behind the gateways over mTLS, with the real engine", { skip: problem }, () => {
  const hosts = problem ? [] : labHosts(env);
  const host = (name: string) => hosts.find((h) => h.name === name)!;
  const work = mkdtempSync(join(tmpdir(), "sovereign-akash-upstream-e2e-"));
  const timings: Record<string, number> = {};
  const timed = timer(timings);
  const log: string[] = [];
  let server: ContractServer;
  let runner: LeaseRunner;
  let stack: Stack;
  let up: UpResult;

  const gatewayStats = (name: string) =>
    ssh(env, host(name), "curl -s --max-time 3 'http://127.0.0.1:8405/stats;csv'")
      .split("\n")
      .filter((l) => l.startsWith("rpc_devnet.local,") && !/,BACKEND,/.test(l));

  before(async () => {
    const lease = JSON.parse(readFileSync(env.SOVEREIGN_LAB_HOSTS_JSON, "utf8")).find(
      (h: { name: string }) => h.name === LEASE_HOST,
    ) as { dockerSocket: string; address: string };
    runner = leaseRunner(lease.dockerSocket, lease.address);
    server = await startContractServer(API_KEY, {
      bids: [{ provider: PROVIDER, amount: 10 }],
      providers: { [PROVIDER]: { isAudited: true, organization: "Lab Provider", country: "NL" } },
      leaseIp: lease.address,
      onLease: (dseq, sdl) => runner.run(dseq, sdl),
      onClose: (dseq) => runner.close(dseq),
    });
    const machine = (name: string, operator: string, country: string, size: object) => {
      const h = host(name);
      return {
        ...{ name, address: h.address, operator, country, monthlyUsd: 40, ...size },
        ssh: { user: h.user, port: h.port, hostKey: h.hostKey },
      };
    };
    // sov-h15 holds a gateway but is too small for a node as well, so the second node goes to Akash.
    const spec = {
      name: "akup",
      chains: [{ chain: "devnet", count: 2 }],
      sites: {
        akash: {},
        baremetal: {
          hosts: [
            machine(NODE_HOST, "netcup", "DE", { cpu: 4, memoryGb: 8, diskGb: 100, maxNodes: 1 }),
            machine(GATEWAY_ONLY_HOST, "scaleway", "FR", { cpu: 2, memoryGb: 4, diskGb: 25 }),
          ],
        },
      },
      // Each devnet node is its own chain from its own start (anvil, a block every 2 s), so heads
      // differ by however far apart they started; the lag drain is tested in test/gateway.
      gateways: { count: 2, sites: ["baremetal"], maxLagBlocks: 100_000 },
      policy: { maxShare: { operator: 0.5 } },
    };
    const specFile = join(work, "fleet.yaml");
    writeFileSync(specFile, stringify(spec));
    const image = execFileSync(
      "bash",
      [join(REPO, "e2e/lab/build-gateway-image.sh"), "--hosts", [NODE_HOST, GATEWAY_ONLY_HOST, LEASE_HOST].join(",")],
      { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] },
    )
      .trim()
      .split("\n")
      .pop()!;
    const privateKey = readFileSync(hosts[0].privateKeyPath, "utf8");
    stack = await timed("stack init", () => programStack(env, `akup-${process.pid}`, specFile, privateKey));
    await stack.setAllConfig({
      "sovereign:overlay": { value: "true" },
      "sovereign:wireguardGo": { value: env.SOVEREIGN_WIREGUARD_GO },
      "sovereign:gatewayImage": { value: image },
      "sovereign:akashApiKey": { value: API_KEY, secret: true },
      "sovereign:akashApiUrl": { value: server.url },
      "sovereign:akashBidTimeoutSeconds": { value: "20" },
      "sovereign:akashBidWindowSeconds": { value: "1" },
      "sovereign:akashPollSeconds": { value: "1" },
    });
  });

  after(async () => {
    try {
      // Fails the suite when destroy fails (the destroy test may not have run).
      if (stack) await destroyStack(stack);
    } finally {
      for (const d of server?.deployments.values() ?? [])
        if (d.state === "active") await runner.close(d.dseq).catch(() => undefined);
      await server?.close();
      rmSync(work, { recursive: true, force: true });
      console.log(`akash upstream e2e timings (s): ${JSON.stringify(timings)}`);
    }
  });

  test("pulumi up: the Akash node gets a terminator on its lease, the others join the overlay", async () => {
    up = await timed("up", () => stack.up({ color: "never", onOutput: (o) => log.push(o) }));
    const nodes = Object.values(up.outputs.nodes.value as Record<string, NodeOut>);
    const akash = nodes.find((n) => n.provider === "akash")!;
    const bare = nodes.find((n) => n.provider === "baremetal")!;
    assert.equal(akash.mtlsRpcEndpoint, `https://${host(LEASE_HOST).address}:8443`);
    assert.equal(akash.overlayRpcEndpoint, undefined, "a lease is outside the overlay");
    assert.match(bare.overlayRpcEndpoint!, /^http:\/\/100\.72\./);
    const containers = runner.containers();
    assert.equal(containers.length, 2, `the lease runs the node and its terminator: ${containers}`);
    assert.ok(containers.some((c) => c.endsWith("-upstream-tls")));
  });

  test("both gateways see both nodes UP: the leased one over mTLS", () => {
    for (const name of [NODE_HOST, GATEWAY_ONLY_HOST]) {
      const rows = gatewayStats(name);
      assert.equal(rows.filter((l) => /,UP/.test(l)).length, 2, `${name}'s gateway:\n${rows.join("\n")}`);
    }
  });

  test("with the bare-metal node down, both gateways answer from the Akash lease", async () => {
    const gateways = Object.values(up.outputs.gateways.value as Record<string, { endpoints: Record<string, string> }>);
    const nodeContainers = "docker ps -a --format '{{.Names}}' | grep '^akup_devnet-'";
    ssh(env, host(NODE_HOST), `${nodeContainers} | xargs -r docker stop >/dev/null`);
    try {
      await new Promise((r) => setTimeout(r, 3000));
      for (const g of gateways) {
        for (let i = 0; i < 5; i++) {
          const r = call(g.endpoints[CHAIN]);
          assert.equal(r.status, 200, `${g.endpoints[CHAIN]}: ${r.body}`);
          assert.equal(JSON.parse(r.body).result, "0x7a69");
        }
      }
      for (const name of [NODE_HOST, GATEWAY_ONLY_HOST]) {
        const rows = gatewayStats(name);
        assert.equal(
          rows.filter((l) => /,UP/.test(l)).length,
          1,
          `only the lease is up for ${name}:\n${rows.join("\n")}`,
        );
      }
    } finally {
      ssh(env, host(NODE_HOST), `${nodeContainers} | xargs -r docker start >/dev/null`);
    }
  });

  test("the lease's terminator refuses clients without the fleet's certificate; its plain RPC is not published", () => {
    const lease = host(LEASE_HOST).address;
    const tls = spawnSync("curl", ["-sk", "--max-time", "3", "--data", "{}", `https://${lease}:8443/`], {
      encoding: "utf8",
    });
    assert.notEqual(tls.status, 0, "a TLS client without a certificate gets no answer");
    const plain = spawnSync("curl", ["-s", "--max-time", "3", "--data", "{}", `http://${lease}:8545/`]);
    assert.notEqual(plain.status, 0, "the node's RPC port is not published on the lease");
  });

  test("no API key or certificate key in plaintext in the state on disk or the logs", () => {
    const state = stateOnDisk(env, "sovereign", stack.name);
    const d = [...server.deployments.values()].find((x) => x.state === "active")!;
    const env0 = (d.sdl as { services: Record<string, { env?: string[] }> }).services["upstream-tls"].env!;
    const pem = Buffer.from(
      env0.find((e) => e.startsWith("SOVEREIGN_UPSTREAM_TLS_PEM="))!.split("=")[1],
      "base64",
    ).toString("utf8");
    const keyLine = pem.split("\n").find((_, i, all) => i > 0 && all[i - 1].includes("PRIVATE KEY-----"))!;
    assert.ok(keyLine && keyLine.length > 20, "the terminator got its key");
    for (const [what, text] of [
      ["state", state],
      ["logs", log.join("")],
    ] as const) {
      assert.ok(!text.includes(API_KEY), `the Akash API key is in the ${what}`);
      assert.ok(!text.includes(keyLine), `the terminator's key is in the ${what}`);
    }
    // Nor any other key the deployer drew (the CA's, the gateways' client keys).
    assert.ok(!log.join("").includes("PRIVATE KEY"), "no PEM key in the logs");
  });

  test("pulumi destroy closes the lease and removes its containers", async () => {
    await timed("destroy", () => stack.destroy({ color: "never", onOutput: (o) => log.push(o) }));
    assert.ok([...server.deployments.values()].every((d) => d.state === "closed"));
    assert.deepEqual(runner.containers(), []);
    for (const name of [NODE_HOST, GATEWAY_ONLY_HOST])
      assert.equal(hostLeftovers(env, host(name)), "", `${name} is clean`);
  });
});
