/**
 * Two Alertmanagers (Debian's) on loopback, clustered with alertmanagerPeerFlags and configured by
 * renderAlertmanagerConfig, both sent every alert as each monitor's Prometheus does: the webhook gets
 * one notification per alert, and still one when a monitor is down.
 */
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { AlertReceiver, alertmanagerPeerFlags, fillSecrets, renderAlertmanagerConfig } from "../../core/monitoring";
import { freePort, waitFor } from "../gateway/processes";
import { tempDir } from "./promtool";

const MONITORS = ["127.0.2.1", "127.0.2.2"];
const received: Array<{ alerts: Array<{ labels: Record<string, string> }> }> = [];
const managers: ChildProcess[] = [];
let hook: Server;
let webPort: number;

before(async () => {
  hook = createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      received.push(JSON.parse(body));
      res.end();
    });
  });
  const hookPort = await freePort();
  await new Promise<void>((ok) => hook.listen(hookPort, "127.0.0.1", ok));
  const dir = tempDir();
  const receiver = AlertReceiver.parse({ type: "webhook", name: "ops" });
  const config = fillSecrets(renderAlertmanagerConfig([receiver], "1s"), {
    "ops-url": `http://127.0.0.1:${hookPort}/`,
  });
  writeFileSync(join(dir, "alertmanager.yml"), config);
  // One web and one cluster port, free on every monitor address.
  webPort = await freePort(MONITORS[0]);
  const clusterPort = await freePort(MONITORS[0]);
  for (const [i, self] of MONITORS.entries()) {
    const p = spawn(
      "prometheus-alertmanager",
      [
        `--config.file=${join(dir, "alertmanager.yml")}`,
        `--storage.path=${join(dir, `data-${i}`)}`,
        `--web.listen-address=${self}:${webPort}`,
        ...alertmanagerPeerFlags(self, MONITORS, clusterPort),
        "--cluster.peer-timeout=2s",
        "--cluster.settle-timeout=2s",
      ],
      { stdio: "ignore" },
    );
    managers.push(p);
  }
  // Ready when each sees the other as a cluster member.
  await waitFor(
    async () => {
      const sizes = await Promise.all(
        MONITORS.map(async (m) => {
          const r = await fetch(`http://${m}:${webPort}/api/v2/status`).catch(() => undefined);
          return r?.ok ? ((await r.json()) as { cluster: { peers: unknown[] } }).cluster.peers.length : 0;
        }),
      );
      return sizes.every((n) => n === MONITORS.length);
    },
    30_000,
    "the Alertmanager cluster",
  );
});

after(async () => {
  for (const p of managers) p.kill("SIGTERM");
  hook?.close();
});

/** Posts an alert as a monitor's Prometheus does. */
async function fire(monitor: string, alertname: string) {
  const body = [
    { labels: { alertname, chain: "ethereum/mainnet", group: "node" }, annotations: { summary: alertname } },
  ];
  const r = await fetch(`http://${monitor}:${webPort}/api/v2/alerts`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  assert.equal(r.status, 200, await r.text());
}

const notified = (alertname: string) =>
  received.filter((n) => n.alerts.some((a) => a.labels.alertname === alertname)).length;

test("an alert both monitors send is notified once", async () => {
  await Promise.all(MONITORS.map((m) => fire(m, "TwoMonitors")));
  await waitFor(async () => notified("TwoMonitors") > 0, 20_000, "the notification");
  // The second Alertmanager would send after its peer timeout (2 s) had the first not: wait past it.
  await new Promise((ok) => setTimeout(ok, 6000));
  assert.equal(notified("TwoMonitors"), 1);
});

test("with one monitor down, the other still notifies, once", async () => {
  managers[0].kill("SIGTERM");
  await new Promise((ok) => managers[0].once("exit", ok));
  await fire(MONITORS[1], "OneMonitorDown");
  await waitFor(async () => notified("OneMonitorDown") > 0, 20_000, "the notification from the survivor");
  await new Promise((ok) => setTimeout(ok, 4000));
  assert.equal(notified("OneMonitorDown"), 1);
});
