/**
 * The access layer in the planner, the costs, outage and compare: gateways are placed under the
 * policy's caps and the access layer's own floor (two operators, never all in one region, survive
 * an operator loss), priced with their egress, kept at their sites, and counted in outages.
 * Expected figures are worked out here from the catalog's prices, not taken from the code.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { compareScenarios } from "../../core/compare/scenarios";
import { InfeasibleError, SpecError } from "../../core/errors";
import { parseFleetFile, parseFleetYaml } from "../../core/fleet-spec/parse";
import { resolveFleet } from "../../core/fleet-spec/resolve";
import type { FleetSpec } from "../../core/fleet-spec/schema";
import { simulateOutage } from "../../core/outage/simulate";
import { planToJson } from "../../core/plan/file";
import type { Plan, PlannedGateway } from "../../core/plan";
import { planFleet } from "../../core/planner/plan";
import { catalog, EXAMPLE_PATH, fleetOf, rejects, sumCents } from "./helpers";

const cat = catalog();
const example = parseFleetFile(EXAMPLE_PATH);
const plan = (spec: unknown) => planFleet(fleetOf(spec), cat);
const tally = (xs: string[]) => xs.reduce((m, x) => m.set(x, (m.get(x) ?? 0) + 1), new Map<string, number>());
const top = (xs: string[]) => Math.max(...tally(xs).values());

const SECONDS_PER_MONTH = 730 * 3600;
/** Two bitcoin nodes on two clouds, no policy: the access layer's floor is the only rule on gateways. */
const small = (
  gateways: unknown,
  sites: unknown = { aws: { regions: ["us-east-1", "eu-central-1"] }, gcp: { regions: ["europe-west3"] }, akash: {} },
) => ({ name: "t", chains: [{ chain: "bitcoin", count: 2 }], sites, policy: {}, gateways });

/** The access layer's rules, counted here from the plan's gateways. */
function assertAccessRules(
  gateways: PlannedGateway[],
  policy: FleetSpec["policy"],
  minSurviving = 1,
  minOperators = 2,
) {
  const n = gateways.length;
  for (const dim of ["operator", "region", "jurisdiction"] as const) {
    const cap = policy.maxShare?.[dim];
    if (cap !== undefined)
      assert.ok(top(gateways.map((g) => g[dim])) <= Math.floor(cap * n + 1e-9), `gateway ${dim} cap ${cap}`);
  }
  assert.ok(tally(gateways.map((g) => g.operator)).size >= minOperators, "gateways on too few operators");
  assert.ok(n - top(gateways.map((g) => g.operator)) >= minSurviving, "an operator loss takes the access layer down");
  assert.ok(n - top(gateways.map((g) => g.region)) >= minSurviving, "the gateways are all in one region");
}

describe("gateways.minOperators, the gateways' own floor", () => {
  test("the nodes' policy.minOperators 3 does not refuse two gateways on two operators", async () => {
    const spec = { ...small({ count: 2 }), chains: [{ chain: "bitcoin", count: 3 }], policy: { minOperators: 3 } };
    const p = await plan(spec);
    assert.equal(p.gateways.length, 2);
    assert.equal(new Set(p.gateways.map((g) => g.operator)).size, 2);
    assert.equal(new Set(p.nodes.map((n) => n.operator)).size, 3, "the nodes keep their own floor");
    assert.ok(p.policy.checks.find((c) => c.rule === "gateways.minOperators")?.ok);
  });

  test("gateways.minOperators 3 puts three gateways on three operators", async () => {
    const p = await plan(
      small(
        { count: 3, minOperators: 3 },
        { aws: { regions: ["us-east-1"] }, gcp: { regions: ["europe-west3"] }, azure: { regions: ["eastus"] } },
      ),
    );
    assertAccessRules(p.gateways, {}, 1, 3);
  });

  test("below 2 is bad input naming the field", () => {
    assert.throws(() => fleetOf(small({ count: 2, minOperators: 1 })), /gateways\.minOperators: must be at least 2/);
  });
});

describe("the bundled example's access layer", () => {
  let p: Plan;
  test("3 gateways, every chain served, every rule kept and checked", async () => {
    p = await planFleet(resolveFleet(example, cat), cat);
    assert.equal(p.gateways.length, 3);
    assert.equal(p.policy.satisfied, true);
    for (const g of p.gateways) assert.deepEqual(g.chains, ["ethereum/mainnet", "bitcoin/mainnet"]);
    assertAccessRules(p.gateways, example.policy);
    const hosts = example.sites.baremetal!.hosts.map((h) => `baremetal/${h.name}`);
    const allowed = new Set(["aws/us-east-1", "gcp/europe-west3", ...hosts]);
    for (const g of p.gateways) assert.ok(allowed.has(g.site), `${g.id} at ${g.site}, outside gateways.sites`);
    const rules = p.policy.checks.filter((c) => c.rule.startsWith("gateways.")).map((c) => c.rule);
    assert.deepEqual(rules, [
      "gateways.maxShare.operator",
      "gateways.maxShare.region",
      "gateways.maxShare.jurisdiction",
      "gateways.maxShare.legal.cloudAct",
      "gateways.minOperators",
      "gateways.survive.operatorLoss",
      "gateways.survive.regionLoss",
    ]);
    assert.ok(p.policy.checks.filter((c) => c.rule.startsWith("gateways.")).every((c) => c.ok && c.scope === "fleet"));
  });

  test("ids name the site like node ids; backup upstreams are the AWS nodes (backup: [aws])", () => {
    for (const g of p.gateways) {
      const where = g.host ?? g.site.replace("/", "-");
      assert.match(g.id, new RegExp(`^gateway-${where}-\\d+$`));
      assert.equal(g.maxLagBlocks, 5);
      assert.deepEqual(
        g.backup,
        p.nodes.filter((n) => n.provider === "aws").map((n) => n.id),
      );
    }
  });

  test("a gateway on the rented host shares its price with the host's nodes; the host lists it apart", () => {
    const host = p.hosts.find((h) => h.name === "fra-1")!;
    const onHost = [...p.nodes, ...p.gateways].filter((x) => x.host === "fra-1");
    assert.deepEqual(
      host.gateways,
      p.gateways.filter((g) => g.host === "fra-1").map((g) => g.id),
    );
    assert.deepEqual(
      host.nodes,
      p.nodes.filter((n) => n.host === "fra-1").map((n) => n.id),
    );
    assert.equal(sumCents(onHost.map((x) => x.monthlyUsd)), 120);
  });

  test("the plan JSON has gateways without sources, and totals.gateways adds up", () => {
    const json = planToJson(p) as { gateways: Array<Record<string, unknown>>; totals: Plan["totals"] };
    assert.equal(json.gateways.length, 3);
    assert.ok(json.gateways.every((g) => !("sources" in g) && typeof g.traffic === "object"));
    assert.equal(json.totals.gateways!.monthlyUsd, sumCents(p.gateways.map((g) => g.monthlyUsd)));
    assert.equal(json.totals.gateways!.breakdown.total, json.totals.gateways!.monthlyUsd);
  });
});

describe("a spec without gateways", () => {
  test("has no access layer anywhere: no gateways, no gateway checks, no extra JSON keys", async () => {
    const spec = { ...example, gateways: undefined };
    const p = await planFleet(resolveFleet(spec, cat), cat);
    assert.deepEqual(p.gateways, []);
    assert.ok(!p.policy.checks.some((c) => c.rule.startsWith("gateways.")));
    assert.ok(!("gateways" in p.totals));
    assert.ok(p.hosts.every((h) => !("gateways" in h)));
    const json = planToJson(p) as Record<string, unknown>;
    assert.ok(!("gateways" in json));
    const o = simulateOutage(p, spec.policy, [{ dim: "operator", value: "akash" }]);
    assert.ok(!("gateways" in o) && o.chains.every((c) => !("endpoints" in c)));
  });
});

describe("placement under the access layer's floor", () => {
  test("with no policy at all, two gateways still land on two operators in two regions", async () => {
    const p = await plan(small({ count: 2 }));
    assertAccessRules(p.gateways, {});
    // Without the floor both would go to the cheapest site, Akash.
    assert.equal(new Set(p.gateways.map((g) => g.operator)).size, 2);
  });

  test("the policy's caps apply to gateways too (operator 0.34 of 3: one per operator)", async () => {
    const p = await plan({
      ...small(
        { count: 3 },
        {
          aws: { regions: ["us-east-1"] },
          gcp: { regions: ["europe-west3"] },
          azure: { regions: ["eastus"] },
          akash: {},
        },
      ),
      chains: [{ chain: "bitcoin", count: 3 }],
      policy: { maxShare: { operator: 0.34 } },
    });
    assert.equal(top(p.gateways.map((g) => g.operator)), 1);
  });

  test("gateways never go on Akash: left out by default, refused by name when listed", async () => {
    const p = await plan(small({ count: 2 }));
    assert.ok(
      p.nodes.some((n) => n.provider === "akash"),
      "the nodes may still go to Akash",
    );
    assert.ok(!p.gateways.some((g) => g.provider === "akash"), "a lease cannot reach the overlay");
    await assert.rejects(
      async () => plan(small({ count: 2, sites: ["aws", "akash"] })),
      (e: Error) => /gateways\.sites\[1\]: 'akash' cannot hold a gateway: .*runs no WireGuard/.test(e.message),
    );
  });

  test("minSurviving 2 keeps two gateways after any operator or region loss", async () => {
    const p = await plan(small({ count: 4, minSurviving: 2 }));
    assertAccessRules(p.gateways, {}, 2);
  });

  test("gateways do not count against maxNodes caps, but take host CPU and one host each", async () => {
    const host = (name: string) => ({
      name,
      address: `192.0.2.${name.at(-1)}`,
      operator: name === "h1" ? "hetzner" : "ovh",
      country: "DE",
      region: name === "h1" ? "fsn1" : "gra1",
      monthlyUsd: 50,
      cpu: 6,
      memoryGb: 32,
      diskGb: 2000,
      maxNodes: 1,
    });
    const p = await plan({
      name: "t",
      chains: [{ chain: "bitcoin", count: 2 }],
      policy: {},
      sites: { baremetal: { hosts: [host("h1"), host("h2")] } },
      gateways: { count: 2 },
    });
    // Each host: one bitcoin node (4 CPU) and one gateway (2 CPU) fill its 6 threads; maxNodes 1 is kept.
    for (const h of ["h1", "h2"]) {
      assert.equal(p.nodes.filter((n) => n.host === h).length, 1);
      assert.equal(p.gateways.filter((g) => g.host === h).length, 1);
    }
    // A third gateway has no host to go to: one gateway per host.
    const err = await rejects(
      () =>
        plan({
          name: "t",
          chains: [{ chain: "bitcoin", count: 2 }],
          policy: {},
          sites: { baremetal: { hosts: [host("h1"), host("h2")] } },
          gateways: { count: 3 },
        }),
      InfeasibleError,
    );
    assert.match(
      err.message,
      /gateways\.count 3: a host runs at most one gateway .* only 2 host\(s\) can take one \(h1, h2\)/,
    );
  });

  test("perChain: dedicated gateways per chain, ids with the chain, rules per chain", async () => {
    const p = await plan({
      name: "t",
      chains: [
        { chain: "bitcoin", count: 2 },
        { chain: "ethereum", count: 2 },
      ],
      policy: {},
      sites: { aws: { regions: ["us-east-1"] }, gcp: { regions: ["europe-west3"] }, akash: {} },
      gateways: { perChain: { bitcoin: 2, "ethereum/mainnet": 3 } },
    });
    const of = (chain: string) => p.gateways.filter((g) => g.chains.join() === chain);
    assert.equal(of("bitcoin/mainnet").length, 2);
    assert.equal(of("ethereum/mainnet").length, 3);
    for (const g of of("bitcoin/mainnet")) assert.match(g.id, /^gateway-bitcoin-/);
    for (const g of of("ethereum/mainnet")) assert.match(g.id, /^gateway-ethereum-/);
    assertAccessRules(of("bitcoin/mainnet"), {});
    assertAccessRules(of("ethereum/mainnet"), {});
    assert.deepEqual(
      [...new Set(p.policy.checks.filter((c) => c.rule.startsWith("gateways.")).map((c) => c.scope))],
      ["bitcoin/mainnet", "ethereum/mainnet"],
    );
    assert.equal(new Set(p.gateways.map((g) => g.id)).size, 5);
  });
});

describe("pricing", () => {
  test("a cloud gateway: 2-vCPU machine, 20 GB disk, public IP and the egress of its share of the responses", async () => {
    const p = await plan(small({ count: 2, sites: ["aws/us-east-1", "gcp"] }));
    const aws = p.gateways.find((g) => g.provider === "aws")!;
    // One chain at 20 requests/s of 2 KB over 2 gateways: 20 * 2 KB * 2,628,000 s / 1e6 / 2 = 52.56 GB each.
    const gb = (20 * 2 * SECONDS_PER_MONTH) / 1e6 / 2;
    assert.equal(aws.traffic!.egressGbMonth, gb);
    assert.deepEqual(aws.traffic, { requestsPerSecond: 10, responseKb: 2, egressGbMonth: gb });
    // m6i.large 0.096/h, gp3 0.08/GB for its 20 GB and the 30 GB boot volume, IPv4 0.005/h; egress
    // 0.09/GB from the first GB (AWS's 100 free GB are per account, catalog/providers/aws.yaml).
    const egress = Math.round(gb * 0.09 * 100) / 100;
    assert.deepEqual(aws.cost, {
      compute: 70.08,
      storage: 4,
      performance: 0,
      publicIp: 3.65,
      egress,
      // A gateway's load has no range: the high end is the same.
      egressHigh: egress,
      total: Math.round((70.08 + 4 + 3.65 + egress) * 100) / 100,
    });
    assert.equal(aws.shape, "m6i.large");
    assert.ok(
      aws.sources.some((s) => s.includes("20 requests/s per chain at 2 KB")),
      "the egress assumption is cited",
    );
    const gcp = p.gateways.find((g) => g.provider === "gcp")!;
    assert.equal(p.totals.gateways!.monthlyUsd, sumCents([aws.monthlyUsd, gcp.monthlyUsd]));
    assert.equal(p.totals.monthlyUsd, sumCents([...p.nodes, ...p.gateways].map((x) => x.monthlyUsd)));
  });

  test("the spec's traffic replaces the catalog's assumption; a bigger size costs more", async () => {
    const base = small({ count: 2, sites: ["aws/us-east-1", "gcp"] });
    const busy = await plan({
      ...base,
      gateways: { ...(base.gateways as object), traffic: { requestsPerSecond: 200, responseKb: 5 } },
    });
    const gb = (200 * 5 * SECONDS_PER_MONTH) / 1e6 / 2;
    for (const g of busy.gateways) assert.equal(g.traffic!.egressGbMonth, gb);
    const aws = busy.gateways.find((g) => g.provider === "aws")!;
    // 0.09/GB from the first GB (AWS's 100 free GB are per account, not per gateway).
    assert.equal(aws.cost.egress, Math.round(gb * 0.09 * 100) / 100);
    assert.ok(aws.sources.some((s) => s.includes("from the spec (gateways.traffic)")));
    const large = await plan({ ...base, gateways: { ...(base.gateways as object), size: "large" } });
    for (const g of large.gateways) assert.ok(g.vcpu >= 8 && g.memoryGb >= 16, `${g.id}: ${g.shape}`);
    assert.ok(large.totals.gateways!.monthlyUsd > (await plan(base)).totals.gateways!.monthlyUsd);
  });

  test("a fleet-wide gateway is charged to the chains it serves in equal parts", async () => {
    const p = await plan({
      ...small({ count: 2 }),
      chains: [
        { chain: "bitcoin", count: 2 },
        { chain: "devnet", count: 2 },
      ],
    });
    for (const chain of ["bitcoin/mainnet", "devnet/local"]) {
      const nodes = sumCents(p.nodes.filter((n) => n.chainKey === chain).map((n) => n.monthlyUsd));
      const half = sumCents(p.gateways.map((g) => g.monthlyUsd)) / 2;
      assert.ok(
        Math.abs(p.totals.byChain[chain] - nodes - half) <= 0.01,
        `${chain}: ${p.totals.byChain[chain]} = ${nodes} + ${half}`,
      );
    }
  });
});

describe("stability", () => {
  test("given the previous gateways, growing the access layer keeps them at their sites and ids", async () => {
    const spec = (count: number) =>
      small(
        { count },
        { aws: { regions: ["us-east-1", "eu-central-1"] }, gcp: { regions: ["europe-west3", "us-east4"] }, akash: {} },
      );
    const before = await plan(spec(2));
    const after = await planFleet(fleetOf(spec(3)), cat, { previous: before.nodes, previousGateways: before.gateways });
    for (const g of before.gateways)
      assert.equal(after.gateways.find((x) => x.id === g.id)?.site, g.site, `${g.id} stays at ${g.site}`);
    assert.deepEqual(after.stability?.gateways, { previous: 2, kept: 2 });
    assert.equal(after.gateways.length, 3);
  });
});

describe("infeasible access layers are explained in the spec's words", () => {
  const cases: Array<[string, unknown, RegExp]> = [
    [
      "one operator among the allowed sites",
      small({ count: 2, sites: ["aws"] }),
      /gateways run on at least 2 operators \(never fewer than two\); the sites gateways may use offer 1 \(aws\) — allow more sites in gateways\.sites/,
    ],
    [
      "one gateway cannot survive an operator loss",
      small({ count: 1 }),
      /the access layer must keep 1 gateway\(s\) after losing any one operator, so gateways\.count must be above 1; it is 1/,
    ],
    ["all allowed sites in one region", small({ count: 2, sites: ["aws/us-east-1"] }), /never all in one region/],
    [
      "the policy's operator cap on too few gateways",
      { ...small({ count: 2 }), policy: { maxShare: { operator: 0.34 } } },
      /maxShare\.operator 0\.34 allows no operator even one of the fleet's 2 gateway\(s\); raise gateways\.count to at least 3 or maxShare\.operator to 0\.5/,
    ],
    [
      "gateways.minOperators above the gateway count",
      small({ count: 2, minOperators: 3 }),
      /gateways run on at least 3 operators \(gateways\.minOperators 3\), so gateways\.count must be at least 3; it is 2/,
    ],
  ];
  for (const [name, spec, reason] of cases) {
    test(name, async () => {
      const err = await rejects(() => plan(spec), InfeasibleError);
      assert.match(err.message, reason);
    });
  }

  test("a gateway too big for every allowed host says what does not fit", async () => {
    const host = {
      name: "h1",
      address: "192.0.2.1",
      operator: "hetzner",
      country: "DE",
      monthlyUsd: 50,
      cpu: 1,
      memoryGb: 2,
      diskGb: 100,
    };
    const err = await rejects(
      () =>
        plan({
          name: "t",
          chains: [{ chain: "devnet", count: 1 }],
          policy: {},
          sites: { baremetal: { hosts: [host] }, akash: {} },
          gateways: { count: 2, sites: ["baremetal"] },
        }),
      InfeasibleError,
    );
    assert.match(err.message, /gateways \(2 vCPU, 4 GB\) fit no site allowed by gateways\.sites: h1 has 1 CPU threads/);
  });
});

describe("spec errors name the field", () => {
  const base = (gateways: string) =>
    `name: t\nchains: [{ chain: bitcoin, count: 2 }]\nsites: { aws: { regions: [us-east-1] }, akash: {} }\ngateways: ${gateways}\n`;
  const cases: Array<[string, RegExp]> = [
    ["{ count: 2, perChain: { bitcoin: 2 } }", /gateways\.perChain: give count .* or perChain .*, not both/],
    ["{ size: small }", /gateways: say how many gateways: count/],
    [
      "{ count: 2, sites: [aws/us-east-2] }",
      /gateways\.sites\[0\]: 'aws\/us-east-2' is not a site of the fleet; did you mean 'aws\/us-east-1'\?/,
    ],
    ["{ count: 2, backup: [gcp] }", /gateways\.backup\[0\]: 'gcp' is not a site of the fleet/],
    ["{ perChain: { etherum: 2 } }", /gateways\.perChain\.etherum: the fleet runs no chain 'etherum'/],
    ["{ count: 2, size: huge }", /gateways\.size: unknown gateway size 'huge' .*known: small, medium, large/],
    ["{ count: 0 }", /gateways\.count: must be at least 1/],
    ["{ count: 2, maxLag: 3 }", /gateways\.maxLag: unknown field .*allowed here: .*maxLagBlocks/],
    ["{ count: 2, traffic: { rps: 3 } }", /gateways\.traffic\.rps: unknown field/],
  ];
  for (const [gateways, message] of cases) {
    test(gateways, () => {
      const err = (() => {
        try {
          resolveFleet(parseFleetYaml(base(gateways), "t.yaml"), cat, "t.yaml");
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      assert.ok(err instanceof SpecError, `no SpecError for ${gateways}`);
      assert.match(err.message, message);
    });
  }
  test("a chain on several networks must be keyed chain/network", () => {
    const text =
      "name: t\nchains: [{ chain: ethereum, count: 1 }, { chain: ethereum, network: sepolia, count: 1 }]\nsites: { akash: {} }\ngateways: { perChain: { ethereum: 2 } }\n";
    assert.throws(
      () => resolveFleet(parseFleetYaml(text), cat),
      /gateways\.perChain\.ethereum: the fleet runs ethereum on several networks \(ethereum\/mainnet, ethereum\/sepolia\); key it by chain\/network/,
    );
  });
});

describe("outage with an access layer", () => {
  let p: Plan;
  test("operator loss: endpoints per chain are the gateways left up, counted here from the plan", async () => {
    p = await planFleet(resolveFleet(example, cat), cat);
    for (const op of new Set([...p.nodes, ...p.gateways].map((x) => x.operator))) {
      const o = simulateOutage(p, example.policy, [{ dim: "operator", value: op }], 1);
      const up = p.gateways.filter((g) => g.operator !== op).map((g) => g.id);
      assert.deepEqual(o.gateways, {
        total: 3,
        down: p.gateways.filter((g) => g.operator === op).map((g) => g.id),
        up,
        accessLayerDown: up.length === 0,
      });
      for (const c of o.chains) {
        const nodesLeft = p.nodes.filter((n) => n.chainKey === c.chain && n.operator !== op).length;
        assert.equal(c.left, nodesLeft);
        assert.deepEqual(c.endpoints, {
          total: 3,
          left: nodesLeft ? up.length : 0,
          required: 1,
          reachable: nodesLeft ? up : [],
        });
      }
      // The plan keeps the policy, so any single operator loss leaves nodes and endpoints.
      assert.equal(o.ok, true, `operator ${op}`);
    }
  });

  test("every gateway operator down: the access layer is down and the outage breaches", () => {
    const failures = [...new Set(p.gateways.map((g) => g.operator))].map((value) => ({
      dim: "operator" as const,
      value,
    }));
    const o = simulateOutage(p, example.policy, failures);
    assert.equal(o.gateways!.accessLayerDown, true);
    assert.ok(o.chains.every((c) => c.endpoints!.left === 0 && !c.ok));
    assert.equal(o.ok, false);
  });

  test("the bare-metal host's operator down takes its nodes and its gateway", () => {
    const o = simulateOutage(p, example.policy, [{ dim: "operator", value: "hetzner" }]);
    assert.ok(
      o.down.length > 0 && o.gateways!.down.length > 0,
      "the example has bare-metal nodes and a bare-metal gateway",
    );
    assert.deepEqual(
      o.down,
      p.nodes.filter((n) => n.operator === "hetzner").map((n) => n.id),
    );
    assert.deepEqual(
      o.gateways!.down,
      p.gateways.filter((g) => g.operator === "hetzner").map((g) => g.id),
    );
  });

  test("a chain whose nodes are all down has no endpoint, though its gateways are up", async () => {
    // No policy: both bitcoin nodes go to the cheapest site, Akash; the gateways may not.
    const q = await plan(small({ count: 2, sites: ["aws/us-east-1", "gcp"] }));
    assert.deepEqual(
      q.nodes.map((n) => n.operator),
      ["akash", "akash"],
    );
    const o = simulateOutage(q, {}, [{ dim: "operator", value: "akash" }]);
    assert.deepEqual(o.gateways!.down, []);
    assert.deepEqual(o.chains[0].endpoints, { total: 2, left: 0, required: 1, reachable: [] });
    assert.equal(o.ok, false);
  });

  test("a value only gateways have is a valid failure; an unknown one is refused", async () => {
    const q = await plan(small({ count: 2, sites: ["gcp", "aws/eu-central-1"] }));
    assert.ok(
      !q.nodes.some((n) => n.operator === "gcp") && q.gateways.some((g) => g.operator === "gcp"),
      "gcp runs a gateway and no node",
    );
    const o = simulateOutage(q, {}, [{ dim: "operator", value: "gcp" }]);
    assert.deepEqual(o.down, []);
    assert.deepEqual(
      o.gateways!.down,
      q.gateways.filter((g) => g.operator === "gcp").map((g) => g.id),
    );
    assert.equal(o.ok, true);
    assert.throws(
      () => simulateOutage(q, {}, [{ dim: "operator", value: "nobody" }]),
      /no node of the plan has operator 'nobody'/,
    );
  });
});

describe("compare with an access layer", () => {
  test("every feasible scenario prices its gateways; the policy rows keep two gateway operators, the single cloud has one", async () => {
    const c = await compareScenarios(example, cat);
    const mine = await planFleet(resolveFleet(example, cat), cat);
    for (const s of c.scenarios) {
      assert.ok("accessMaxOperatorShare" in s && "accessMonthlyUsd" in s, s.name);
      if (!s.feasible) {
        assert.equal(s.accessMaxOperatorShare, null);
        continue;
      }
      assert.equal(s.plan!.gateways.length, 3, s.name);
      assert.equal(s.accessMonthlyUsd, sumCents(s.plan!.gateways.map((g) => g.monthlyUsd)));
      assert.equal(s.monthlyUsd, sumCents([...s.plan!.nodes, ...s.plan!.gateways].map((x) => x.monthlyUsd)));
      assert.equal(
        s.accessMaxOperatorShare,
        Math.round((top(s.plan!.gateways.map((g) => g.operator)) / 3) * 10000) / 10000,
      );
      if (s.name.startsWith("single cloud")) assert.equal(s.accessMaxOperatorShare, 1);
      else assert.ok(s.accessMaxOperatorShare! <= 0.6667, `${s.name}: ${s.accessMaxOperatorShare}`);
    }
    assert.equal(c.scenarios.find((s) => s.name === "your policy")!.monthlyUsd, mine.totals.monthlyUsd);
  });
});
