/** The pure parts of plan versus reality: node states, live policy checks, version numbers. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { alternativesIn } from "../../core/catalog/load";
import { compareVersions } from "../../core/catalog/upgrades";
import { evaluatePolicy } from "../../core/diversity";
import { fleetStatus, livePolicyChecks } from "../../core/monitoring";
import { versionNumber } from "../../core/monitoring/plan-series";
import { examplePlan } from "./fixture";

test("a node without data is unknown, never live: its chain's checks count it out", async () => {
  const ex = await examplePlan();
  const eth = ex.plan.nodes.filter((n) => n.chain === "ethereum");
  const [silent, ...rest] = eth;
  const up = rest.flatMap((n) => Object.keys(n.clients).map((layer) => ({ node: n.id, layer, value: 1 })));
  const status = fleetStatus(ex.policy, eth, alternativesIn(ex.catalog), { up, heads: [], alerts: [] });
  assert.equal(status.nodes.find((n) => n.id === silent.id)?.state, "unknown");
  assert.ok(status.nodes.filter((n) => n.id !== silent.id).every((n) => n.state === "up"));
  // The verdict is the policy over the nodes seen live, exactly as evaluatePolicy judges them.
  const seen = evaluatePolicy(ex.policy, rest, alternativesIn(ex.catalog));
  assert.equal(
    status.ok,
    seen.every((c) => c.ok),
  );
  assert.equal(status.checks.find((c) => c.rule === "survive.minNodes")?.actual, rest.length);
});

test("a node with one client layer not answering is down", async () => {
  const ex = await examplePlan();
  const node = ex.plan.nodes.find((n) => Object.keys(n.clients).length === 2)!;
  const [first, second] = Object.keys(node.clients);
  const up = [
    { node: node.id, layer: first, value: 1 },
    { node: node.id, layer: second, value: 0 },
  ];
  const status = fleetStatus(ex.policy, [node], alternativesIn(ex.catalog), { up, heads: [], alerts: [] });
  assert.equal(status.nodes[0].state, "down");
});

test("a chain with no live node breaks survive.minNodes and minOperators (evaluatePolicy alone does not see it)", async () => {
  const ex = await examplePlan();
  const checks = livePolicyChecks(ex.policy, ex.plan.nodes, new Set(), alternativesIn(ex.catalog));
  for (const chain of new Set(ex.plan.nodes.map((n) => n.chainKey))) {
    const broken = checks.filter((c) => c.scope === chain && !c.ok).map((c) => c.rule);
    assert.deepEqual(broken.sort(), ["minOperators", "survive.minNodes"]);
  }
});

test("versionNumber orders like compareVersions, and refuses what it cannot order", () => {
  const versions = ["1.16.7", "1.17.10", "1.101603.5", "25.11.0", "2.2.1", "1.9", "8", "0.0.1", "26.10.2", "1.16.10"];
  for (const a of versions) {
    for (const b of versions) {
      assert.equal(Math.sign(versionNumber(a)! - versionNumber(b)!), Math.sign(compareVersions(a, b)), `${a} vs ${b}`);
    }
  }
  assert.equal(versionNumber("1.2.3.4"), undefined);
  assert.equal(versionNumber("1.1000000.0"), undefined);
});
