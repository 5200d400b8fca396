/**
 * The alert rules under `promtool test rules`: every alert once firing and once not, on input
 * series written here; and the sovereignty rules against evaluatePolicy (core/diversity, the
 * planner's checks) on every subset of live nodes of the example plan: PromQL and the planner must
 * agree on which chain breaks which rule.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { alternativesIn } from "../../core/catalog/load";
import type { PlannedNode } from "../../core/plan";
import { livePolicyChecks, nodeLabels, renderRules } from "../../core/monitoring";
import { CLIENT_METRICS } from "../../core/monitoring/client-metrics";
import { examplePlan, type Example } from "./fixture";
import { promtoolTestRules, run, series, tempDir, type PromtoolTest } from "./promtool";

const ALERT_MINUTES = 90;

/** `up` of every client target of `nodes`: 1 for the live ones, 0 for the rest. */
function upSeries(nodes: readonly PlannedNode[], live: (n: PlannedNode) => boolean, minutes = ALERT_MINUTES) {
  return nodes.flatMap((n) =>
    Object.entries(n.clients).map(([layer, client]) => ({
      series: series("up", { job: "client", ...nodeLabels(n), layer, client }),
      values: `${live(n) ? 1 : 0}x${minutes}`,
    })),
  );
}

/** The firing instances of `alert`, by the labels given: a test expects them, or none. */
function expectAlert(alert: string, by: string[], at: string, fires: Array<Record<string, string>>) {
  return {
    expr: `group by (${["alertname", ...by].join(", ")}) (ALERTS{alertname="${alert}", alertstate="firing"})`,
    eval_time: at,
    exp_samples: fires.map((labels) => ({ labels: series("", { alertname: alert, ...labels }).slice(0), value: 1 })),
  };
}

function twoCases(
  name: string,
  alert: string,
  by: string[],
  at: string,
  firing: { input: PromtoolTest["input_series"]; labels: Record<string, string> },
  quiet: PromtoolTest["input_series"],
): PromtoolTest[] {
  return [
    {
      name: `${name} fires`,
      interval: "1m",
      input_series: firing.input,
      promql_expr_test: [expectAlert(alert, by, at, [firing.labels])],
    },
    {
      name: `${name} stays quiet`,
      interval: "1m",
      input_series: quiet,
      promql_expr_test: [expectAlert(alert, by, at, [])],
    },
  ];
}

function nodeTests(ex: Example): PromtoolTest[] {
  const [a, b] = ex.plan.nodes.filter((n) => n.clients.execution === "reth");
  const allUp = upSeries(ex.plan.nodes, () => true);
  const btc = ex.plan.nodes.find((n) => n.chain === "bitcoin")!;
  const probed = (n: PlannedNode, values: string) => ({
    series: series("probe_success", { job: "node-probe", ...nodeLabels(n), layer: "node", client: "bitcoind" }),
    values,
  });
  const rethLabels = (n: PlannedNode) => ({
    job: "client",
    ...nodeLabels(n),
    layer: "execution",
    client: "reth",
    rpc_layer: "true",
  });
  const head = (n: PlannedNode, values: string) => ({
    series: series(CLIENT_METRICS.reth.head, rethLabels(n)),
    values,
  });
  const peers = (n: PlannedNode, values: string) => ({
    series: series(CLIENT_METRICS.reth.peers, rethLabels(n)),
    values,
  });
  const disk = (values: string) => ({
    series: series("node_filesystem_avail_bytes", { job: "node", machine: a.id, mountpoint: "/data", fstype: "ext4" }),
    values,
  });
  return [
    ...twoCases(
      "node down",
      "SovereignNodeDown",
      ["node"],
      "5m",
      { input: upSeries(ex.plan.nodes, (n) => n !== a), labels: { node: a.id } },
      allUp,
    ),
    // A node without metrics endpoint is down when its RPC port stops answering the TCP probe.
    ...twoCases(
      "probed node down",
      "SovereignNodeDown",
      ["node"],
      "5m",
      { input: [...allUp, probed(btc, "0x10")], labels: { node: btc.id } },
      [...allUp, probed(btc, "1x10")],
    ),
    // a gains a block a minute; b stays 10 blocks behind (above the gateways' 5), or 3 (below).
    ...twoCases(
      "node behind",
      "SovereignNodeBehind",
      ["node"],
      "10m",
      { input: [...allUp, head(a, "100+1x20"), head(b, "90+1x20")], labels: { node: b.id } },
      [...allUp, head(a, "100+1x20"), head(b, "97+1x20")],
    ),
    ...twoCases(
      "head stuck",
      "SovereignNodeHeadStuck",
      ["node"],
      "20m",
      { input: [...allUp, head(a, "100x30")], labels: { node: a.id } },
      [...allUp, head(a, "100+1x30")],
    ),
    ...twoCases(
      "peers low",
      "SovereignNodePeersLow",
      ["node"],
      "15m",
      { input: [...allUp, peers(a, "1x20")], labels: { node: a.id } },
      [...allUp, peers(a, "25x20")],
    ),
    // 100 GB free losing 1 GB every 10 minutes runs out within a day; a steady disk does not.
    ...twoCases(
      "disk full in 24h",
      "SovereignDiskFullIn24h",
      ["machine"],
      "60m",
      { input: [disk("100000000000-100000000x90")], labels: { machine: a.id } },
      [disk("100000000000x90")],
    ),
  ];
}

function accessTests(): PromtoolTest[] {
  const probe = (job: string, labels: Record<string, string>, name: string, values: string) => ({
    series: series(name, { job, ...labels }),
    values,
  });
  const endpoint = { endpoint: "https://rpc.example.org" };
  const responses = (code: string, values: string) =>
    probe("haproxy", { gateway: "gateway-1", code }, "haproxy_frontend_http_responses_total", values);
  const disputes = (values: string) =>
    probe("erpc", { gateway: "gateway-1", upstream: "node-c" }, "erpc_consensus_misbehavior_detected_total", values);
  const noQuorum = (error: string, values: string) =>
    probe("erpc", { gateway: "gateway-1", error }, "erpc_consensus_errors_total", values);
  return [
    // 10 of 110 responses a minute are 5xx (9%, above 5%), or 1 of 101 (1%).
    ...twoCases(
      "gateway 5xx",
      "SovereignGateway5xx",
      ["gateway"],
      "15m",
      { input: [responses("2xx", "0+100x20"), responses("5xx", "0+10x20")], labels: { gateway: "gateway-1" } },
      [responses("2xx", "0+100x20"), responses("5xx", "0+1x20")],
    ),
    // A node whose answers differ from the agreed ones (integrity reads), or none.
    ...twoCases(
      "integrity dispute",
      "SovereignIntegrityDispute",
      ["gateway", "upstream"],
      "5m",
      { input: [disputes("0+2x10")], labels: { gateway: "gateway-1", upstream: "node-c" } },
      [disputes("0x10")],
    ),
    ...twoCases(
      "integrity reads without quorum",
      "SovereignIntegrityNoQuorum",
      ["gateway"],
      "5m",
      { input: [noQuorum("low_participants", "0+5x10")], labels: { gateway: "gateway-1" } },
      [noQuorum("low_participants", "0x10"), noQuorum("agreed_error", "0+5x10")],
    ),
    ...twoCases(
      "endpoint down",
      "SovereignEndpointDown",
      ["endpoint"],
      "5m",
      { input: [probe("rpc-probe", endpoint, "probe_success", "0x10")], labels: endpoint },
      [probe("rpc-probe", endpoint, "probe_success", "1x10")],
    ),
    // promtool's clock starts at 0: expiry 10 days from then (within 14), or 30 days.
    ...twoCases(
      "certificate expiring",
      "SovereignCertificateExpiring",
      ["endpoint"],
      "1m",
      { input: [probe("rpc-probe", endpoint, "probe_ssl_earliest_cert_expiry", `${10 * 86400}x5`)], labels: endpoint },
      [probe("rpc-probe", endpoint, "probe_ssl_earliest_cert_expiry", `${30 * 86400}x5`)],
    ),
    ...twoCases(
      "dns not answering",
      "SovereignDnsNotAnswering",
      ["server"],
      "5m",
      {
        input: [probe("dns-probe", { server: "ns1.example.org" }, "probe_success", "0x10")],
        labels: { server: "ns1.example.org" },
      },
      [probe("dns-probe", { server: "ns1.example.org" }, "probe_success", "1x10")],
    ),
  ];
}

/** An upgrade of the example's Ethereum chain at `days` after promtool's time 0, with reth's minimum at `minimum`. */
function withUpgrade(ex: Example, days: number, minimum: string): Example {
  const activatesAt = new Date(days * 86_400_000).toISOString();
  const upgrade = {
    chain: "ethereum",
    network: "mainnet",
    name: "Test",
    activatesAt,
    minimums: { reth: minimum },
    source: "test",
    asOf: "2026-12-07",
  };
  return { ...ex, catalog: { ...ex.catalog, upgrades: [upgrade] } };
}

test("every node and access alert fires on its input series and stays quiet on healthy ones (promtool test rules)", async () => {
  const ex = await examplePlan();
  const result = promtoolTestRules(renderRules(ex), [...nodeTests(ex), ...accessTests()]);
  assert.equal(result.code, 0, result.output);
  assert.match(result.output, /SUCCESS/);
});

test("a client below the next upgrade's minimum alerts 14 days ahead, not 45 days ahead nor when it is new enough", async () => {
  const ex = await examplePlan();
  const rethNodes = ex.plan.nodes.filter((n) => n.clients.execution === "reth").map((n) => ({ node: n.id }));
  const at = (ahead: Example, fires: Array<Record<string, string>>) =>
    promtoolTestRules(renderRules(ahead), [
      {
        name: "upgrade",
        interval: "1m",
        input_series: [],
        promql_expr_test: [expectAlert("SovereignClientBelowUpgradeMinimum", ["node"], "1m", fires)],
      },
    ]);
  const firing = at(withUpgrade(ex, 10, "999.0.0"), rethNodes);
  assert.equal(firing.code, 0, firing.output);
  const far = at(withUpgrade(ex, 45, "999.0.0"), []);
  assert.equal(far.code, 0, far.output);
  const ready = at(withUpgrade(ex, 10, "0.1.0"), []);
  assert.equal(ready.code, 0, ready.output);
});

test("a wrong expectation fails promtool (the harness can fail)", async () => {
  const ex = await examplePlan();
  const result = promtoolTestRules(renderRules(ex), [
    {
      name: "all up, yet a node down expected",
      interval: "1m",
      input_series: upSeries(ex.plan.nodes, () => true),
      promql_expr_test: [expectAlert("SovereignNodeDown", ["node"], "5m", [{ node: ex.plan.nodes[0].id }])],
    },
  ]);
  assert.notEqual(result.code, 0);
});

/** Which (chain, rule) pairs break over the live nodes, as evaluatePolicy decides, in the alerts' terms. */
function expectedBreaches(ex: Example, live: ReadonlySet<string>): Array<Record<string, string>> {
  const checks = livePolicyChecks(ex.policy, ex.plan.nodes, live, alternativesIn(ex.catalog));
  const below = new Set(checks.filter((c) => c.rule === "survive.minNodes" && !c.ok).map((c) => c.scope));
  return (
    checks
      .filter((c) => !c.ok)
      // A chain already below minNodes alerts as such; "one outage from breach" is for chains still above it.
      .filter((c) => !(c.rule.startsWith("survive.") && c.rule !== "survive.minNodes" && below.has(c.scope)))
      .map((c) => ({ chain: c.scope, rule: c.rule }))
  );
}

/**
 * Live sets: every subset of each chain's nodes, with the other chains all up and, to catch a rule
 * that mixes chains, with one node of every other chain down as well.
 */
function liveSets(nodes: readonly PlannedNode[]): Array<Set<string>> {
  const sets: Array<Set<string>> = [];
  const chains = [...new Set(nodes.map((n) => n.chainKey))];
  for (const chain of chains) {
    const own = nodes.filter((n) => n.chainKey === chain);
    const others = nodes.filter((n) => n.chainKey !== chain);
    const firstOfEachOther = new Set(
      chains.filter((c) => c !== chain).map((c) => others.find((n) => n.chainKey === c)!.id),
    );
    for (let mask = 0; mask < 2 ** own.length; mask++) {
      const ownLive = own.filter((_, i) => mask & (2 ** i)).map((n) => n.id);
      sets.push(new Set([...ownLive, ...others.map((n) => n.id)]));
      sets.push(new Set([...ownLive, ...others.filter((n) => !firstOfEachOther.has(n.id)).map((n) => n.id)]));
    }
  }
  return sets;
}

test("the sovereignty alerts agree with evaluatePolicy on every subset of each chain's live nodes", async () => {
  const ex = await examplePlan();
  const nodes = ex.plan.nodes;
  const sets = liveSets(nodes);
  const tests: PromtoolTest[] = sets.map((live) => ({
    name: `live: ${[...live].join(" ") || "none"}`,
    interval: "1m",
    input_series: upSeries(nodes, (n) => live.has(n.id), 2),
    promql_expr_test: [
      {
        expr: 'group by (chain, rule) (ALERTS{group="sovereignty", alertstate="firing"})',
        eval_time: "1m",
        exp_samples: expectedBreaches(ex, live).map((labels) => ({ labels: series("", labels), value: 1 })),
      },
    ],
  }));
  // The sets cover both verdicts and every rule the policy has.
  const breaches = sets.flatMap((live) => expectedBreaches(ex, live).map((b) => b.rule));
  assert.deepEqual([...new Set(breaches)].sort(), [
    "maxShare.client",
    "maxShare.jurisdiction",
    "maxShare.legal.cloudAct",
    "maxShare.operator",
    "maxShare.region",
    "minOperators",
    "survive.minNodes",
    "survive.operatorLoss",
  ]);
  assert.ok(sets.some((live) => expectedBreaches(ex, live).length === 0));
  const result = promtoolTestRules(renderRules(ex), tests);
  assert.equal(result.code, 0, result.output.slice(0, 4000));
});

test("the rule file passes promtool check rules (syntax, templates, no duplicate series)", async () => {
  const ex = await examplePlan();
  const file = join(tempDir(), "rules.yml");
  writeFileSync(file, renderRules(ex));
  const result = run("promtool", ["check", "rules", file]);
  assert.equal(result.code, 0, result.output);
  assert.match(result.output, /SUCCESS: \d+ rules found/);
});
