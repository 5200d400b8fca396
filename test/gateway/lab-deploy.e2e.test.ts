/**
 * RpcGateway deployed for real: `pulumi up` with the lab's engine puts the gateway on lab host
 * sov-h7 (SSH, Docker, compose; image from e2e/lab/build-gateway-image.sh) in front of two anvil
 * nodes on the lab bridge (10.77.0.1). Checked from outside the host: HTTPS with the given
 * certificate, the API key (401 without it), failover when a node dies; the metrics port is
 * private; neither the API key nor the TLS key is in plain text in the exported state; destroy
 * removes the container. SOVEREIGN_GATEWAY_LAB_HOST picks another lab host.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { request } from "node:https";
import { dirname, join, resolve } from "node:path";
import { after, before, describe, test } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { LocalWorkspace, PulumiCommand, type Stack } from "@pulumi/pulumi/automation";
import { labEnv, labHosts, labProblem, ssh, type LabHost } from "../e2e/lab";
import { selfSignedCertificate, startAnvil, stopAll, type Anvil } from "./processes";

const REPO = resolve(__dirname, "..", "..");
const HOST = process.env.SOVEREIGN_GATEWAY_LAB_HOST ?? "sov-h7";
const env = labEnv();
const hostOf = (): LabHost | undefined => labHosts(env).find((h) => h.name === HOST);
const problem = labProblem(env) ?? (hostOf() ? undefined : `lab host ${HOST} is not up (e2e/lab/hosts-up.sh 7)`);
if (problem) console.error(`\n*** gateway lab deploy cannot run: ${problem} ***\n`);

const API_KEY = `lab-${Date.now().toString(36)}-0123456789abcdef`;

function post(
  url: string,
  ca: string,
  method: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: any }> {
  return new Promise((ok, fail) => {
    const req = request(
      url,
      { method: "POST", ca, timeout: 5000, headers: { "content-type": "application/json", ...headers } },
      (res) => {
        let text = "";
        res.on("data", (d) => {
          text += d;
        });
        res.on("end", () => {
          try {
            ok({ status: res.statusCode!, body: JSON.parse(text) });
          } catch {
            ok({ status: res.statusCode!, body: text });
          }
        });
      },
    );
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", fail);
    req.end(JSON.stringify({ jsonrpc: "2.0", id: 1, method, params: [] }));
  });
}

describe(`RpcGateway on lab host ${HOST} with the real Pulumi engine`, { skip: problem }, () => {
  let stack: Stack;
  let a: Anvil, b: Anvil;
  let cert = "",
    key = "";
  let endpoint = "";
  const log: string[] = [];
  const host = hostOf()!;

  before(async () => {
    const image = execFileSync("bash", [join(REPO, "e2e/lab/build-gateway-image.sh"), "--hosts", HOST], {
      encoding: "utf8",
    })
      .trim()
      .split("\n")
      .at(-1)!;
    [a, b] = await Promise.all([startAnvil({ host: "10.77.0.1" }), startAnvil({ host: "10.77.0.1" })]);
    ({ certificate: cert, privateKey: key } = selfSignedCertificate("gateway.lab", host.address));
    const { RpcGateway } = await import("../../components/gateway");
    const { baremetalGatewaySite } = await import("../../components/baremetal/binding");
    const sshKey = readFileSync(host.privateKeyPath, "utf8");
    const program = async () => {
      const cfg = new pulumi.Config("gw");
      const gw = new RpcGateway("lab-gw", {
        gateway: {
          id: "gateway-lab-7",
          chains: ["devnet/local"],
          provider: "baremetal",
          site: `baremetal/${HOST}`,
          host: HOST,
          operator: "lab",
          region: "lab",
          country: "DE",
          jurisdiction: "DE",
          cloudAct: false,
          vcpu: 1,
          memoryGb: 1,
          monthlyUsd: 0,
          cost: { compute: 0, storage: 0, performance: 0, publicIp: 0, egress: 0, total: 0 },
          estimate: false,
          sources: ["lab"],
        },
        chains: [
          {
            chain: "devnet/local",
            websocket: true,
            upstreams: [
              { node: "anvil-a", url: a.url, operator: "lab-a" },
              { node: "anvil-b", url: b.url, operator: "lab-b" },
            ],
          },
        ],
        site: baremetalGatewaySite({
          host: host.address,
          port: host.port,
          user: host.user,
          hostKey: host.hostKey,
          privateKey: cfg.requireSecret("sshKey"),
          dialErrorLimit: 2,
          perDialTimeout: 5,
        }),
        image,
        tls: { certificate: cert, privateKey: cfg.requireSecret("tlsKey") },
        apiKeys: [{ name: "lab", key: cfg.requireSecret("apiKey"), requestsPerSecond: 100 }],
        timeouts: { checkIntervalMs: 500, fall: 2, rise: 2 },
      });
      return { endpoint: gw.endpoint, endpoints: gw.endpoints, metrics: gw.metricsEndpoint };
    };
    const pulumiCommand = await PulumiCommand.get({ root: dirname(env.SOVEREIGN_ENGINE_BIN), skipVersionCheck: true });
    stack = await LocalWorkspace.createOrSelectStack(
      { stackName: `gw-${process.pid}`, projectName: "sovereign-gateway-lab", program },
      { envVars: env, pulumiCommand, projectSettings: { name: "sovereign-gateway-lab", runtime: "nodejs" } },
    );
    await stack.setAllConfig({
      "gw:sshKey": { value: sshKey, secret: true },
      "gw:tlsKey": { value: key, secret: true },
      "gw:apiKey": { value: API_KEY, secret: true },
    });
  });

  after(async () => {
    try {
      // A no-op after the destroy test; a destroy that fails here fails the suite.
      if (stack) await stack.destroy({ color: "never" });
      if (stack) await stack.workspace.removeStack(stack.name).catch(() => undefined);
    } finally {
      await stopAll();
    }
  });

  test("pulumi up: the gateway answers over HTTPS with the API key, and refuses without it", async () => {
    const up = await stack.up({ color: "never", onOutput: (o) => log.push(o) });
    endpoint = up.outputs.endpoints.value["devnet/local"];
    assert.equal(endpoint, `https://${host.address}:8443/devnet/local`);
    assert.equal((await post(endpoint, cert, "eth_chainId", { "x-api-key": API_KEY })).body.result, "0x7a69");
    assert.equal((await post(`${endpoint}/${API_KEY}`, cert, "eth_chainId")).body.result, "0x7a69");
    assert.equal((await post(endpoint, cert, "eth_chainId")).status, 401);
    assert.match(
      ssh(env, host, "docker ps --format '{{.Names}} {{.Image}}'"),
      /^sovereign_gateway-lab-7-gateway sovereign\/gateway-haproxy:/m,
    );
  });

  test("a dead node is failed over with no failed request", async () => {
    await a.stop();
    const codes: number[] = [];
    for (let i = 0; i < 30; i++)
      codes.push(
        (await post(endpoint, cert, "eth_blockNumber", { "x-api-key": API_KEY }).catch(() => ({ status: 0 }))).status,
      );
    assert.deepEqual([...new Set(codes)], [200], `${codes}`);
  });

  test("metrics are private: served on the host's loopback, not on its address", async () => {
    const metrics = ssh(env, host, "curl -s -m 3 http://127.0.0.1:8405/metrics");
    assert.match(metrics, /haproxy_server_status\{proxy="rpc_devnet.local",server="anvil-b"/);
    await assert.rejects(fetch(`http://${host.address}:8405/metrics`, { signal: AbortSignal.timeout(3000) }));
  });

  test("no secret in plain text in the state, the outputs or the logs, and pulumi up again changes nothing", async () => {
    // The checkpoint and history files on disk (exportStack would decrypt the secrets).
    const backend = join(env.PULUMI_BACKEND_URL.replace(/^file:\/\//, ""), ".pulumi");
    const history = join(backend, "history", "sovereign-gateway-lab", stack.name);
    const state = [
      join(backend, "stacks", "sovereign-gateway-lab", `${stack.name}.json`),
      ...readdirSync(history).map((f) => join(history, f)),
    ]
      .map((f) => readFileSync(f, "utf8"))
      .join("\n");
    const body = (pem: string) =>
      pem
        .split("\n")
        .filter((l) => l && !l.startsWith("-----"))
        .slice(1)
        .join("");
    const sshBody = body(readFileSync(host.privateKeyPath, "utf8"));
    const probes = [
      API_KEY,
      createHash("sha256").update(API_KEY).digest("hex"),
      body(key).slice(0, 24),
      sshBody.slice(sshBody.length / 2, sshBody.length / 2 + 32),
    ];
    const outputs = JSON.stringify(await stack.outputs());
    for (const probe of probes) {
      assert.ok(!state.includes(probe), `the state holds a secret in plain text: ${probe.slice(0, 6)}...`);
      assert.ok(!outputs.includes(probe), "a secret is in the outputs");
      assert.ok(!log.join("").includes(probe), "a secret is in the logs");
    }
    assert.match(state, /"4dabf18193072939515e22adb298388d"/, "secrets are stored as Pulumi secrets");
    const again = await stack.up({ color: "never", onOutput: (o) => log.push(o) });
    assert.deepEqual(
      Object.fromEntries(Object.entries(again.summary.resourceChanges ?? {}).filter(([op, n]) => op !== "same" && n)),
      {},
    );
  });

  test("destroy removes the gateway from the host", async () => {
    await stack.destroy({ color: "never" });
    assert.doesNotMatch(ssh(env, host, "docker ps -a --format '{{.Names}}'"), /gateway-lab-7/);
    assert.equal(
      ssh(
        env,
        host,
        "test -e /srv/sovereign/fleets/sovereign/config/gateway-lab-7 && echo present || echo gone",
      ).trim(),
      "gone",
    );
  });
});
