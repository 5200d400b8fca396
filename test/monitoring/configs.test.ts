/** The rendered prometheus.yml, blackbox.yml, targets and alertmanager.yml through Prometheus' own checkers. */
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import {
  AlertReceiver,
  fillSecrets,
  renderAlertmanagerConfig,
  renderBlackboxConfig,
  renderPrometheusConfig,
  renderRules,
  renderTargets,
  receiverSecrets,
} from "../../core/monitoring";
import { examplePlan } from "./fixture";
import { run, tempDir } from "./promtool";

/** Overlay-like loopback addresses for every machine of the plan. */
function addressesOf(ids: string[]) {
  return Object.fromEntries(ids.map((id, i) => [id, { address: `127.0.1.${i + 1}` }]));
}

test("prometheus.yml with its rule file and file_sd targets passes promtool check config", async () => {
  const ex = await examplePlan();
  const dir = tempDir();
  const targets = renderTargets({
    ...ex,
    addresses: addressesOf([...ex.plan.nodes.map((n) => n.id), ...ex.plan.gateways.map((g) => g.id)]),
    endpoints: ["https://rpc.example.org", "https://gateway-1.rpc.example.org"],
    dnsServers: ["ns1.example.org:53"],
  });
  for (const [job, groups] of Object.entries(targets)) writeFileSync(join(dir, `${job}.json`), JSON.stringify(groups));
  writeFileSync(join(dir, "rules.yml"), renderRules(ex));
  writeFileSync(
    join(dir, "prometheus.yml"),
    renderPrometheusConfig({
      targetsDir: dir,
      ruleFiles: [join(dir, "rules.yml")],
      alertmanagers: ["127.0.0.1:9093"],
      blackbox: "127.0.0.1:9115",
      externalLabels: { monitor: "monitor-1", fleet: "example" },
      replicaLabel: "monitor",
    }),
  );
  const result = run("promtool", ["check", "config", join(dir, "prometheus.yml")]);
  assert.equal(result.code, 0, result.output);
  assert.match(result.output, /SUCCESS: 1 rule files found/);
  // Every client with a metrics port in the catalog is scraped; bitcoind has none and is not.
  const clientTargets = JSON.parse(readFileSync(join(dir, "client.json"), "utf8")) as Array<{
    labels: Record<string, string>;
  }>;
  const ethereumClients = ex.plan.nodes.filter((n) => n.chain === "ethereum").length * 2;
  assert.equal(clientTargets.length, ethereumClients);
  assert.ok(clientTargets.every((t) => t.labels.operator && t.labels.region && t.labels.jurisdiction && t.labels.node));
  // Nodes without metrics (bitcoind) are probed on their RPC port instead.
  const probes = JSON.parse(readFileSync(join(dir, "node-probe.json"), "utf8")) as Array<{
    targets: string[];
    labels: Record<string, string>;
  }>;
  const bitcoin = ex.plan.nodes
    .filter((n) => n.chain === "bitcoin")
    .map((n) => n.id)
    .sort();
  assert.deepEqual(probes.map((p) => p.labels.node).sort(), bitcoin);
  const rpcPort = ex.catalog.clients.get("bitcoind")!.ports.find((p) => p.name === "rpc")!.port;
  assert.ok(probes.every((p) => p.targets[0].endsWith(`:${rpcPort}`)));
  // Nodes sharing a bare-metal host share its node_exporter.
  const machines = (
    JSON.parse(readFileSync(join(dir, "node.json"), "utf8")) as Array<{ labels: { machine: string } }>
  ).map((t) => t.labels.machine);
  assert.equal(new Set(machines).size, machines.length);
});

test("a machine without an overlay address is an error naming it", async () => {
  const ex = await examplePlan();
  assert.throws(
    () => renderTargets({ ...ex, addresses: {} }),
    new RegExp(`no overlay address for ${ex.plan.nodes[0].id}`),
  );
});

test("blackbox.yml passes blackbox_exporter's config check", () => {
  const file = join(tempDir(), "blackbox.yml");
  writeFileSync(file, renderBlackboxConfig("rpc.example.org"));
  const result = run("prometheus-blackbox-exporter", [`--config.file=${file}`, "--config.check"]);
  assert.equal(result.code, 0, result.output);
});

const RECEIVERS = [
  { type: "webhook", name: "ops-hook" },
  {
    type: "email",
    name: "ops-mail",
    to: "ops@example.org",
    from: "alerts@example.org",
    smarthost: "smtp.example.org:587",
    username: "alerts",
  },
  { type: "slack", name: "ops-slack", channel: "#ops" },
  { type: "pagerduty", name: "ops-pager" },
].map((r) => AlertReceiver.parse(r));

/** A value for every receiver's secret; the email password holds characters YAML would misread unquoted. */
const filledSecrets = () =>
  Object.fromEntries(
    RECEIVERS.map((r) => [
      receiverSecrets(r),
      r.type === "email"
        ? "s3cr3t: #with yaml chars"
        : r.type === "pagerduty"
          ? "0123456789abcdef"
          : "https://hooks.example.org/x",
    ]),
  );

test("alertmanager.yml with every receiver type, secrets filled, passes amtool check-config", () => {
  const rendered = renderAlertmanagerConfig(RECEIVERS);
  assert.doesNotMatch(rendered, /hooks\.example|s3cr3t/);
  const secrets = filledSecrets();
  const filled = fillSecrets(rendered, secrets);
  assert.match(filled, /s3cr3t: #with yaml chars/);
  const file = join(tempDir(), "alertmanager.yml");
  writeFileSync(file, filled);
  const result = run("amtool", ["check-config", file]);
  assert.equal(result.code, 0, result.output);
  assert.match(result.output, /SUCCESS/);
  assert.match(result.output, /5 receivers/);
});

test("every receiver gets each alert once, sovereignty breaches included (amtool config routes test)", () => {
  const file = join(tempDir(), "alertmanager.yml");
  writeFileSync(file, fillSecrets(renderAlertmanagerConfig(RECEIVERS), filledSecrets()));
  const names = RECEIVERS.map((r) => r.name).join(",");
  for (const labels of [
    ["group=sovereignty", "alertname=SovereignShareAboveCap"],
    ["group=node", "alertname=SovereignNodeDown"],
  ]) {
    const result = run("amtool", [
      "config",
      "routes",
      "test",
      `--config.file=${file}`,
      `--verify.receivers=${names}`,
      ...labels,
    ]);
    assert.equal(result.code, 0, result.output);
    assert.equal(result.output.split("\n")[0], names);
  }
});

test("a missing secret and two receivers of one name are errors naming them", () => {
  assert.throws(() => fillSecrets(renderAlertmanagerConfig(RECEIVERS), {}), /no value for secret ops-hook-url/);
  assert.throws(() => renderAlertmanagerConfig([RECEIVERS[0], RECEIVERS[0]]), /two receivers named ops-hook/);
  assert.throws(() => AlertReceiver.parse({ type: "slack", name: "Bad Name", channel: "#ops" }), /receiver name/);
});
