/**
 * Property tests of the planner on random small fleets: every plan keeps every rule (checked with
 * evaluatePolicy and by counting, not with the model), tightening a cap never makes a plan cheaper,
 * and on tiny fleets the optimum equals an exhaustive search written from the rules.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { evaluatePolicy } from "../../core/diversity";
import { InfeasibleError } from "../../core/errors";
import { alternativesIn } from "../../core/catalog/load";
import { planFleet } from "../../core/planner/plan";
import { type Plan } from "../../core/plan";
import type { Fleet } from "../../core/fleet-spec/resolve";
import { planAndSearch, bruteForce } from "./brute-force";
import { catalog, fleetOf, nodeProfile, sumCents } from "./helpers";

const cat = catalog();
const CAPS = [undefined, 0.25, 0.34, 0.5, 0.67, 1] as const;
/** CLOUD Act caps (policy.maxShare.legal.cloudAct): 0 is allowed there, keeping every node outside its reach. */
const LEGAL_CAPS = [0, 0.34, 0.5, 0.67, 1] as const;
const DIMS = ["operator", "region", "jurisdiction", "client"] as const;
type Dim = (typeof DIMS)[number];
const EXECUTION = ["geth", "nethermind", "reth", "besu", "erigon"];
const CLOUD_SITES: Array<[provider: "aws" | "gcp" | "azure" | "akash", region: string]> = [
  ["aws", "us-east-1"],
  ["aws", "eu-central-1"],
  ["aws", "ap-southeast-1"],
  ["gcp", "us-east4"],
  ["gcp", "europe-west3"],
  ["azure", "eastus"],
  ["azure", "germanywestcentral"],
  ["akash", ""],
];

const opt = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined, freq: 2 });
/** Mostly absent: rules and quotas are drawn rarely enough that a fair share of specs stays feasible. */
const rarely = <T>(arb: fc.Arbitrary<T>, absent = 3) =>
  fc.oneof({ arbitrary: fc.constant(undefined), weight: absent }, { arbitrary: arb, weight: 1 });
/** Drops undefined fields, as a YAML file would not have them. */
const clean = <T extends object>(o: T): T =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

const hostArb = fc.record({
  operator: fc.constantFrom("hetzner", "ovh", "myhome", "vultr"),
  country: fc.constantFrom("DE", "FR", "US", "SG"),
  region: opt(fc.constantFrom("fsn1", "par1")),
  monthlyUsd: fc.integer({ min: 0, max: 40000 }).map((c) => c / 100),
  cpu: fc.constantFrom(2, 4, 8, 16, 32),
  memoryGb: fc.constantFrom(4, 16, 32, 64, 128),
  diskGb: fc.constantFrom(50, 500, 1500, 3000, 6000),
  disk: fc.constantFrom("nvme", "ssd", "hdd"),
  maxNodes: rarely(fc.integer({ min: 1, max: 4 }), 2),
  // Only an operator of unknown legal home may be declared outside a regime (vultr is a US company).
  outsideReach: rarely(fc.constant(["cloudAct"]), 2),
});

const groupArb = (maxCount: number) =>
  fc.oneof(
    fc.record({ chain: fc.constantFrom("bitcoin", "devnet"), count: fc.integer({ min: 1, max: maxCount }) }),
    fc
      .record({
        chain: fc.constant("ethereum"),
        count: fc.integer({ min: 1, max: maxCount }),
        role: opt(fc.constant("archive")),
        clients: opt(fc.subarray(EXECUTION, { minLength: 1 }).map((execution) => ({ execution }))),
      })
      .map(clean),
  );

const policyArb = fc
  .record({
    caps: fc.tuple(...DIMS.map(() => rarely(fc.constantFrom(...CAPS), 2))),
    cloudAct: rarely(fc.constantFrom(...LEGAL_CAPS), 2),
    minOperators: rarely(fc.integer({ min: 1, max: 3 })),
    survive: rarely(
      fc.record({ loss: fc.constantFrom("operator", "region", "both"), minNodes: fc.integer({ min: 1, max: 3 }) }),
    ),
  })
  .map(({ caps, cloudAct, minOperators, survive }) =>
    clean({
      maxShare: clean({
        ...Object.fromEntries(DIMS.map((d, i) => [d, caps[i]])),
        legal: cloudAct === undefined ? undefined : { cloudAct },
      }),
      minOperators,
      survive: survive && {
        operatorLoss: survive.loss !== "region" ? 1 : 0,
        regionLoss: survive.loss !== "operator" ? 1 : 0,
        minNodes: survive.minNodes,
      },
    }),
  );

/** A random valid spec. `maxSites`/`maxNodes` keep instances small enough for the exhaustive search. */
function specArb(o: { maxCount: number; maxNodes: number; maxSites: number; budget?: boolean }) {
  return fc
    .record({
      chains: fc
        .array(groupArb(o.maxCount), { minLength: 1, maxLength: 3 })
        .filter((gs) => gs.reduce((a, g) => a + g.count, 0) <= o.maxNodes),
      clouds: fc.subarray(CLOUD_SITES),
      hosts: fc.array(hostArb, { maxLength: 3 }),
      quotas: fc.record({
        aws: rarely(fc.integer({ min: 1, max: 5 })),
        gcp: rarely(fc.integer({ min: 1, max: 5 })),
        azure: rarely(fc.integer({ min: 1, max: 5 })),
        akash: rarely(fc.integer({ min: 1, max: 5 })),
      }),
      policy: policyArb,
      budget: o.budget ? rarely(fc.integer({ min: 50, max: 3000 }), 4) : fc.constant(undefined),
    })
    .filter((s) => s.clouds.length + s.hosts.length >= 1 && s.clouds.length + s.hosts.length <= o.maxSites)
    .map(({ chains, clouds, hosts, quotas, policy, budget }) => {
      const sites: Record<string, unknown> = {};
      for (const provider of ["aws", "gcp", "azure"] as const) {
        const regions = clouds.filter(([p]) => p === provider).map(([, r]) => r);
        if (regions.length) sites[provider] = clean({ regions, maxNodes: quotas[provider] });
      }
      if (clouds.some(([p]) => p === "akash")) sites.akash = clean({ maxNodes: quotas.akash });
      if (hosts.length) {
        sites.baremetal = {
          hosts: hosts.map(({ outsideReach, ...h }, i) =>
            clean({
              name: `h${i}`,
              address: `192.0.2.${i + 1}`,
              ...h,
              outsideReach: h.operator === "vultr" ? undefined : outsideReach,
            }),
          ),
        };
      }
      return clean({
        name: "prop",
        chains,
        sites,
        policy,
        budget: budget === undefined ? undefined : { monthlyUsd: budget },
      });
    });
}

/** The plan, or null when the planner proves there is none. Any other error fails the property. */
async function planOrNull(fleet: Fleet): Promise<Plan | null> {
  try {
    return await planFleet(fleet, cat);
  } catch (e) {
    if (e instanceof InfeasibleError) {
      assert.ok(e.reasons.length > 0 && e.reasons.every((r) => r.length > 10), "infeasible without reasons");
      assert.doesNotMatch(e.message, /solver stopped/, "the solver must finish on these sizes");
      return null;
    }
    throw e;
  }
}

function assertPlanKeepsEverything(fleet: Fleet, plan: Plan) {
  // Node counts per chain and role.
  const want = new Map<string, number>();
  for (const g of fleet.groups)
    want.set(`${g.chainKey}|${g.role}`, (want.get(`${g.chainKey}|${g.role}`) ?? 0) + g.count);
  const got = new Map<string, number>();
  for (const n of plan.nodes) got.set(`${n.chainKey}|${n.role}`, (got.get(`${n.chainKey}|${n.role}`) ?? 0) + 1);
  assert.deepEqual(got, want);
  // Every rule, by the diversity module's own check (independent of the MILP).
  const failed = evaluatePolicy(fleet.spec.policy, plan.nodes, alternativesIn(cat)).filter((c) => !c.ok);
  assert.deepEqual(
    failed.map((c) => c.message),
    [],
  );
  assert.equal(plan.policy.satisfied, true);
  // Sites, hosts and quotas.
  const byId = new Map(fleet.sites.map((s) => [s.id, s]));
  for (const n of plan.nodes) assert.ok(byId.has(n.site), `${n.id} at unknown site ${n.site}`);
  for (const site of fleet.sites) {
    const h = site.host;
    if (!h) continue;
    const on = plan.nodes.filter((n) => n.site === site.id);
    const profiles = on.map((n) => nodeProfile(cat, n));
    assert.ok(profiles.reduce((a, p) => a + p.vcpu, 0) <= h.cpu, `${h.name} cpu`);
    assert.ok(profiles.reduce((a, p) => a + p.memoryGb, 0) <= h.memoryGb, `${h.name} memory`);
    assert.ok(profiles.reduce((a, p) => a + p.diskGb, 0) <= h.diskGb, `${h.name} disk`);
    if (h.maxNodes !== undefined) assert.ok(on.length <= h.maxNodes, `${h.name} maxNodes`);
    if (on.length) assert.equal(sumCents(on.map((n) => n.monthlyUsd)), h.monthlyUsd, `${h.name} price shared`);
  }
  for (const p of ["aws", "gcp", "azure", "akash"] as const) {
    const quota = fleet.spec.sites[p]?.maxNodes;
    if (quota !== undefined) assert.ok(plan.nodes.filter((n) => n.provider === p).length <= quota, `${p} quota`);
  }
  // Money.
  assert.equal(plan.totals.monthlyUsd, sumCents(plan.nodes.map((n) => n.monthlyUsd)));
  if (fleet.spec.budget) assert.ok(plan.totals.monthlyUsd <= fleet.spec.budget.monthlyUsd + 1e-9);
  const ids = plan.nodes.map((n) => n.id);
  assert.equal(new Set(ids).size, ids.length, `duplicate node ids: ${ids}`);
  assert.equal(plan.solver.optimal, true);
}

test("every plan keeps every cap, count, host and quota (or the planner says why not)", async (t) => {
  let feasible = 0,
    infeasible = 0;
  await fc.assert(
    fc.asyncProperty(specArb({ maxCount: 8, maxNodes: 24, maxSites: 11, budget: true }), async (spec) => {
      const fleet = fleetOf(spec);
      const plan = await planOrNull(fleet);
      if (plan) {
        feasible++;
        assertPlanKeepsEverything(fleet, plan);
      } else infeasible++;
    }),
    { numRuns: 500 },
  );
  t.diagnostic(`${feasible} feasible, ${infeasible} infeasible specs`);
  // The generator must exercise both outcomes, or the property says little.
  assert.ok(feasible >= 100 && infeasible >= 30, `feasible ${feasible}, infeasible ${infeasible}`);
});

test("tightening a cap never lowers the optimal cost, and never turns infeasible into feasible", async (t) => {
  let compared = 0;
  const arb = fc.record({
    spec: specArb({ maxCount: 8, maxNodes: 16, maxSites: 9 }),
    dim: fc.constantFrom(...DIMS),
    pair: fc.tuple(fc.constantFrom(...CAPS), fc.constantFrom(...CAPS)),
  });
  await fc.assert(
    fc.asyncProperty(arb, async ({ spec, dim, pair }) => {
      const rank = (c: number | undefined) => c ?? 2;
      const [loose, tight] = rank(pair[0]) >= rank(pair[1]) ? pair : [pair[1], pair[0]];
      if (loose === tight) return;
      const withCap = (cap: number | undefined) => {
        const maxShare: Partial<Record<Dim, number>> = {
          ...(spec.policy as { maxShare?: Partial<Record<Dim, number>> }).maxShare,
        };
        if (cap === undefined) delete maxShare[dim];
        else maxShare[dim] = cap;
        return fleetOf({ ...spec, policy: { ...spec.policy, maxShare } });
      };
      const a = await planOrNull(withCap(loose));
      const b = await planOrNull(withCap(tight));
      if (!a) assert.equal(b, null, `cap ${dim} ${tight} feasible while the looser ${loose} is not`);
      if (a && b) {
        compared++;
        assert.ok(
          b.totals.monthlyUsd >= a.totals.monthlyUsd - 1e-6,
          `${dim} ${loose} -> ${tight}: ${a.totals.monthlyUsd} -> ${b.totals.monthlyUsd}`,
        );
      }
    }),
    { numRuns: 700 },
  );
  t.diagnostic(`${compared} feasible pairs compared`);
  assert.ok(compared >= 60, `only ${compared} feasible pairs compared`);
});

test("the exhaustive search agrees with itself on a case priced by hand", () => {
  // Two bitcoin nodes, at most half per operator: Akash 54.20 + AWS us-east-1 271.21 (its 500 GB of egress
  // priced from the first GB: the free 100 GB are per account).
  const r = bruteForce(
    fleetOf({
      name: "t",
      chains: [{ chain: "bitcoin", count: 2 }],
      sites: { aws: { regions: ["us-east-1"] }, akash: {} },
      policy: { maxShare: { operator: 0.5 } },
    }),
    cat,
  );
  assert.deepEqual(r, { feasible: true, cost: 325.41, placements: 4 });
});

test("on tiny fleets the optimiser's cost equals an exhaustive search's minimum", async (t) => {
  let feasible = 0,
    infeasible = 0,
    binding = 0;
  await fc.assert(
    fc.asyncProperty(specArb({ maxCount: 3, maxNodes: 5, maxSites: 4, budget: true }), async (spec) => {
      const fleet = fleetOf(spec);
      const { plan, brute } = await planAndSearch(fleet, cat, planOrNull);
      if (!plan) {
        infeasible++;
        return;
      }
      feasible++;
      // Count the cases where the rules change the answer, so we know the comparison tests them.
      const free = bruteForce(fleetOf({ ...spec, policy: {}, budget: undefined }), cat);
      if (brute.cost > free.cost + 0.001) binding++;
    }),
    { numRuns: 2500 },
  );
  t.diagnostic(`${feasible} feasible (${binding} where the rules raise the cost), ${infeasible} infeasible tiny specs`);
  assert.ok(binding >= 50, `the rules bound in only ${binding} cases`);
  assert.ok(feasible >= 300 && infeasible >= 300, `feasible ${feasible}, infeasible ${infeasible}`);
});

test("a CLOUD Act cap: tightening it never lowers the cost, and on tiny fleets the optimum equals an exhaustive search", async (t) => {
  let raised = 0,
    closed = 0;
  const arb = fc.record({
    spec: specArb({ maxCount: 3, maxNodes: 5, maxSites: 4 }),
    pair: fc.tuple(fc.constantFrom(...LEGAL_CAPS), fc.constantFrom(...LEGAL_CAPS)),
    keepRules: fc.boolean(),
  });
  await fc.assert(
    fc.asyncProperty(arb, async ({ spec, pair, keepRules }) => {
      const [loose, tight] = pair[0] >= pair[1] ? pair : [pair[1], pair[0]];
      // The spec's other rules half the time: alone, the cap binds (and changes the cost) more often.
      const policy = (keepRules ? spec.policy : {}) as { maxShare?: Record<string, unknown> };
      // Hosts big enough for any node, so the cap decides where nodes go more often than capacity does.
      const sites = spec.sites as { baremetal?: { hosts: object[] } };
      const roomy = sites.baremetal && {
        ...sites,
        baremetal: { hosts: sites.baremetal.hosts.map((h) => ({ ...h, cpu: 32, memoryGb: 128, diskGb: 6000 })) },
      };
      const withCap = (cloudAct: number) =>
        fleetOf({
          ...spec,
          sites: roomy ?? spec.sites,
          policy: { ...policy, maxShare: { ...policy.maxShare, legal: { cloudAct } } },
        });
      const a = (await planAndSearch(withCap(loose), cat, planOrNull)).plan;
      const b = (await planAndSearch(withCap(tight), cat, planOrNull)).plan;
      if (!a) assert.equal(b, null, `cloudAct ${tight} feasible while the looser ${loose} is not`);
      if (a && !b) closed++;
      if (a && b) {
        assert.ok(b.totals.monthlyUsd >= a.totals.monthlyUsd - 1e-6, `cloudAct ${loose} -> ${tight}`);
        if (b.totals.monthlyUsd > a.totals.monthlyUsd + 0.001) raised++;
      }
    }),
    { numRuns: 2000 },
  );
  t.diagnostic(`the tighter cap raised the cost in ${raised} cases and left no plan in ${closed}`);
  // The sweep must reach cases where the cap changes the answer both ways, or it says little.
  assert.ok(raised >= 20 && closed >= 100, `raised ${raised}, closed ${closed}`);
});
