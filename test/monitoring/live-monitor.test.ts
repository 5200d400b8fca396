/**
 * A real Prometheus on loopback (test/monitoring/monitor.ts) read by `sovereign status` and by the
 * dashboards: every node live keeps the policy (exit 0) and every panel's query returns data; one
 * node cut breaks the policy (exit 1, the node down and the breached rule in the output); an
 * unreachable monitor is a clear error within the timeout (exit 2).
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { DASHBOARDS, grafanaDashboard } from "../../core/monitoring";
import { freePort } from "../gateway/processes";
import { startMonitor, type Monitor } from "./monitor";

const BIN = join(__dirname, "..", "..", "bin", "sovereign.js");

function sovereign(args: string[]): Promise<{ code: number; stdout: string; stderr: string; ms: number }> {
  const t0 = Date.now();
  return new Promise((ok, fail) => {
    const p = spawn(process.execPath, [BIN, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    p.stdout.on("data", (d) => (stdout += d));
    p.stderr.on("data", (d) => (stderr += d));
    p.once("error", fail);
    p.once("exit", (code) => ok({ code: code ?? -1, stdout, stderr, ms: Date.now() - t0 }));
  });
}

describe("sovereign status against a live monitor", () => {
  let m: Monitor;
  const status = (...extra: string[]) =>
    sovereign(["status", m.specFile, "--plan", m.planFile, "--prometheus", m.prometheus, ...extra]);
  before(async () => {
    m = await startMonitor();
  });
  after(async () => m?.stop());

  it("every node live: each node up with its height and lag, every rule ok, exit 0", async () => {
    const r = await status();
    assert.equal(r.code, 0, r.stdout + r.stderr);
    for (const n of m.plan.nodes.filter((n) => n.chain === "ethereum")) {
      assert.match(r.stdout, new RegExp(`${n.id} .*│ up +│ \\d+ +│ \\d+ +│`));
    }
    assert.doesNotMatch(r.stdout, /BREACH/);
    const all = m.plan.nodes.length;
    assert.match(r.stdout, new RegExp(`${all} of ${all} planned nodes live; the live fleet keeps its policy`));
    // Bitcoin nodes serve no metrics: the TCP probe of their RPC port sees them, their height is unknown.
    for (const n of m.plan.nodes.filter((n) => n.chain === "bitcoin")) {
      assert.match(r.stdout, new RegExp(`${n.id} .*│ up +│ unknown +│ unknown +│`));
    }
  });

  it("JSON: the same facts, machine-readable", async () => {
    const r = await status("--format", "json");
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout) as {
      ok: boolean;
      nodes: Array<{ chain: string; state: string; height: number; lag: number }>;
    };
    assert.equal(json.ok, true);
    assert.ok(json.nodes.every((n) => n.state === "up"));
    const eth = json.nodes.filter((n) => n.chain === "ethereum/mainnet");
    assert.ok(eth.every((n) => n.height > 0 && n.lag >= 0));
    // Two anvils at different block times: the nodes following the slower one lag behind.
    assert.ok(eth.some((n) => n.lag > 0));
  });

  it("every dashboard panel's query and every template variable returns data", async () => {
    const empty: string[] = [];
    for (const d of DASHBOARDS) {
      // Grafana's label_values(metric, label) lists the label's values: the same series, grouped.
      const variables = d.variables.map((v) => v.query.replace(/^label_values\((.+), (\w+)\)$/, "group by ($2) ($1)"));
      const panels = d.panels.flatMap((p) => p.queries.map((q) => q.replace(/\$(chain|node|gateway)\b/g, ".*")));
      for (const query of [...variables, ...panels]) {
        const r = await fetch(`${m.prometheus}/api/v1/query?query=${encodeURIComponent(query)}`);
        const body = (await r.json()) as { status: string; data?: { result: unknown[] }; error?: string };
        if (body.status !== "success" || !body.data?.result.length)
          empty.push(`${d.uid}: ${query} ${body.error ?? "(no data)"}`);
      }
    }
    assert.deepEqual(empty, []);
    // The JSON model carries the same queries.
    const model = grafanaDashboard(DASHBOARDS[0]) as { panels: Array<{ targets: Array<{ expr: string }> }> };
    assert.deepEqual(
      model.panels.map((p) => p.targets[0].expr),
      DASHBOARDS[0].panels.map((p) => p.queries[0]),
    );
  });

  it("one node cut: status shows it down and the operator cap breached, exit 1", async () => {
    // Losing a node outside AWS leaves AWS 2 of 5 live nodes: 40%, above the 34% cap.
    const eth = m.plan.nodes.filter((n) => n.chain === "ethereum");
    const victim = eth.find((n) => n.operator !== "aws")!;
    const aws = eth.filter((n) => n.operator === "aws").length;
    assert.equal(aws, 2, "the plan puts 2 of 6 nodes on AWS");
    const cutAt = Date.now();
    await m.cut(victim.id);
    let r = await status();
    while (r.code === 0 && Date.now() - cutAt < 30_000) r = await status();
    const seconds = (Date.now() - cutAt) / 1000;
    process.stdout.write(`# from the cut to status exit 1: ${seconds.toFixed(1)} s\n`);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, new RegExp(`${victim.id} .*│ down +│`));
    assert.match(r.stdout, /ethereum\/mainnet +│ maxShare\.operator +│ 34% +│ 40% +│ BREACH/);
    assert.match(r.stdout, /aws holds 2 of 5 ethereum\/mainnet nodes \(40%\)/);
    const md = await status("--format", "md");
    assert.equal(md.code, 1);
    assert.match(md.stdout, /\| ethereum\/mainnet \| maxShare\.operator \| 34% \| 40% \| BREACH \|/);
  });
});

describe("sovereign status without a monitor", () => {
  let silent: Server;
  let silentPort: number;
  before(async () => {
    // Accepts connections and never answers: the worst case for a hang.
    silentPort = await freePort();
    silent = createServer(() => undefined);
    await new Promise<void>((ok) => silent.listen(silentPort, "127.0.0.1", ok));
  });
  after(() => silent.close());

  it("a monitor that never answers: a clear error after --timeout, exit 2", async () => {
    const r = await sovereign(["status", "--prometheus", `http://127.0.0.1:${silentPort}`, "--timeout", "2"]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /the monitor at http:\/\/127\.0\.0\.1:\d+\/: no answer within 2 s/);
    assert.ok(r.ms < 15_000, `took ${r.ms} ms`);
  });

  it("a refused connection and a missing URL: exit 2 naming --prometheus", async () => {
    const closed = await freePort();
    const refused = await sovereign(["status", "--prometheus", `http://127.0.0.1:${closed}`]);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /cannot connect \(ECONNREFUSED\)/);
    const none = await sovereign(["status"]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /--prometheus: give the monitor's URL/);
  });

  it("something that is not Prometheus: exit 2, never a crash", async () => {
    const r = await sovereign(["status", "--prometheus", "ftp://127.0.0.1/"]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /use an http:\/\/ or https:\/\/ URL/);
  });
});
