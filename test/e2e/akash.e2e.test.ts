// `pulumi up` and `pulumi destroy` of a fleet with Akash nodes, for real: the Pulumi engine built by
// e2e/lab, the Sovereign program, the AkashDeployment dynamic provider, and the Akash Console API
// CONTRACT SERVER (test/akash/console-server.ts) on loopback in place of the Console: it answers
// with the Console's request and response shapes and scripted bids (no chain, no providers).
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, test } from "node:test";
import { LocalWorkspace, PulumiCommand, type Stack, type UpResult } from "@pulumi/pulumi/automation";
import { stringify } from "yaml";
import { providerAddress, startContractServer, type ContractServer } from "../akash/console-server";
import { labEnv, REPO } from "./lab";

const env = labEnv();
const engine = join(env.SOVEREIGN_ENGINE_BIN, "pulumi");
const problem = existsSync(engine)
  ? undefined
  : `the Pulumi engine is not built (${engine}); run: sudo bash e2e/lab/setup.sh`;
if (problem) console.error(`\n*** akash e2e suite cannot run: ${problem} ***\n`);

const API_KEY = `akash-e2e-${process.pid}-5f3c1d7e9a2b4c6d8e0f`;
const PROVIDERS = [providerAddress(11), providerAddress(12), providerAddress(13)];

const spec = {
  name: "akashlab",
  chains: [
    { chain: "devnet", count: 2 },
    { chain: "ethereum", count: 1, clients: { execution: ["geth"], consensus: ["lighthouse"] } },
  ],
  sites: { akash: { audited: true } },
};

interface NodeOut {
  id: string;
  provider: string;
  publicIp: string;
  rpcEndpoint: string;
  operator: string;
}
interface Leased {
  dseq: string;
  provider: string;
  organization: string;
  country: string;
  audited: boolean;
  price: { denom: string; amount: string };
  publicIp: string;
}

describe("Akash fleet with the real Pulumi engine against the Console contract server", { skip: problem }, () => {
  const work = mkdtempSync(join(tmpdir(), "sovereign-akash-e2e-"));
  const specFile = join(work, "fleet.yaml");
  const log: string[] = [];
  const timings: Record<string, number> = {};
  let server: ContractServer;
  let stack: Stack;
  let upResult: UpResult;

  const timed = async <T>(phase: string, fn: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    try {
      return await fn();
    } finally {
      timings[phase] = Math.round(performance.now() - t0) / 1000;
    }
  };

  before(async () => {
    const auditor = "akash1365yvmc4s7awdyj3n2sav7xfx76adc6dnmlx63";
    server = await startContractServer(API_KEY, {
      // The cheapest provider is not audited: the spec asks for audited providers only.
      bids: [
        { provider: PROVIDERS[0], amount: 8 },
        { provider: PROVIDERS[1], amount: 12, afterMs: 200 },
        { provider: PROVIDERS[2], amount: 14, afterMs: 300 },
      ],
      providers: {
        [PROVIDERS[0]]: { isAudited: false, organization: "Cheap Unaudited" },
        [PROVIDERS[1]]: {
          isAudited: true,
          organization: "Audited One",
          country: "DE",
          attributes: [{ key: "host", value: "akash", auditedBy: [auditor] }],
        },
        [PROVIDERS[2]]: {
          isAudited: true,
          organization: "Audited Two",
          country: "CA",
          attributes: [{ key: "host", value: "akash", auditedBy: [auditor] }],
        },
      },
    });
    writeFileSync(specFile, stringify(spec));
    const pulumiCommand = await PulumiCommand.get({ root: dirname(env.SOVEREIGN_ENGINE_BIN), skipVersionCheck: true });
    stack = await timed("stack init", () =>
      LocalWorkspace.createOrSelectStack(
        { stackName: `akash-e2e-${process.pid}`, workDir: REPO },
        { envVars: env, pulumiCommand },
      ),
    );
    await stack.setAllConfig({
      "sovereign:fleetFile": { value: specFile },
      "sovereign:akashApiKey": { value: API_KEY, secret: true },
      "sovereign:akashApiUrl": { value: server.url },
      "sovereign:akashBidTimeoutSeconds": { value: "20" },
      "sovereign:akashBidWindowSeconds": { value: "1" },
      "sovereign:akashPollSeconds": { value: "1" },
    });
    // RPC allowed: on Akash that makes it global on the leased IP.
    await stack.setConfig("sovereign:rpcAllowCidrs[0]", { value: "127.0.0.1/32" }, true);
  });

  after(async () => {
    try {
      // A no-op after the destroy test; a destroy that fails here fails the suite.
      if (stack) await stack.destroy({ color: "never" });
    } finally {
      if (stack) await stack.workspace.removeStack(stack.name).catch(() => undefined);
      await server?.close();
      console.log(`akash e2e timings (s): ${JSON.stringify(timings)}`);
    }
  });

  test("pulumi up leases every Akash node through the Console API, by the spec's rules", async () => {
    upResult = await timed("up", () => stack.up({ onOutput: (s) => log.push(s), color: "never" }));
    const nodes = Object.values(upResult.outputs.nodes.value as Record<string, NodeOut>);
    assert.equal(nodes.length, 3);
    const leased = upResult.outputs.akash.value as Record<string, Leased>;
    assert.deepEqual(Object.keys(leased).sort(), nodes.map((n) => n.id).sort());
    for (const n of nodes) {
      assert.equal(n.provider, "akash");
      assert.equal(n.publicIp, "127.0.0.1", `${n.id}: the leased IP`);
      assert.match(n.rpcEndpoint, /^http:\/\/127\.0\.0\.1:8545$/);
      const l = leased[n.id];
      assert.notEqual(l.provider, PROVIDERS[0], `${n.id}: never the unaudited provider`);
      assert.equal(l.audited, true);
      assert.equal(server.deployments.get(l.dseq)?.lease?.provider, l.provider, `${n.id}: the lease the Console made`);
    }
    // The two devnet nodes are on different Akash providers.
    const devnet = nodes.filter((n) => n.id.startsWith("devnet")).map((n) => leased[n.id].provider);
    assert.equal(new Set(devnet).size, 2, `devnet providers: ${devnet.join(", ")}`);
    // The policy is checked again with each provider as an operator.
    const policy = upResult.outputs.leasedPolicy.value as { satisfied: boolean; checks: unknown[] };
    assert.equal(typeof policy.satisfied, "boolean");
    // The SDL the Console got carries the node's engine JWT; the Console saw the key on every call.
    const ethereum = nodes.find((n) => n.id.startsWith("ethereum"))!;
    const sdl = server.deployments.get(leased[ethereum.id].dseq)!.sdl as {
      services: Record<string, { env?: string[] }>;
    };
    assert.match(sdl.services.execution.env?.[0] ?? "", /^SOVEREIGN_JWT=[0-9a-f]{64}$/);
    assert.ok(
      server.requests
        .filter((r) => !r.path.startsWith("/v1/providers") && r.path !== "/v1/pricing")
        .every((r) => r.keyOk),
    );
    assert.ok(log.join("").includes("persistent data is lost when a lease closes"), "the Akash warning is shown");
  });

  test("pulumi up again changes nothing", async () => {
    const again = await timed("second up", () => stack.up({ color: "never", onOutput: (s) => log.push(s) }));
    // "read" is the program's StackReference to its own outputs (the deployed plan), not a change.
    const changed = Object.entries(again.summary.resourceChanges ?? {}).filter(
      ([op, n]) => op !== "same" && op !== "read" && n,
    );
    assert.deepEqual(changed, []);
  });

  test("the API key and the JWT are never in plaintext in the state, the outputs or the logs", async () => {
    const leased = upResult.outputs.akash.value as Record<string, Leased>;
    const ethereum = Object.keys(leased).find((id) => id.startsWith("ethereum"))!;
    const sdl = server.deployments.get(leased[ethereum].dseq)!.sdl as { services: Record<string, { env?: string[] }> };
    const jwt = sdl.services.execution.env![0].split("=")[1];
    const backend = join(env.PULUMI_BACKEND_URL.replace(/^file:\/\//, ""), ".pulumi");
    const history = join(backend, "history", "sovereign", stack.name);
    const files = [
      join(backend, "stacks", "sovereign", `${stack.name}.json`),
      ...(existsSync(history) ? readdirSync(history).map((f) => join(history, f)) : []),
    ];
    const state = files.map((f) => readFileSync(f, "utf8")).join("\n");
    const outputs = JSON.stringify(await stack.outputs());
    for (const [what, secret] of [
      ["API key", API_KEY],
      ["JWT", jwt],
    ] as const) {
      assert.ok(!state.includes(secret), `the ${what} is not in the state`);
      assert.ok(!outputs.includes(secret), `the ${what} is not in the outputs`);
      assert.ok(!log.join("").includes(secret), `the ${what} is not in the logs`);
    }
    assert.match(state, /"4dabf18193072939515e22adb298388d"/, "secrets are stored as Pulumi secrets");
  });

  test("pulumi destroy closes every deployment", async () => {
    const leased = upResult.outputs.akash.value as Record<string, Leased>;
    await timed("destroy", () => stack.destroy({ color: "never", onOutput: (s) => log.push(s) }));
    for (const l of Object.values(leased))
      assert.equal(server.deployments.get(l.dseq)?.state, "closed", `deployment ${l.dseq} closed`);
    assert.ok(!log.join("").includes(API_KEY));
  });
});
