/**
 * The solver and the checks agree: on random specs (bare-metal prices with fractions of a cent,
 * identical hosts the model aggregates), every optimal plan passes evaluatePolicy and the budget
 * check, a budget equal to the plan's own total admits it, and a cent less does not.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { alternativesIn } from "../../core/catalog/load";
import { evaluatePolicy } from "../../core/diversity";
import { InfeasibleError } from "../../core/errors";
import type { Fleet } from "../../core/fleet-spec/resolve";
import { budgetCheck, type Plan } from "../../core/plan";
import { candidatesFor } from "../../core/planner/candidates";
import { buildModel } from "../../core/planner/model";
import { planFleet } from "../../core/planner/plan";
import { solveModel } from "../../core/planner/solve";
import { catalog, fleetOf, nodeProfile } from "./helpers";

const cat = catalog();
const CAPS = [undefined, 0.34, 0.5, 0.67] as const;
const rarely = <T>(arb: fc.Arbitrary<T>) =>
  fc.oneof({ arbitrary: fc.constant(undefined), weight: 2 }, { arbitrary: arb, weight: 1 });
const clean = <T extends object>(o: T): T =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

/** Host kinds, each rented 1-4 times (identical copies: one class in the model). */
const kindArb = fc.record({
  operator: fc.constantFrom("hetzner", "ovh", "vultr"),
  country: fc.constantFrom("DE", "FR", "US"),
  monthlyUsd: fc.integer({ min: 1000, max: 40_000_000 }).map((x) => x / 100_000),
  cpu: fc.constantFrom(8, 16, 32),
  memoryGb: fc.constantFrom(32, 64, 128),
  diskGb: fc.constantFrom(1500, 3000, 6000),
  copies: fc.integer({ min: 1, max: 4 }),
});

const specArb = fc
  .record({
    chains: fc.array(
      fc.record({ chain: fc.constantFrom("bitcoin", "ethereum", "devnet"), count: fc.integer({ min: 1, max: 5 }) }),
      { minLength: 1, maxLength: 3 },
    ),
    kinds: fc.array(kindArb, { minLength: 1, maxLength: 3 }),
    akash: fc.boolean(),
    aws: fc.boolean(),
    caps: fc.tuple(
      rarely(fc.constantFrom(...CAPS)),
      rarely(fc.constantFrom(...CAPS)),
      rarely(fc.constantFrom(...CAPS)),
    ),
    survive: rarely(fc.constant({ operatorLoss: 1 as const, regionLoss: 0 as const, minNodes: 1 })),
  })
  .map(({ chains, kinds, akash, aws, caps, survive }) =>
    clean({
      name: "agree",
      chains,
      sites: clean({
        akash: akash ? {} : undefined,
        aws: aws ? { regions: ["us-east-1"] } : undefined,
        baremetal: {
          hosts: kinds.flatMap(({ copies, ...k }, i) =>
            Array.from({ length: copies }, (_, j) => ({
              ...k,
              name: `k${i}-${j}`,
              address: `192.0.2.${i * 10 + j + 1}`,
            })),
          ),
        },
      }),
      policy: clean({ maxShare: clean({ operator: caps[0], region: caps[1], client: caps[2] }), survive }),
    }),
  );

async function planOrNull(fleet: Fleet): Promise<Plan | null> {
  try {
    return await planFleet(fleet, cat);
  } catch (e) {
    if (e instanceof InfeasibleError) return null;
    throw e;
  }
}

test("every optimal plan passes the policy and budget checks, and a budget of its own total admits it", async (t) => {
  let checked = 0;
  await fc.assert(
    fc.asyncProperty(specArb, async (spec) => {
      const plan = await planOrNull(fleetOf(spec));
      if (!plan) return;
      checked++;
      assert.equal(plan.solver.optimal, true);
      assert.deepEqual(
        evaluatePolicy(spec.policy, plan.nodes, alternativesIn(cat))
          .filter((c) => !c.ok)
          .map((c) => c.message),
        [],
      );
      const total = plan.totals.monthlyUsd;
      // What the solver minimised, from the spec's prices: cloud and Akash nodes plus each rented host once.
      const exact =
        plan.nodes.filter((n) => !n.host).reduce((a, n) => a + n.monthlyUsd, 0) +
        plan.hosts.reduce((a, h) => a + h.monthlyUsd, 0);
      for (const budget of [exact, total]) {
        const tight = await planOrNull(fleetOf({ ...spec, budget: { monthlyUsd: budget } }));
        assert.ok(tight, `a budget of the plan's own cost $${budget} found no plan`);
        assert.equal(
          tight.policy.satisfied,
          true,
          tight.policy.checks
            .filter((c) => !c.ok)
            .map((c) => c.message)
            .join("; "),
        );
        assert.ok(Math.abs(tight.totals.monthlyUsd - total) < 1e-6, `${tight.totals.monthlyUsd} vs ${total}`);
        assert.equal(
          budgetCheck(
            tight.nodes.reduce((a, n) => a + n.monthlyUsd, 0),
            budget,
          ).ok,
          true,
        );
      }
      if (total >= 0.02) {
        const below = fleetOf({ ...spec, budget: { monthlyUsd: Math.round((total - 0.01) * 1e6) / 1e6 } });
        await assert.rejects(planFleet(below, cat), (e: InfeasibleError) =>
          e.reasons.some((r) =>
            r.startsWith(`budget.monthlyUsd ${below.spec.budget!.monthlyUsd} is below the cheapest plan`),
          ),
        );
      }
    }),
    { numRuns: 80 },
  );
  t.diagnostic(`${checked} feasible specs checked`);
  assert.ok(checked >= 30, `only ${checked} feasible specs`);
});

test("aggregating identical hosts gives the optimum of the model with every host on its own", async (t) => {
  let compared = 0;
  await fc.assert(
    fc.asyncProperty(specArb, async (spec) => {
      const fleet = fleetOf(spec);
      const plan = await planOrNull(fleet);
      const candidates = candidatesFor(fleet, cat).list;
      const perHost = buildModel(fleet, candidates, alternativesIn(cat), undefined, new Set(fleet.sites));
      const exact = await solveModel(perHost.lp.arrays());
      if (!plan) {
        assert.notEqual(exact.status, "optimal", "the per-host model has a plan the planner missed");
        return;
      }
      compared++;
      assert.equal(exact.status, "optimal");
      assert.ok(
        Math.abs(exact.objective - plan.totals.monthlyUsd) < 1e-6,
        `aggregated $${plan.totals.monthlyUsd} vs per host $${exact.objective}`,
      );
      for (const site of fleet.sites) {
        const h = site.host;
        if (!h) continue;
        const on = plan.nodes.filter((n) => n.site === site.id).map((n) => nodeProfile(cat, n));
        assert.ok(
          on.reduce((a, p) => a + p.vcpu, 0) <= h.cpu && on.reduce((a, p) => a + p.diskGb, 0) <= h.diskGb,
          `${h.name} overfull`,
        );
      }
    }),
    { numRuns: 80 },
  );
  t.diagnostic(`${compared} feasible specs compared`);
  assert.ok(compared >= 30, `only ${compared} feasible specs`);
});
