/**
 * `sovereign render` through the real CLI: the SDL of an Akash node of the bundled example (it
 * passes Akash's validator again here), compose and cloud-init of a cloud node, compose of a
 * bare-metal node with the host's paths and names, and bad input
 * (unknown node, SDL for a non-Akash node, a client that cannot run on Akash) with exit 2.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { loadCatalog } from "../../core/catalog/load";
import { validateSdl } from "../../core/workload/sdl-validate";

const ROOT = join(__dirname, "..", "..");
const CLI = join(ROOT, "bin", "sovereign.js");

function sovereign(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { cwd: ROOT, timeout: 120_000, env: { ...process.env, SOVEREIGN_DEBUG: "" } },
      (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === "number" ? error.code : null) : 0, stdout, stderr });
      },
    );
  });
}

describe("sovereign render", () => {
  test("--as sdl prints a valid SDL of an Akash node, without secrets", async () => {
    const r = await sovereign("render", "--node", "ethereum-akash-1", "--as", "sdl");
    assert.equal(r.code, 0, r.stderr);
    const doc = parse(r.stdout);
    assert.equal(doc.version, "2.0");
    // The bundled example's gateways serve ethereum: the node gets its mTLS terminator, as pulumi up deploys it.
    assert.deepEqual(Object.keys(doc.services).sort(), ["consensus", "execution", "upstream-tls"]);
    assert.match(r.stdout, /SOVEREIGN_JWT=<secret jwt: filled at deploy>/);
    assert.match(r.stdout, /SOVEREIGN_UPSTREAM_TLS_PEM=<secret upstreamTlsPem: filled at deploy>/);
    const result = validateSdl("ethereum-akash-1", doc, loadCatalog());
    assert.deepEqual(result.groups, ["akash"]);
    assert.match(r.stdout, /# valid: @akashnetwork\/chain-sdk validateSDL and generateManifest/);
  });

  test("--as compose and --as cloud-init for a cloud node", async () => {
    const compose = await sovereign("render", "--node", "ethereum-aws-us-east-1-1");
    assert.equal(compose.code, 0, compose.stderr);
    // An Ethereum node runs one execution and one consensus client of the example's allowed lists.
    const { services } = parse(compose.stdout);
    assert.match(services.execution.image, /(geth|nethermind|reth|besu)/);
    assert.match(services.consensus.image, /(lighthouse|teku|nimbus)/);
    const init = await sovereign("render", "--node", "ethereum-aws-us-east-1-1", "--as", "cloud-init");
    assert.equal(init.code, 0, init.stderr);
    assert.match(init.stdout, /^#cloud-config\n/);
  });

  test("--as compose for a bare-metal node shows what runs on the host: its paths and names; no cloud-init", async () => {
    const spec = join(ROOT, "test", "e2e", "drill-fleet.yaml");
    const node = "devnet-sov-h4-1";
    const r = await sovereign("render", spec, "--node", node);
    assert.equal(r.code, 0, r.stderr);
    const { services } = parse(r.stdout);
    assert.equal(services.node.container_name, `drill_${node}-node`);
    assert.ok(
      services.node.volumes.some((v: string) => v.startsWith(`/srv/sovereign/fleets/drill/data/${node}/`)),
      JSON.stringify(services.node.volumes),
    );
    assert.doesNotMatch(r.stdout, /\/srv\/sovereign\/devnet|\/etc\/sovereign\//, "no cloud path");
    const init = await sovereign("render", spec, "--node", node, "--as", "cloud-init");
    assert.equal(init.code, 2);
    assert.match(init.stderr, /bare-metal host sov-h4, which gets its compose project over SSH, not cloud-init/);
  });

  test("bad input: unknown node, SDL of a cloud node, a client Akash cannot run (no plan, exit 3)", async () => {
    const unknown = await sovereign("render", "--node", "ethereum-akash-9");
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /--node: no node 'ethereum-akash-9' in the plan; did you mean 'ethereum-akash-1'/);
    const cloud = await sovereign("render", "--node", "ethereum-aws-us-east-1-1", "--as", "sdl");
    assert.equal(cloud.code, 2);
    assert.match(cloud.stderr, /planned on aws, not Akash/);
    const dir = mkdtempSync(join(tmpdir(), "render-"));
    const spec = join(dir, "prysm.yaml");
    writeFileSync(
      spec,
      stringify({
        name: "t",
        chains: [{ chain: "ethereum", count: 1, clients: { consensus: ["prysm"] } }],
        sites: { akash: {} },
      }),
    );
    const prysm = await sovereign("render", spec, "--node", "ethereum-akash-1", "--as", "sdl");
    // The planner already keeps prysm off Akash (no plan: exit 3), so no such node reaches render.
    assert.equal(prysm.code, 3, prysm.stderr);
    assert.match(
      prysm.stderr,
      /none of the allowed consensus clients \(prysm\) can run on akash.*allow another consensus client/,
    );
    assert.equal(prysm.stdout, "");
  });
});
