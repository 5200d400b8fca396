/**
 * The aggregated model (classes of identical hosts, host patterns, pattern cuts, splits) is exact: on random fleets
 * with batches of identical hosts its optimum costs what the host-by-host model's costs, and a spec
 * one finds infeasible the other does too.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { InfeasibleError } from "../../core/errors";
import { planFleet } from "../../core/planner/plan";
import { catalog, fleetOf } from "./helpers";

const cat = catalog();

/** A kind of host, rented in a batch of 1 to 4 identical machines. */
const batchArb = fc.record({
  operator: fc.constantFrom("hetzner", "ovh", "vultr"),
  country: fc.constantFrom("DE", "FR", "SG"),
  monthlyUsd: fc.integer({ min: 5000, max: 30000 }).map((c) => c / 100),
  cpu: fc.constantFrom(8, 16, 32),
  memoryGb: fc.constantFrom(32, 64, 128),
  diskGb: fc.constantFrom(3000, 6000, 8000),
  copies: fc.integer({ min: 1, max: 4 }),
  // A maxNodes cap keeps a class off its host patterns: capacity rows, packing checks, cuts and splits.
  maxNodes: fc.constantFrom(undefined, undefined, 1, 2),
});

const specArb = fc.record({
  batches: fc.array(batchArb, { minLength: 1, maxLength: 4 }),
  chains: fc.uniqueArray(
    fc.record({
      chain: fc.constantFrom("bitcoin", "ethereum", "cosmoshub", "base"),
      count: fc.integer({ min: 1, max: 4 }),
    }),
    { minLength: 1, maxLength: 3, selector: (c) => c.chain },
  ),
  cloud: fc.boolean(),
  operatorCap: fc.constantFrom(undefined, 0.5, 0.67),
});

type Spec = typeof specArb extends fc.Arbitrary<infer T> ? T : never;

function specOf(s: Spec): unknown {
  let n = 0;
  const hosts = s.batches.flatMap(({ copies, maxNodes, ...kind }) =>
    Array.from({ length: copies }, () => {
      n++;
      return {
        ...kind,
        ...(maxNodes === undefined ? {} : { maxNodes }),
        name: `h${n}`,
        address: `198.51.100.${n}`,
        region: `${kind.operator}-1`,
        disk: "nvme",
      };
    }),
  );
  return {
    name: "aggregate",
    chains: s.chains,
    sites: { baremetal: { hosts }, ...(s.cloud ? { aws: { regions: ["eu-central-1"] } } : {}) },
    policy: s.operatorCap === undefined ? {} : { maxShare: { operator: s.operatorCap } },
  };
}

const cost = async (raw: unknown, aggregateHosts: boolean) => {
  try {
    return (await planFleet(fleetOf(raw), cat, { aggregateHosts, explain: false })).totals.monthlyUsd;
  } catch (e) {
    if (e instanceof InfeasibleError) return "infeasible";
    throw e;
  }
};

test("aggregating identical hosts keeps the optimum", async () => {
  let feasible = 0;
  await fc.assert(
    fc.asyncProperty(specArb, async (s) => {
      const raw = specOf(s);
      const aggregated = await cost(raw, true);
      if (aggregated !== "infeasible") feasible++;
      assert.equal(aggregated, await cost(raw, false), JSON.stringify(raw));
    }),
    { numRuns: 60, seed: 7 },
  );
  assert.ok(feasible >= 20, `only ${feasible} of 60 specs were feasible`);
});
