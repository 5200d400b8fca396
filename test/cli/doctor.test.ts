/**
 * `sovereign doctor` through the real CLI, on stack exports written here: a host that cannot be
 * reached is "unknown" in every check and exits 4 (never 0); what is not an export, an export
 * without probes, a probe of another shape (naming its resource) and a missing stack are bad input
 * (exit 2). The checks against real hosts are test/e2e/drift.e2e.test.ts.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { DRIFT_PROBE_TYPE } from "../../core/drift";

const CLI = join(__dirname, "..", "..", "bin", "sovereign.js");
const dir = mkdtempSync(join(tmpdir(), "sovereign-doctor-"));

const sovereign = (...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> =>
  new Promise((resolve) =>
    execFile(process.execPath, [CLI, ...args], { encoding: "utf8" }, (e, stdout, stderr) =>
      resolve({ code: e ? ((e as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    ),
  );

const expected = {
  workload: "devnet-h1-1",
  fleet: "prod",
  project: "prod_devnet-h1-1",
  files: { "/srv/sovereign/fleets/prod/config/devnet-h1-1/compose.yaml": "a".repeat(64) },
  containers: [
    { name: "prod_devnet-h1-1-node", image: "anvil:1", labels: { "sovereign.node": "devnet-h1-1" }, oneShot: false },
  ],
  nftables: { table: "sovereign_prod_devnet-h1-1", rules: 6 },
};
const probe = (outputs: unknown) => ({
  urn: `urn:pulumi:prod::sovereign::${DRIFT_PROBE_TYPE}::prod-devnet-h1-1-drift`,
  type: DRIFT_PROBE_TYPE,
  outputs,
});
const exportOf = (resources: unknown[]) => ({ version: 3, deployment: { manifest: {}, resources } });
const file = (name: string, value: unknown) => {
  const path = join(dir, name);
  writeFileSync(path, typeof value === "string" ? value : JSON.stringify(value));
  return path;
};
// Port 1 on loopback: nothing listens, so ssh cannot connect.
const closedHost = {
  hostName: "h1",
  host: "127.0.0.1",
  port: 1,
  user: "root",
  privateKey: { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", ciphertext: "x" },
  expected,
};

describe("sovereign doctor", () => {
  test("a host that cannot be reached: every check unknown, exit 4, never ok", async () => {
    const state = file("state.json", exportOf([probe(closedHost)]));
    const r = await sovereign("doctor", "--deployed", state, "--format", "json", "--timeout", "5");
    assert.equal(r.code, 4, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.equal(report.kind, "doctor");
    assert.deepEqual(report.summary, { ok: 0, drift: 0, unknown: 3 });
    assert.equal(report.hosts[0].host, "h1");
    assert.equal(report.hosts[0].status, "unknown");
    for (const c of report.hosts[0].checks) assert.match(c.detail, /^cannot check: /);
    const table = await sovereign("doctor", "--deployed", state, "--timeout", "5");
    assert.equal(table.code, 4);
    assert.match(table.stdout, /h1: unknown: cannot check/);
    assert.doesNotMatch(table.stdout, /\bok\b/);
  });

  test("bad input exits 2 naming the field: no stack given, not an export, no probes, a probe of another shape", async () => {
    const none = await sovereign("doctor");
    assert.equal(none.code, 2);
    assert.match(none.stderr, /--deployed: give the stack/);
    const outputs = await sovereign("doctor", "--deployed", file("outputs.json", { nodes: {} }));
    assert.equal(outputs.code, 2);
    assert.match(outputs.stderr, /not a stack export: give `pulumi stack export/);
    const empty = await sovereign("doctor", "--deployed", file("empty.json", exportOf([])));
    assert.equal(empty.code, 2);
    assert.match(empty.stderr, /no bare-metal workloads with a drift probe/);
    const odd = await sovereign(
      "doctor",
      "--deployed",
      file("odd.json", exportOf([probe({ ...closedHost, expected: { ...expected, files: { "rel/path": "x" } } })])),
    );
    assert.equal(odd.code, 2);
    assert.match(odd.stderr, /prod-devnet-h1-1-drift: outputs\.expected\.files/);
    const notJson = await sovereign("doctor", "--deployed", file("bad.json", "{"));
    assert.equal(notJson.code, 2);
    assert.match(notJson.stderr, /--deployed: not JSON/);
    const badStack = await sovereign("doctor", "--stack", "a b");
    assert.equal(badStack.code, 2);
    assert.match(badStack.stderr, /--stack: a stack name/);
  });
});
