/**
 * Grafana on a monitor, as rendered: every path grafana.ini names (provisioning, the admin password
 * file) is where the workload puts that file, seen through the container's volumes; the data source
 * is the monitor's own Prometheus; every dashboard is provisioned; its port is opened like
 * Prometheus' API; without Grafana nothing of it is rendered. No Grafana runs here (Debian has none,
 * no registry is reachable): these are the checks a running one would fail first.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parse } from "yaml";
import {
  DASHBOARDS,
  GRAFANA_PORT,
  grafanaDashboard,
  renderMonitorWorkload,
  type MonitorWorkload,
} from "../../core/monitoring";
import { partImage } from "../../core/catalog/load";
import { validateFleetObject } from "../../core/fleet-spec/parse";
import { planFleet } from "../../core/planner/plan";
import { catalog, fleetOf } from "../core/helpers";

const cat = catalog();
const host = (name: string, operator: string, country: string, i: number) => ({
  ...{ name, address: `203.0.113.${10 + i}`, operator, country, monthlyUsd: 40 },
  ...{ cpu: 8, memoryGb: 32, diskGb: 2000 },
});
const spec = {
  name: "t",
  chains: [{ chain: "bitcoin", count: 2 }],
  sites: { baremetal: { hosts: [host("a", "hetzner", "DE", 1), host("b", "ovh", "FR", 2)] } },
  policy: {},
  monitoring: {},
};

async function render(grafana: boolean): Promise<MonitorWorkload> {
  const plan = await planFleet(fleetOf(spec), cat);
  const monitors = plan.monitors ?? [];
  const addresses = Object.fromEntries(plan.nodes.map((n, i) => [n.id, { address: `100.72.0.${i + 2}` }]));
  const peers = monitors.map((_, i) => `100.72.0.${i + 10}`);
  return renderMonitorWorkload(
    {
      ...{ monitor: monitors[0], plan, catalog: cat, policy: validateFleetObject(spec).policy, addresses },
      ...{ self: peers[0], monitors: peers, receivers: [{ type: "webhook", name: "ops" } as const] },
    },
    { fleet: "t", grafana },
  );
}

/** The host path a container path maps to through the service's bind mounts. */
function hostPath(volumes: string[], containerPath: string): string | undefined {
  for (const v of volumes) {
    const [from, to] = v.split(":");
    if (containerPath === to || containerPath.startsWith(`${to}/`)) return from + containerPath.slice(to.length);
  }
  return undefined;
}

describe("Grafana on a monitor", () => {
  test("grafana.ini's paths are where the files go; the data source is this monitor's Prometheus; every dashboard is provisioned", async () => {
    const w = await render(true);
    const grafana = w.compose.services.grafana;
    assert.ok(grafana, "a grafana service");
    assert.equal(grafana.image, partImage("grafana"));
    const config = grafana.command.find((a) => a.startsWith("--config="))?.slice("--config=".length) ?? "";
    const files = w.files ?? [];
    const byContainerPath = new Map(files.map((f) => [f.containerPath, f]));
    const ini = byContainerPath.get(config)?.content ?? "";
    assert.match(ini, /^\[paths\]$/m, `grafana.ini at ${config}`);
    const setting = (key: string) => new RegExp(`^${key} = (.+)$`, "m").exec(ini)?.[1] ?? "";

    // The admin password: a $__file{} the container sees where the component writes the 0600 file.
    const passwordFile = /^\$__file\{(.+)\}$/.exec(setting("admin_password"))?.[1] ?? "";
    assert.ok(passwordFile, "admin_password is read from a file");
    assert.equal(hostPath(grafana.volumes, passwordFile), w.grafanaPasswordPath);
    assert.ok(!files.some((f) => f.hostPath === w.grafanaPasswordPath), "the password file is not a plain file");

    // Provisioning: a data source file and a dashboard provider under the configured directory.
    const provisioning = setting("provisioning");
    const under = (dir: string) => files.filter((f) => f.containerPath.startsWith(`${dir}/`));
    const [datasourceFile] = under(`${provisioning}/datasources`);
    const datasource = (parse(datasourceFile.content) as { datasources: Array<{ type: string; url: string }> })
      .datasources[0];
    const prometheusPort = /:(\d+)$/.exec(
      w.compose.services.prometheus.command.find((a) => a.startsWith("--web.listen-address=")) ?? "",
    )?.[1];
    assert.equal(datasource.type, "prometheus");
    assert.equal(datasource.url, `http://127.0.0.1:${prometheusPort}`);
    const [providerFile] = under(`${provisioning}/dashboards`);
    const provider = (parse(providerFile.content) as { providers: Array<{ options: { path: string } }> }).providers[0];
    const dashboards = under(provider.options.path).map((f) => JSON.parse(f.content) as { uid: string });
    assert.deepEqual(dashboards.map((d) => d.uid).sort(), DASHBOARDS.map((d) => d.uid).sort());
    for (const d of DASHBOARDS)
      assert.deepEqual(
        dashboards.find((x) => x.uid === d.uid),
        grafanaDashboard(d),
      );

    // Its data in the monitor's data directory; anonymous access and phoning home off.
    assert.equal(hostPath(grafana.volumes, setting("data")), w.dataDirs.grafana);
    for (const [key, value] of [
      ["enabled", "false"],
      ["reporting_enabled", "false"],
      ["check_for_updates", "false"],
      ["allow_sign_up", "false"],
    ])
      assert.equal(setting(key), value, key);
  });

  test("its port is opened like Prometheus' API (the allowed CIDRs and the overlay), on the host's network", async () => {
    const w = await render(true);
    const ports = w.ports.filter((p) => p.exposure === "rpc").map((p) => p.port);
    assert.ok(ports.includes(GRAFANA_PORT));
    assert.equal(w.compose.services.grafana?.network_mode, w.compose.services.prometheus.network_mode);
  });

  test("without Grafana: no service, no file, no port, no password path", async () => {
    const w = await render(false);
    assert.equal(w.compose.services.grafana, undefined);
    assert.ok(!(w.files ?? []).some((f) => f.name.startsWith("grafana/")));
    assert.ok(!w.ports.some((p) => p.port === GRAFANA_PORT));
    assert.equal(w.grafanaPasswordPath, undefined);
  });
});
