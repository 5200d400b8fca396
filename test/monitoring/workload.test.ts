// A monitor's files from a plan with monitors (the drill's fleet spec with two monitors): the DNS servers and gateway
// endpoints it is given become probe targets, the DNS probe asks for the zone's SOA, and the down
// alerts of nodes, endpoints and DNS servers wait the spec's monitoring.downAfterSeconds.
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { parse, stringify } from "yaml";
import { loadCatalog } from "../../core/catalog/load";
import { parseFleetFile } from "../../core/fleet-spec/parse";
import { resolveFleet } from "../../core/fleet-spec/resolve";
import { renderMonitorWorkload } from "../../core/monitoring";
import { planFleet } from "../../core/planner/plan";
import { monitoredDns } from "../../program/access";

const SPEC_FILE = "test/e2e/drill-fleet.yaml";
const MONITORING = {
  count: 2,
  sites: ["baremetal/sov-h4", "baremetal/sov-h5"],
  scrapeIntervalSeconds: 2,
  downAfterSeconds: 6,
  groupWaitSeconds: 1,
  groupIntervalSeconds: 5,
};

async function drillMonitorFiles(dns?: { zone: string; servers: string[] }) {
  const catalog = loadCatalog();
  // The drill's fleet with two monitors, one beside a node on each of two operators.
  const specFile = join(mkdtempSync(join(tmpdir(), "sovereign-monitor-workload-")), "fleet.yaml");
  writeFileSync(
    specFile,
    `${readFileSync(join(__dirname, "../..", SPEC_FILE), "utf8")}\n${stringify({ monitoring: MONITORING })}`,
  );
  const spec = parseFleetFile(specFile);
  const plan = await planFleet(resolveFleet(spec, catalog, SPEC_FILE), catalog);
  const machines = [...plan.nodes, ...plan.gateways];
  const addresses = Object.fromEntries(machines.map((m, i) => [m.id, { address: `100.72.0.${i + 2}` }]));
  const monitors = ["100.72.0.100", "100.72.0.101"];
  const w = renderMonitorWorkload({
    monitor: plan.monitors![0],
    plan,
    catalog,
    policy: spec.policy,
    addresses,
    self: monitors[0],
    monitors,
    receivers: [{ type: "webhook", name: "ops" }],
    endpoints: ["http://203.0.113.8/devnet/local"],
    ...(dns ? { dns } : {}),
  });
  const file = (name: string) => (w.files ?? []).find((f) => f.name === name)!.content;
  return { spec, file };
}

test("a monitor probes the DNS servers it is given for the zone's SOA, and the gateway endpoints", async () => {
  const { file } = await drillMonitorFiles({ zone: "rpc.example.org", servers: ["203.0.113.53:53"] });
  assert.deepEqual(JSON.parse(file("targets/dns-probe.json")), [
    { targets: ["203.0.113.53:53"], labels: { server: "203.0.113.53:53" } },
  ]);
  assert.deepEqual(
    JSON.parse(file("targets/rpc-probe.json")).map((g: { targets: string[] }) => g.targets),
    [["http://203.0.113.8/devnet/local"]],
  );
  const blackbox = parse(file("blackbox.yml"));
  assert.equal(blackbox.modules.dns_soa.dns.query_name, "rpc.example.org");
});

test("every monitor sends its alerts without its own label, so the Alertmanager cluster sees one alert", async () => {
  const { file } = await drillMonitorFiles();
  const prometheus = parse(file("prometheus.yml"));
  assert.equal(prometheus.global.external_labels.monitor, "monitor-sov-h4-1", "series keep which monitor scraped them");
  assert.deepEqual(prometheus.alerting.alert_relabel_configs, [{ action: "labeldrop", regex: "monitor" }]);
});

test("without DNS servers nothing is probed for DNS", async () => {
  const { file } = await drillMonitorFiles();
  assert.deepEqual(JSON.parse(file("targets/dns-probe.json")), []);
});

test("node, endpoint and DNS down alerts wait monitoring.downAfterSeconds", async () => {
  const { spec, file } = await drillMonitorFiles();
  const rules = parse(file("rules.yml")) as { groups: Array<{ rules: Array<{ alert?: string; for?: string }> }> };
  const waits = Object.fromEntries(
    rules.groups
      .flatMap((g) => g.rules)
      .filter((r) => ["SovereignNodeDown", "SovereignEndpointDown", "SovereignDnsNotAnswering"].includes(r.alert ?? ""))
      .map((r) => [r.alert, r.for]),
  );
  const wait = `${spec.monitoring!.downAfterSeconds}s`;
  assert.notEqual(wait, "120s", "the drill's spec sets its own downAfterSeconds");
  assert.deepEqual(waits, {
    SovereignNodeDown: wait,
    SovereignEndpointDown: wait,
    SovereignDnsNotAnswering: wait,
  });
});

test("the program gives the monitors sovereign:dns's self-hosted servers (port 53 unless set), no others", () => {
  const server = (name: string, address: string, port?: number) => ({
    name,
    operator: name,
    address,
    ...(port ? { port } : {}),
    ssh: { user: "root", port: 22 },
  });
  assert.deepEqual(
    monitoredDns({
      hostname: "rpc.example.org",
      selfHosted: {
        zone: "example.org",
        servers: [server("ns1", "203.0.113.53"), server("ns2", "198.51.100.53", 5353)],
      },
    } as Parameters<typeof monitoredDns>[0]),
    { zone: "example.org", servers: ["203.0.113.53:53", "198.51.100.53:5353"] },
  );
  assert.equal(
    monitoredDns({ hostname: "rpc.example.org", route53: { zoneId: "Z1" } } as Parameters<typeof monitoredDns>[0]),
    undefined,
  );
  assert.equal(monitoredDns(undefined), undefined);
});
