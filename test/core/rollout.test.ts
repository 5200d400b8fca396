/**
 * Rolling upgrades planned (core/rollout): the spec's `rollout` with field-named errors, waves
 * (canary first, one operator at a time, at most maxUnavailable each), the check against `survive`
 * with its numbers, and through the planner; property tests that no wave takes more down than
 * allowed and that an accepted rollout keeps `survive` in every wave.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { SpecError } from "../../core/errors";
import { validateFleetObject } from "../../core/fleet-spec/parse";
import { planFleet } from "../../core/planner/plan";
import {
  allowedUnavailable,
  chainRollout,
  chainWaves,
  rolloutChecks,
  survivalProblem,
  type RolloutNode,
} from "../../core/rollout";
import { catalog, fleetOf } from "./helpers";

const node = (id: string, operator: string, region = operator): RolloutNode => ({
  id,
  chainKey: "ethereum/mainnet",
  operator,
  region,
});

/** A bare-metal fleet of `hosts` (name, operator) with one devnet chain entry of `count` nodes. */
const devnetSpec = (hosts: [string, string][], count: number, extra: Record<string, unknown> = {}) => ({
  name: "roll",
  chains: [{ chain: "devnet", count, ...(extra.chain as object) }],
  sites: {
    baremetal: {
      hosts: hosts.map(([name, operator]) => ({
        ...{ name, address: `10.0.0.${hosts.findIndex(([h]) => h === name) + 1}`, operator, country: "DE" },
        ...{ monthlyUsd: 40, cpu: 4, memoryGb: 8, diskGb: 100, maxNodes: 1 },
      })),
    },
  },
  ...Object.fromEntries(Object.entries(extra).filter(([k]) => k !== "chain")),
});

describe("spec: rollout", () => {
  test("fleet-wide and per chain entry, every field optional", () => {
    const spec = validateFleetObject(
      devnetSpec([["a", "x"]], 1, {
        rollout: { maxUnavailable: 2, soakSeconds: 10, onFailure: "rollback" },
        chain: { rollout: { canary: false } },
      }),
    );
    assert.deepEqual(spec.rollout, { maxUnavailable: 2, soakSeconds: 10, onFailure: "rollback" });
    assert.deepEqual(spec.chains[0].rollout, { canary: false });
  });

  test("bad values name their field", () => {
    const bad = (extra: Record<string, unknown>, path: string, message: RegExp) => {
      let problems: SpecError["problems"] = [];
      assert.throws(
        () => validateFleetObject(devnetSpec([["a", "x"]], 1, extra)),
        (err: unknown) => err instanceof SpecError && (problems = err.problems).length > 0,
      );
      const p = problems.find((q) => q.path === path);
      assert.ok(p, `${path} in ${JSON.stringify(problems)}`);
      assert.match(p.message, message);
    };
    bad({ rollout: { maxUnavailable: 0 } }, "rollout.maxUnavailable", /at least 1/);
    bad({ rollout: { onFailure: "pray" } }, "rollout.onFailure", /stop|rollback/);
    bad({ rollout: { soakSeconds: -1 } }, "rollout.soakSeconds", /negative/);
    bad({ chain: { rollout: { timeoutSeconds: 1 } } }, "chains[0].rollout.timeoutSeconds", /at least 10/);
    bad({ rollout: { surge: 1 } }, "rollout.surge", /unknown field .*maxUnavailable/);
  });
});

describe("waves", () => {
  const nodes = [node("a1", "a"), node("a2", "a"), node("a3", "a"), node("b1", "b"), node("c1", "c")];

  test("canary alone first, then one operator at a time, at most maxUnavailable per wave", () => {
    assert.deepEqual(
      chainWaves(nodes, 2, true).map((w) => [w.wave, w.canary, w.operator, w.nodes]),
      [
        [1, true, "a", ["a1"]],
        [2, false, "a", ["a2", "a3"]],
        [3, false, "b", ["b1"]],
        [4, false, "c", ["c1"]],
      ],
    );
    assert.deepEqual(
      chainWaves(nodes, 2, false).map((w) => w.nodes),
      [["a1", "a2"], ["a3"], ["b1"], ["c1"]],
    );
  });

  test("survive: the numbers of the loss that breaks it", () => {
    const survive = { operatorLoss: 1, regionLoss: 0, minNodes: 1 };
    assert.equal(survivalProblem(nodes, new Set(["b1"]), survive), undefined);
    assert.equal(
      survivalProblem(nodes, new Set(["b1", "c1"]), survive),
      "3 node(s) would serve; then losing operator a (3 of them) leaves 0, below survive.minNodes 1",
    );
    assert.match(survivalProblem([node("x", "x")], new Set(["x"]), undefined)!, /no node of the chain's 1/);
  });

  test("the allowed number follows the rule", () => {
    const even = [node("a1", "a"), node("a2", "a"), node("b1", "b"), node("b2", "b"), node("c1", "c"), node("c2", "c")];
    assert.equal(allowedUnavailable(even, true, { operatorLoss: 1, regionLoss: 0, minNodes: 2 }), 2);
    assert.equal(allowedUnavailable(even, true, { operatorLoss: 1, regionLoss: 0, minNodes: 3 }), 1);
    assert.equal(allowedUnavailable(even, true, { operatorLoss: 1, regionLoss: 0, minNodes: 4 }), 0);
    assert.equal(allowedUnavailable(even, true, undefined), 2, "without survive: one operator at a time");
  });

  test("property: every node once, one operator per wave, none larger than maxUnavailable or the allowed", () => {
    const arb = fc.record({
      operators: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 5 }),
      k: fc.integer({ min: 1, max: 6 }),
      canary: fc.boolean(),
      survive: fc.option(
        fc.record({
          operatorLoss: fc.constantFrom(0, 1),
          regionLoss: fc.constantFrom(0, 1),
          minNodes: fc.integer({ min: 1, max: 6 }),
        }),
        { nil: undefined },
      ),
    });
    fc.assert(
      fc.property(arb, ({ operators, k, canary, survive }) => {
        const ns = operators.flatMap((count, o) =>
          Array.from({ length: count }, (_, i) => node(`n${o}-${i}`, `op${o}`, `r${(o + i) % 2}`)),
        );
        const settings = { maxUnavailable: k, canary, maxLagBlocks: 5, soakSeconds: 0, timeoutSeconds: 60 };
        const r = chainRollout(ns, { ...settings, onFailure: "stop" }, survive);
        const ids = r.waves.flatMap((w) => w.nodes);
        assert.deepEqual([...ids].sort(), ns.map((n) => n.id).sort(), "every node in exactly one wave");
        for (const w of r.waves) {
          assert.ok(w.nodes.length >= 1 && w.nodes.length <= k, `wave ${w.wave} within maxUnavailable`);
          if (r.allowed > 0) assert.ok(w.nodes.length <= r.allowed, `wave ${w.wave} within the allowed`);
          assert.equal(new Set(w.nodes.map((id) => ns.find((n) => n.id === id)!.operator)).size, 1);
          assert.ok(w.nodes.every((id) => ns.find((n) => n.id === id)!.operator === w.operator));
          // An accepted rollout keeps survive (and a serving node) in every wave.
          if (r.allowed > 0) assert.equal(survivalProblem(ns, new Set(w.nodes), survive), undefined);
        }
        if (canary && ns.length > 1) assert.equal(r.waves[0].nodes.length, 1);
      }),
      { numRuns: 500 },
    );
  });
});

describe("the planner checks and shows the rollout", () => {
  const hosts: [string, string][] = [
    ["h1", "alpha"],
    ["h2", "alpha"],
    ["h3", "beta"],
    ["h4", "beta"],
    ["h5", "gamma"],
    ["h6", "gamma"],
  ];
  const survive = { policy: { survive: { operatorLoss: 1, minNodes: 3 } } };

  test("a maxUnavailable survive cannot take is a breach naming the field, the numbers and the fix", () => {
    const fleet = fleetOf(devnetSpec(hosts, 6, { ...survive, rollout: { maxUnavailable: 2, canary: false } }));
    const nodes = hosts.map(([h, op]) => ({ ...node(`devnet-${h}`, op), chainKey: "devnet/local" }));
    const [check] = rolloutChecks(fleet, nodes);
    assert.equal(check.ok, false);
    assert.equal(check.limit, 1);
    assert.equal(check.actual, 2);
    assert.equal(
      check.message,
      "rollout.maxUnavailable 2: wave 1 takes 2 of devnet/local's 6 nodes down (devnet-h1, devnet-h2): 4 node(s) would serve; then losing operator beta (2 of them) leaves 2, below survive.minNodes 3; set rollout.maxUnavailable to at most 1",
    );
  });

  test("planFleet: waves in the plan, the check in its policy; a chain entry overrides the fleet", async () => {
    const cat = catalog();
    const ok = await planFleet(fleetOf(devnetSpec(hosts, 6, { ...survive, rollout: { soakSeconds: 5 } })), cat);
    const rollout = ok.rollout!["devnet/local"];
    assert.equal(rollout.settings.soakSeconds, 5);
    assert.equal(rollout.settings.maxUnavailable, 1);
    assert.equal(rollout.waves.length, 6);
    assert.ok(rollout.waves[0].canary);
    assert.ok(ok.policy.satisfied);
    const refused = await planFleet(
      fleetOf(devnetSpec(hosts, 6, { ...survive, chain: { rollout: { maxUnavailable: 3 } } })),
      cat,
    );
    assert.equal(refused.policy.satisfied, false);
    const check = refused.policy.checks.find((c) => c.rule === "rollout.maxUnavailable")!;
    assert.match(
      check.message,
      /^chains\[0\]\.rollout\.maxUnavailable 3: .* set chains\[0\]\.rollout\.maxUnavailable to at most 1$/,
    );
  });

  test("a one-node chain cannot roll without an outage: a warning, not a breach", async () => {
    const plan = await planFleet(fleetOf(devnetSpec([["h1", "alpha"]], 1)), catalog());
    const check = plan.policy.checks.find((c) => c.rule === "rollout.maxUnavailable")!;
    assert.equal(check.ok, true);
    assert.equal(check.status, "warn");
    assert.match(check.message, /no node of the chain's 1 would serve/);
  });
});
