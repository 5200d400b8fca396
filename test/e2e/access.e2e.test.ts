// The access layer through the Sovereign program itself (Pulumi.yaml, program/deploy.ts) with the
// real engine, on lab hosts sov-h12 and sov-h13: the spec's `gateways` section, `sovereign:overlay`,
// HTTPS from `sovereign:gatewayTlsCertificate`, an API key holder and `sovereign:dns` on two
// self-hosted Knot servers. Each host runs a devnet node, a gateway and a DNS server, as a small
// team's two machines would. Checked: the stack outputs say what clients use, both gateways answer
// JSON-RPC over HTTPS with the key (and refuse without it), node RPC is not reachable from outside
// the overlay, both DNS servers answer the hostname with both gateways, viem's `fallback` over the
// `rpc.endpoints` output works, no secret is in the state on disk, and destroy leaves the hosts clean.
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { Stack, UpResult } from "@pulumi/pulumi/automation";
import { stringify } from "yaml";
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
  specHost,
} from "./lab";
import { selfSignedCertificate } from "../gateway/processes";

const env = labEnv();
const HOSTS = [
  ["sov-h12", "netcup", "DE"],
  ["sov-h13", "scaleway", "FR"],
] as const;
const ZONE = "rpc.access.lab";
const CHAIN = "devnet/local";
const API_KEY = `wallet-${Date.now().toString(36)}-0123456789abcdef`;

function accessProblem(): string | undefined {
  const lab = labProblem(env);
  if (lab) return lab;
  if (!env.SOVEREIGN_WIREGUARD_GO) return "wireguard-go is not built; run: sudo bash e2e/lab/setup.sh";
  const names = new Set(labHosts(env).map((h) => h.name));
  const missing = HOSTS.map(([h]) => h).filter((h) => !names.has(h));
  if (missing.length) return `needs lab hosts ${missing.join(", ")}; run: sudo bash e2e/lab/setup.sh 16`;
  return undefined;
}
const problem = accessProblem();
if (problem) console.error(`\n*** access e2e cannot run: ${problem} ***\n`);

interface GatewayOut {
  id: string;
  site: string;
  operator: string;
  publicIp: string;
  endpoints: Record<string, string>;
}

/** curl over HTTPS (the lab's self-signed certificate), returning the HTTP status and the body. */
function call(url: string, headers: string[] = []): { status: number; body: string } {
  const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] });
  const r = spawnSync(
    "curl",
    [
      ...["-sk", "--max-time", "5", "-o", "-", "-w", "\n%{http_code}"],
      ...["-H", "content-type: application/json", ...headers.flatMap((h) => ["-H", h])],
      ...["--data", body, url],
    ],
    { encoding: "utf8" },
  );
  const lines = r.stdout.trimEnd().split("\n");
  return { status: Number(lines.pop()), body: lines.join("\n") };
}

describe("the access layer through the program, with the real engine", { skip: problem }, () => {
  const hosts = problem ? [] : labHosts(env);
  const host = (name: string) => hosts.find((h) => h.name === name)!;
  const work = mkdtempSync(join(tmpdir(), "sovereign-access-e2e-"));
  const timings: Record<string, number> = {};
  const timed = timer(timings);
  const log: string[] = [];
  const tls = problem ? { certificate: "", privateKey: "" } : selfSignedCertificate(ZONE);
  let stack: Stack;
  let up: UpResult;

  before(async () => {
    const privateKey = readFileSync(hosts[0].privateKeyPath, "utf8");
    const machine = ([name, operator, country]: (typeof HOSTS)[number]) =>
      specHost(host(name), operator, country, { maxNodes: 1 });
    const spec = {
      name: "access",
      chains: [{ chain: "devnet", count: 2 }],
      sites: { baremetal: { hosts: HOSTS.map(machine) } },
      gateways: { count: 2, maxLagBlocks: 5 },
      policy: { maxShare: { operator: 0.5 } },
    };
    const specFile = join(work, "fleet.yaml");
    writeFileSync(specFile, stringify(spec));
    const image = execFileSync(
      "bash",
      [join(REPO, "e2e/lab/build-gateway-image.sh"), "--hosts", HOSTS.map(([h]) => h).join(",")],
      { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] },
    )
      .trim()
      .split("\n")
      .pop()!;
    const dns = {
      hostname: ZONE,
      selfHosted: {
        zone: ZONE,
        servers: HOSTS.map(([name, operator], i) => ({
          name: `ns${i + 1}.${ZONE}`,
          operator,
          address: host(name).address,
          ssh: { user: host(name).user, port: host(name).port, hostKey: host(name).hostKey },
        })),
      },
    };
    stack = await timed("stack init", () => programStack(env, `access-${process.pid}`, specFile, privateKey));
    await stack.setAllConfig({
      "sovereign:overlay": { value: "true" },
      "sovereign:wireguardGo": { value: env.SOVEREIGN_WIREGUARD_GO },
      "sovereign:gatewayImage": { value: image },
      "sovereign:gatewayTlsCertificate": { value: tls.certificate },
      "sovereign:gatewayTlsPrivateKey": { value: tls.privateKey, secret: true },
      "sovereign:gatewayApiKey-wallet": { value: API_KEY, secret: true },
    });
    await stack.setConfig("sovereign:gatewayApiKeys", { value: JSON.stringify([{ name: "wallet" }]) });
    await stack.setConfig("sovereign:dns", { value: JSON.stringify(dns) });
  });

  after(async () => {
    try {
      // Fails the suite when destroy fails (the destroy test may not have run).
      if (stack) await destroyStack(stack);
    } finally {
      rmSync(work, { recursive: true, force: true });
      console.log(`access e2e timings (s): ${JSON.stringify(timings)}`);
    }
  });

  test("pulumi up: a node, a gateway and a DNS server on each host; the outputs say what clients use", async () => {
    up = await timed("up", () => stack.up({ color: "never", onOutput: (o) => log.push(o) }));
    const gateways = Object.values(up.outputs.gateways.value as Record<string, GatewayOut>);
    assert.deepEqual(gateways.map((g) => g.site).sort(), HOSTS.map(([h]) => `baremetal/${h}`).sort());
    const rpc = up.outputs.rpc.value as {
      hostname: string;
      urls: Record<string, string>;
      endpoints: Record<string, string[]>;
    };
    assert.equal(rpc.urls[CHAIN], `https://${ZONE}/${CHAIN}`);
    assert.deepEqual(
      [...rpc.endpoints[CHAIN]].sort(),
      HOSTS.map(([h]) => `https://${host(h).address}:443/${CHAIN}`).sort(),
    );
  });

  test("each gateway answers JSON-RPC over HTTPS with the API key, and refuses a request without it", () => {
    const rpc = up.outputs.rpc.value as { endpoints: Record<string, string[]> };
    for (const url of rpc.endpoints[CHAIN]) {
      const ok = call(url, [`x-api-key: ${API_KEY}`]);
      assert.equal(ok.status, 200, `${url}: ${ok.body}`);
      assert.equal(JSON.parse(ok.body).result, "0x7a69");
      assert.notEqual(call(url).status, 200, `${url} must refuse a request without a key`);
    }
  });

  test("node RPC answers the gateways over the overlay, and nobody outside it", () => {
    const nodes = Object.values(
      up.outputs.nodes.value as Record<string, { rpcEndpoint: string; overlayRpcEndpoint: string }>,
    );
    assert.equal(nodes.length, 2);
    for (const n of nodes) {
      assert.match(n.overlayRpcEndpoint, /^http:\/\/100\.72\./);
      const direct = spawnSync("curl", ["-s", "--max-time", "2", "--data", "{}", n.rpcEndpoint]);
      assert.notEqual(direct.status, 0, `${n.rpcEndpoint} must not answer from outside the overlay`);
    }
    // The gateways see both nodes UP (their HAProxy's private stats page, over SSH).
    for (const [name] of HOSTS) {
      const csv = ssh(env, host(name), "curl -s --max-time 3 'http://127.0.0.1:8405/stats;csv'");
      const up = csv
        .split("\n")
        .filter((l) => l.startsWith("rpc_devnet.local,") && /,UP/.test(l) && !/,BACKEND,/.test(l));
      assert.equal(up.length, 2, `${name}'s gateway sees both nodes UP:\n${csv}`);
    }
  });

  test("both DNS servers answer the hostname with both gateways", () => {
    const expected = HOSTS.map(([h]) => host(h).address).sort();
    for (const [name] of HOSTS) {
      const out = spawnSync("kdig", [`@${host(name).address}`, ZONE, "A", "+short", "+timeout=3"], {
        encoding: "utf8",
      }).stdout;
      assert.deepEqual(out.trim().split("\n").sort(), expected, `${name} serves the zone`);
    }
  });

  test("viem's fallback over the rpc.endpoints output reads the chain", async () => {
    const { createPublicClient, fallback, http } = await import("viem");
    const rpc = up.outputs.rpc.value as { endpoints: Record<string, string[]> };
    const previous = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0"; // the lab's self-signed certificate
    try {
      const client = createPublicClient({
        transport: fallback(
          rpc.endpoints[CHAIN].map((u) => http(u, { fetchOptions: { headers: { "x-api-key": API_KEY } } })),
        ),
      });
      assert.equal(await client.getChainId(), 31337);
    } finally {
      if (previous === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
      else process.env.NODE_TLS_REJECT_UNAUTHORIZED = previous;
    }
  });

  test("no secret in plaintext in the state on disk or the logs", () => {
    const state = stateOnDisk(env, "sovereign", stack.name);
    const keyBody = tls.privateKey.split("\n")[1];
    for (const [what, text] of [
      ["state", state],
      ["logs", log.join("")],
    ] as const) {
      assert.ok(!text.includes(API_KEY), `the API key is in the ${what}`);
      assert.ok(!text.includes(keyBody), `the TLS key is in the ${what}`);
    }
  });

  test("pulumi destroy leaves the hosts without gateway, node or zone", async () => {
    await timed("destroy", () => stack.destroy({ color: "never" }));
    for (const [name] of HOSTS) assert.equal(hostLeftovers(env, host(name)), "", `${name} is clean`);
  });
});
