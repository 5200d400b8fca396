// Monitors deployed with the fleet through the Sovereign program itself (Pulumi.yaml, program/,
// stack config) on lab hosts sov-h19 and sov-h20: a devnet (anvil) node and a monitor on each,
// joined by the WireGuard overlay, node_exporter on both. Checked: each monitor's Prometheus (the
// lab's image of Debian's packages, e2e/lab/build-monitor-image.sh) scrapes every node target over
// the overlay; a node's container stopped by hand fires SovereignNodeDown, and the webhook receiver
// this test runs gets one notification although two monitors send it (their Alertmanagers are one
// cluster); `sovereign status --deployed <outputs>` shows the node down and exits 1 (the live fleet
// breaks survive.operatorLoss); the restored node resolves the alert; destroy leaves the hosts clean.
// Short intervals (monitoring.scrapeIntervalSeconds 2, downAfterSeconds 6, groupWaitSeconds 1,
// groupIntervalSeconds 5) keep
// the run bounded.
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import type { Server } from "node:http";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { Stack, UpResult } from "@pulumi/pulumi/automation";
import { stringify } from "yaml";
import { REPO, hostLeftovers, labEnv, labHosts, programStack, ssh, timer, overlaySuiteProblem, specHost } from "./lab";
import { BRIDGE, alertWebhook, statement, type Notification } from "./alert-webhook";

const env = labEnv();
const HOSTS = [
  ["sov-h19", "netcup", "DE"],
  ["sov-h20", "scaleway", "FR"],
] as const;
const FLEET = "monitoring-e2e";

const problem = overlaySuiteProblem(
  env,
  "monitoring",
  HOSTS.map(([h]) => h),
);

interface MonitorOut {
  site: string;
  prometheusUrl: string;
}

/** A Prometheus instant query from the root namespace; the result vector. */
function query(base: string, q: string): Array<{ metric: Record<string, string>; value: [number, string] }> {
  const r = spawnSync("curl", ["-s", "--max-time", "5", `${base}/api/v1/query`, "--data-urlencode", `query=${q}`], {
    encoding: "utf8",
  });
  if (r.status !== 0) return [];
  const body = JSON.parse(r.stdout);
  return body.status === "success" ? body.data.result : [];
}

async function until<T>(what: string, seconds: number, probe: () => T | undefined): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const found = probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${seconds} s`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

describe("monitors deployed with the fleet, through the program", { skip: problem }, () => {
  const hosts = problem ? [] : labHosts(env);
  const host = (name: string) => hosts.find((h) => h.name === name)!;
  const work = mkdtempSync(join(tmpdir(), "sovereign-monitoring-e2e-"));
  const specFile = join(work, "fleet.yaml");
  const outputsFile = join(work, "outputs.json");
  const timings: Record<string, number> = {};
  const timed = timer(timings);
  let received: Notification[] = [];
  let server: Server;
  let stack: Stack;
  let up: UpResult;
  let destroyed = false;
  const monitors = () => Object.values(up.outputs.monitors.value as Record<string, MonitorOut>);
  const nodeIds = () => Object.keys(up.outputs.nodes.value as Record<string, unknown>).sort();
  /** Notifications for `alert` on `node` with `status` (firing or resolved). */
  const notified = (alert: string, node: string, status: string) =>
    received.filter((n) =>
      n.alerts.some((a) => a.status === status && a.labels.alertname === alert && a.labels.node === node),
    );

  before(async () => {
    const webhook = await alertWebhook();
    ({ server, received } = webhook);
    const privateKey = readFileSync(hosts[0].privateKeyPath, "utf8");
    const machine = ([name, operator, country]: (typeof HOSTS)[number]) =>
      specHost(host(name), operator, country, { maxNodes: 1, diskGb: 200 });
    const spec = {
      name: FLEET,
      chains: [{ chain: "devnet", count: 2 }],
      sites: { baremetal: { hosts: HOSTS.map(machine) } },
      // One operator's loss must leave a node: with one node down the live fleet breaks this.
      policy: { survive: { operatorLoss: 1, minNodes: 1 } },
      monitoring: {
        count: 2,
        scrapeIntervalSeconds: 2,
        downAfterSeconds: 6,
        groupWaitSeconds: 1,
        groupIntervalSeconds: 5,
      },
    };
    writeFileSync(specFile, stringify(spec));
    const image = execFileSync(
      "bash",
      [join(REPO, "e2e/lab/build-monitor-image.sh"), "--hosts", HOSTS.map(([h]) => h).join(",")],
      { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] },
    )
      .trim()
      .split("\n")
      .pop()!;
    stack = await timed("stack init", () => programStack(env, `monitoring-${process.pid}`, specFile, privateKey));
    await stack.setAllConfig({
      "sovereign:overlay": { value: "true" },
      "sovereign:wireguardGo": { value: env.SOVEREIGN_WIREGUARD_GO },
      "sovereign:monitorImage": { value: image },
      // Debian has no Grafana and the hosts reach no registry to pull grafana/grafana.
      "sovereign:grafana": { value: "false" },
      "sovereign:alerts": { value: JSON.stringify([{ type: "webhook", name: "lab" }]) },
      "sovereign:alert-lab-url": { value: webhook.url, secret: true },
    });
    // Where the test (and `sovereign status`) reads Prometheus from: the root namespace.
    await stack.setConfig("sovereign:monitorAllowCidrs[0]", { value: `${BRIDGE}/32` }, true);
  });

  after(async () => {
    try {
      // A destroy that fails here (the destroy test did not get to run) fails the suite.
      if (stack && !destroyed) await stack.destroy({ color: "never" });
    } finally {
      if (stack) await stack.workspace.removeStack(stack.name).catch(() => undefined);
      server?.close();
      rmSync(work, { recursive: true, force: true });
      console.log(`monitoring e2e timings (s): ${JSON.stringify(timings)}`);
    }
  });

  test("pulumi up: a monitor on each host, its Prometheus URL in the stack outputs", async () => {
    up = await timed("up", () => stack.up({ color: "never" }));
    assert.deepEqual(
      monitors()
        .map((m) => m.site)
        .sort(),
      HOSTS.map(([h]) => `baremetal/${h}`).sort(),
    );
    for (const m of monitors()) assert.match(m.prometheusUrl, /^http:\/\/10\.77\.0\.\d+:9090$/);
    writeFileSync(
      outputsFile,
      JSON.stringify(Object.fromEntries(Object.entries(up.outputs).map(([k, v]) => [k, v.value]))),
    );
  });

  test("each monitor scrapes every node and machine over the overlay: up == 1", async () => {
    await timed("targets up", async () => {
      for (const m of monitors()) {
        const seen = await until(`${m.prometheusUrl}: every node probed up`, 60, () => {
          const r = query(m.prometheusUrl, 'probe_success{job="node-probe"} == 1');
          return r.length === nodeIds().length ? r : undefined;
        });
        assert.deepEqual(seen.map((s) => s.metric.node).sort(), nodeIds());
        // Every probe goes to an overlay address (the nodes' RPC is not reachable otherwise).
        for (const s of seen) assert.match(s.metric.instance, /^100\.72\./, `${s.metric.node} probed over the overlay`);
        const machines = await until(`${m.prometheusUrl}: node_exporter up on both hosts`, 60, () => {
          const r = query(m.prometheusUrl, 'up{job="node"} == 1');
          return r.length === HOSTS.length ? r : undefined;
        });
        assert.deepEqual(machines.map((s) => s.metric.machine).sort(), HOSTS.map(([h]) => h).sort());
      }
    });
  });

  test("a stopped node fires SovereignNodeDown: one notification from two monitors; status shows it down and exits 1", async () => {
    const [cutHost] = HOSTS[0];
    const nodes = up.outputs.nodes.value as Record<string, { site: string }>;
    const [node] = Object.entries(nodes).find(([, n]) => n.site === `baremetal/${cutHost}`)!;
    ssh(env, host(cutHost), `docker stop $(docker ps -q --filter label=sovereign.node=${node})`);
    const stopped = Date.now();
    await timed("to notification", () =>
      until("SovereignNodeDown notified", 120, () =>
        notified("SovereignNodeDown", node, "firing").length ? true : undefined,
      ),
    );
    timings["cut to notification"] = (Date.now() - stopped) / 1000;
    // Each Alertmanager waits its place in the cluster (peer timeout 15 s) before it would send: past
    // that, each statement of the group still reached the receiver once.
    await new Promise((r) => setTimeout(r, 25_000));
    const statements = notified("SovereignNodeDown", node, "firing").map(statement);
    assert.ok(statements.length >= 1);
    assert.deepEqual(statements, [...new Set(statements)], `sent once each: ${JSON.stringify(received)}`);
    for (const m of monitors()) {
      const firing = query(
        m.prometheusUrl,
        `ALERTS{alertname="SovereignNodeDown", alertstate="firing", node="${node}"}`,
      );
      assert.equal(firing.length, 1, `${m.prometheusUrl} sees the alert firing`);
    }
    const expected = nodeIds().map((id) => [id, id === node ? "down" : "up"]);
    const statusJson = () =>
      spawnSync(
        "node",
        [join(REPO, "bin/sovereign.js"), "status", specFile, "--deployed", outputsFile, "--format", "json"],
        { encoding: "utf8", timeout: 60_000 },
      );
    const states = (r: ReturnType<typeof statusJson>) =>
      (JSON.parse(r.stdout) as { nodes: Array<{ id: string; state: string }> }).nodes
        .map((n) => [n.id, n.state])
        .sort();
    // A probe of the running node can miss a scrape on a loaded machine: the live view settles within seconds.
    const status = await until("status shows only the stopped node down", 30, () => {
      const r = statusJson();
      return r.stdout && JSON.stringify(states(r)) === JSON.stringify(expected) ? r : undefined;
    }).catch(() => statusJson());
    const table = spawnSync("node", [join(REPO, "bin/sovereign.js"), "status", specFile, "--deployed", outputsFile], {
      encoding: "utf8",
      timeout: 60_000,
    });
    console.log(`sovereign status --deployed outputs.json (exit ${table.status}):\n${table.stdout}${table.stderr}`);
    assert.equal(status.status, 1, `exit 1 on a live breach: ${status.stderr}`);
    assert.deepEqual(states(status), expected);
  });

  test("the restored node resolves the alert", async () => {
    const [cutHost] = HOSTS[0];
    const nodes = up.outputs.nodes.value as Record<string, { site: string }>;
    const [node] = Object.entries(nodes).find(([, n]) => n.site === `baremetal/${cutHost}`)!;
    ssh(env, host(cutHost), `docker start $(docker ps -aq --filter label=sovereign.node=${node})`);
    await timed("to resolved", () =>
      until("SovereignNodeDown resolved", 120, () =>
        notified("SovereignNodeDown", node, "resolved").length ? true : undefined,
      ),
    );
    const status = spawnSync(
      "node",
      [join(REPO, "bin/sovereign.js"), "status", specFile, "--deployed", outputsFile, "--format", "json"],
      { encoding: "utf8", timeout: 60_000 },
    );
    assert.equal(status.status, 0, `every node up again: ${status.stdout}${status.stderr}`);
  });

  test("pulumi destroy succeeds and leaves the hosts clean", async () => {
    await timed("destroy", () => stack.destroy({ color: "never" }));
    destroyed = true;
    for (const [name] of HOSTS) assert.equal(hostLeftovers(env, host(name)), "", `${name} is clean`);
  });
});
