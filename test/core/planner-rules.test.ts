import { test } from "node:test";
import assert from "node:assert/strict";
import { alternativesIn } from "../../core/catalog/load";
import { InfeasibleError } from "../../core/errors";
import { candidatesFor } from "../../core/planner/candidates";
import { explainByRelaxing, obviousReasons, type Relaxation } from "../../core/planner/explain";
import type { RuleFamily } from "../../core/planner/limits";
import { portCliques } from "../../core/planner/model";
import { planFleet } from "../../core/planner/plan";
import { gridSpec } from "../../bench/grid";
import { catalog, fleetOf } from "./helpers";

const cat = catalog();
const host = (name: string, monthlyUsd: number) => ({
  name,
  address: `192.0.2.${name.length}`,
  operator: "hetzner",
  country: "DE",
  monthlyUsd,
  cpu: 8,
  memoryGb: 32,
  diskGb: 2000,
});

test("a budget of 150.125 keeps a plan costing exactly 150.125", async () => {
  const spec = {
    name: "t",
    chains: [{ chain: "bitcoin", count: 1 }],
    sites: { baremetal: { hosts: [host("h", 150.125)] } },
    policy: {},
    budget: { monthlyUsd: 150.125 },
  };
  const plan = await planFleet(fleetOf(spec), cat);
  assert.equal(plan.totals.monthlyUsd, 150.125);
  assert.equal(plan.policy.satisfied, true, plan.policy.checks.map((c) => c.message).join("; "));
  await assert.rejects(
    planFleet(fleetOf({ ...spec, budget: { monthlyUsd: 150.12 } }), cat),
    /budget\.monthlyUsd 150\.12 is below the cheapest plan that keeps every other rule: \$150\.125\/month/,
  );
});

test("reasons read off the spec carry their rule family as data", () => {
  const fleet = fleetOf({
    name: "t",
    chains: [
      { chain: "bitcoin", count: 4 },
      { chain: "xrpl", count: 1 },
    ],
    sites: { aws: { regions: ["us-east-1"] }, akash: {}, baremetal: { hosts: [{ ...host("h", 100), disk: "ssd" }] } },
    policy: { maxShare: { operator: 0.25 }, survive: { operatorLoss: 1, regionLoss: 0, minNodes: 4 } },
  });
  const reasons = obviousReasons(fleet, candidatesFor(fleet, cat), alternativesIn(cat));
  const family = (pattern: RegExp) => reasons.find((r) => pattern.test(r.text))?.family;
  assert.equal(family(/^survive\.operatorLoss with minNodes 4 allows at most 0 of bitcoin/), "survive");
  assert.equal(family(/^survive\.operatorLoss with minNodes 4 allows at most -3 of xrpl/), "survive");
  // Relaxed families are left out where the limits are computed, not by searching the text.
  const relaxed = obviousReasons(fleet, candidatesFor(fleet, cat), alternativesIn(cat), new Set(["survive"]));
  assert.deepEqual(
    relaxed.map((r) => r.family),
    ["maxShare.operator", "maxShare.operator"],
  );
  assert.match(
    relaxed[0].text,
    /^maxShare\.operator 0\.25 allows at most 1 of bitcoin\/mainnet's 4 nodes per operator, so it needs at least 4 operators/,
  );
  const misfit = fleetOf({
    name: "t",
    chains: [{ chain: "xrpl", count: 1 }],
    sites: { baremetal: { hosts: [{ ...host("h", 100), disk: "ssd" }] } },
    policy: {},
  });
  const [fit] = obviousReasons(misfit, candidatesFor(misfit, cat), alternativesIn(cat));
  assert.match(fit.text, /^chains\[0\] .* fits no allowed site/);
  assert.equal(fit.family, undefined, "no rule to loosen: the hardware does not fit");
});

test("the explanation does not solve for a family whose limits a kept rule already matches", async () => {
  // 4 nodes: survive minNodes 3 allows 1 per operator, the 0.5 cap 2: dropping the cap changes nothing.
  const fleet = fleetOf({
    name: "t",
    chains: [{ chain: "bitcoin", count: 4 }],
    sites: { aws: { regions: ["us-east-1"] }, akash: {} },
    policy: { maxShare: { operator: 0.5, region: 0.5 }, survive: { operatorLoss: 1, regionLoss: 0, minNodes: 3 } },
    budget: { monthlyUsd: 10 },
  });
  const solved: string[] = [];
  const solveWith = async (relaxed: ReadonlySet<RuleFamily>): Promise<Relaxation> => {
    solved.push([...relaxed].sort().join("+"));
    return relaxed.has("survive") ? { feasible: true, costUsd: 5 } : { feasible: false };
  };
  const reasons = await explainByRelaxing(fleet, () => true, new Set(), solveWith, { feasible: false });
  assert.deepEqual(
    solved,
    ["budget+maxShare.region", "budget+survive"],
    "no solve for the budget (known) or maxShare.operator (dominated)",
  );
  assert.deepEqual(
    reasons.map((r) => r.family),
    ["survive"],
  );
  assert.match(
    reasons[0].text,
    /^survive \(operatorLoss 1, minNodes 3\) cannot be kept together with the other rules; without it the cheapest plan costs \$5\.00\/month$/,
  );
});

test("groups sharing a P2P port form one clique; cliques inside another add nothing", () => {
  const fleet = fleetOf({
    name: "t",
    chains: [
      { chain: "ethereum", count: 1 },
      { chain: "base", count: 1 },
      { chain: "bitcoin", count: 1 },
      { chain: "arbitrum", count: 1 },
    ],
    sites: { akash: {} },
    policy: {},
  });
  const cliques = portCliques(fleet.groups).map((c) => [...c].map((g) => g.chain).sort());
  assert.deepEqual(cliques, [["base", "ethereum"], ["bitcoin"]]);
});

test("the time limit stops the search and says so: a plan with its proven gap, or a clear error", async () => {
  const fleet = fleetOf(gridSpec(200, 20));
  try {
    const plan = await planFleet(fleet, cat, { timeLimitSeconds: 0.01 });
    assert.equal(plan.policy.satisfied, true);
    if (!plan.solver.optimal) assert.ok(plan.solver.gap! > 0, `gap ${plan.solver.gap}`);
  } catch (e) {
    assert.ok(e instanceof InfeasibleError, String(e));
    assert.match(e.message, /time limit \(0\.01 s\); raise timeLimitSeconds/);
  }
});
