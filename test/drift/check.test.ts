/**
 * The drift checks of a bare-metal workload (core/drift): the expected state of a rendered node,
 * the read-only check script run by a real `sh` over files written the way a deploy writes them
 * (uploadScript), the report compared (edited or missing file, container, flushed table), and a
 * host that cannot be read is "unknown" in every check, never "ok".
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { uploadScript } from "../../components/baremetal/host";
import { loadCatalog } from "../../core/catalog/load";
import {
  checkHost,
  checkScript,
  compareHost,
  expectedWorkload,
  nftRuleCount,
  parseReport,
  type ExpectedWorkload,
} from "../../core/drift";
import { renderNftables } from "../../core/workload/nftables";
import { renderWorkload, workloadFiles } from "../../core/workload/render";

const catalog = loadCatalog();
const node = {
  id: "devnet-bitcoin-h1-1",
  chain: "devnet-bitcoin",
  network: "regtest",
  role: "full",
  clients: { node: "btcd" },
  vcpu: 2,
  memoryGb: 4,
  storage: { class: "host-nvme", sizeGb: 20 },
};

function rendered(root: string) {
  const w = renderWorkload(node, catalog, {
    fleet: "drift",
    configRoot: `${root}/config`,
    dataRoot: `${root}/data`,
    project: "drift_devnet-bitcoin-h1-1",
  });
  const files = workloadFiles(w, { rpcPassword: "f".repeat(40) });
  const ruleset = renderNftables(w.node, w.ports, { rpcAllowCidrs: ["10.0.0.0/8"], fleet: "drift" });
  return { w, files, ruleset, expected: expectedWorkload(w, files, ruleset) };
}

/** The check script run by sh on this machine (files are real; containers and tables are absent). */
const runHere = (expected: ExpectedWorkload[]) =>
  execFileSync("sh", ["-s"], { input: checkScript(expected), encoding: "utf8" });

describe("drift checks of a bare-metal workload", () => {
  it("the expected state: non-secret files only, every container with image and labels, the table's rules", () => {
    const { w, files, ruleset, expected } = rendered("/srv/x");
    const secret = files.filter((f) => f.secret).map((f) => f.path);
    assert.ok(
      secret.some((p) => p.endsWith("/.env")),
      "the node's .env holds its RPC password",
    );
    for (const p of secret) assert.ok(!(p in expected.files), `${p} holds a secret: no hash of it`);
    assert.ok(`${w.configDir}/compose.yaml` in expected.files);
    assert.deepEqual(
      expected.containers.map((c) => [c.name, c.image]),
      Object.values(w.compose.services).map((s) => [s.container_name, s.image]),
    );
    for (const c of expected.containers)
      assert.deepEqual([c.labels["sovereign.fleet"], c.labels["sovereign.node"]], ["drift", node.id]);
    // Every rule line of the rendered table, not the chain policies.
    const ruleLines = ruleset
      .split("\n")
      .filter((l) => /(accept|drop)( comment|$)/.test(l.trim()) && !l.includes("policy"));
    assert.equal(expected.nftables!.rules, ruleLines.length);
    assert.ok(expected.nftables!.rules >= 3);
  });

  it("the script, run by sh over files the deploy wrote: files ok, an edited or removed file is drift naming it", () => {
    const root = mkdtempSync(join(tmpdir(), "sovereign-drift-"));
    try {
      const { w, files, expected } = rendered(root);
      execFileSync("sh", ["-s"], { input: uploadScript(files.filter((f) => f.path.startsWith(`${w.configDir}/`))) });
      const fileChecks = (e: ExpectedWorkload) =>
        compareHost("h1", [e], parseReport(runHere([e]))).filter(
          (f) => f.check === "file" && f.subject.startsWith(root),
        );
      const clean = fileChecks(expected);
      assert.ok(clean.length >= 2);
      assert.deepEqual([...new Set(clean.map((f) => f.status))], ["ok"], JSON.stringify(clean));

      writeFileSync(`${w.configDir}/compose.yaml`, w.composeYaml.replace("restart: unless-stopped", "restart: no"));
      rmSync(`${w.configDir}/prepare.sh`);
      const broken = fileChecks(expected).filter((f) => f.status !== "ok");
      assert.deepEqual(
        broken.map((f) => [f.subject, f.status]),
        [
          [`${w.configDir}/compose.yaml`, "drift"],
          [`${w.configDir}/prepare.sh`, "drift"],
        ],
      );
      assert.match(broken[0].detail, /edited since the deploy/);
      assert.equal(broken[1].detail, "missing");
      assert.match(broken[0].repair, /rewrites the workload's files/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("containers and tables from a host's report: stopped, wrong image, init failed, flushed table", () => {
    const { expected } = rendered("/srv/x");
    const [c] = expected.containers;
    const inspect = (over: Record<string, unknown>) =>
      JSON.stringify({ image: c.image, status: "running", exitCode: 0, health: "", labels: c.labels, ...over });
    const verdict = (container: string, table: string) => {
      const files = Object.entries(expected.files).map(([p, h]) => `file\t${p}\t${h}`);
      const text = [...files, `container\t${c.name}\t${container}`, `nftables\t${expected.nftables!.table}\t${table}`];
      const findings = compareHost("h1", [expected], parseReport(`${text.join("\n")}\nsovereign-drift-end\n`));
      return findings.filter((f) => f.status !== "ok").map((f) => `${f.check}: ${f.detail}`);
    };
    assert.deepEqual(verdict(inspect({}), String(expected.nftables!.rules)), []);
    assert.deepEqual(verdict(inspect({ status: "exited", exitCode: 137 }), "missing"), [
      "container: exited (exit 137)",
      "nftables: table missing",
    ]);
    assert.deepEqual(verdict(inspect({ image: "evil/btcd:latest" }), "0"), [
      `container: runs image evil/btcd:latest, deployed ${c.image}`,
      `nftables: 0 rule(s), deployed ${expected.nftables!.rules} (flushed or edited)`,
    ]);
    assert.deepEqual(verdict("missing", String(expected.nftables!.rules)), ["container: no such container"]);
    assert.deepEqual(verdict(inspect({ health: "unhealthy" }), String(expected.nftables!.rules)), [
      "container: running but unhealthy",
    ]);
    assert.deepEqual(verdict("{not json", String(expected.nftables!.rules)), [
      "container: docker inspect answered something that is not JSON",
    ]);
    assert.equal(nftRuleCount("chain input {\n type filter hook input priority 0; policy accept;\n}"), 0);
  });

  it("a report cut short, or a host that cannot be reached: every check unknown, none ok", async () => {
    const { expected } = rendered("/srv/x");
    const cut = compareHost("h1", [expected], parseReport("file\t/srv/x\tabc\n"), "cut");
    assert.deepEqual([...new Set(cut.map((f) => f.status))], ["unknown"]);
    // A closed port on loopback: ssh fails to connect, within the bound.
    const t0 = Date.now();
    const unreachable = await checkHost("h1", { host: "127.0.0.1", port: 1, user: "root" }, [expected], 10_000);
    assert.ok(Date.now() - t0 < 10_000);
    assert.deepEqual([...new Set(unreachable.map((f) => f.status))], ["unknown"]);
    assert.match(unreachable[0].detail, /cannot check: .*(refused|closed|connect)/i);
  });
});
