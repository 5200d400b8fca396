/**
 * The spec's `monitoring` section in the planner: monitors are placed like gateways (at least two
 * operators, never all in one region, one left after any operator loss, one per host), priced in
 * the plan's totals and in `compare`, and carry the spec's settings to the components.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { compareScenarios } from "../../core/compare/scenarios";
import { InfeasibleError, SpecError } from "../../core/errors";
import { validateFleetObject } from "../../core/fleet-spec/parse";
import { planToJson } from "../../core/plan/file";
import { planFleet } from "../../core/planner/plan";
import { catalog, fleetOf, rejects, sumCents } from "./helpers";

const cat = catalog();
const host = (name: string, operator: string, country: string) => ({
  name,
  address: `203.0.113.${10 + name.length}`,
  operator,
  country,
  monthlyUsd: 40,
  cpu: 8,
  memoryGb: 32,
  diskGb: 2000,
});
const spec = (monitoring: unknown, hosts = [host("a", "hetzner", "DE"), host("bb", "ovh", "FR")]) => ({
  name: "t",
  chains: [{ chain: "bitcoin", count: 2 }],
  sites: { aws: { regions: ["us-east-1"] }, baremetal: { hosts } },
  policy: {},
  monitoring,
});

describe("monitoring in the planner", () => {
  test("two monitors by default, on two operators and two regions, one per host, with the spec's settings", async () => {
    const p = await planFleet(fleetOf(spec({ scrapeIntervalSeconds: 5 })), cat);
    const monitors = p.monitors ?? [];
    assert.equal(monitors.length, 2);
    assert.equal(new Set(monitors.map((m) => m.operator)).size, 2);
    assert.equal(new Set(monitors.map((m) => m.region)).size, 2);
    assert.ok(monitors.every((m) => m.id.startsWith("monitor-")));
    assert.deepEqual(
      monitors.map((m) => [
        m.retention,
        m.scrapeIntervalSeconds,
        m.downAfterSeconds,
        m.groupWaitSeconds,
        m.groupIntervalSeconds,
      ]),
      [
        ["15d", 5, 120, 30, 300],
        ["15d", 5, 120, 30, 300],
      ],
    );
    for (const rule of ["monitors.minOperators", "monitors.survive.operatorLoss", "monitors.survive.regionLoss"])
      assert.equal(p.policy.checks.find((c) => c.rule === rule)?.ok, true, rule);
    // No node or gateway id is a monitor's; hosts list their monitors apart.
    assert.ok(p.nodes.every((n) => !n.id.startsWith("monitor-")));
    const listed = p.hosts.flatMap((h) => h.monitors ?? []);
    assert.deepEqual(
      listed.sort(),
      monitors
        .filter((m) => m.host)
        .map((m) => m.id)
        .sort(),
    );
  });

  test("the monitors' cost is in the total and in totals.monitors", async () => {
    const p = await planFleet(fleetOf(spec({ sites: ["aws", "baremetal/a"] }, [host("a", "hetzner", "DE")])), cat);
    const monitors = p.monitors!;
    assert.deepEqual(monitors.map((m) => m.provider).sort(), ["aws", "baremetal"]);
    assert.equal(p.totals.monitors?.monthlyUsd, sumCents(monitors.map((m) => m.monthlyUsd)));
    assert.equal(
      p.totals.monthlyUsd,
      sumCents([...p.nodes, ...p.gateways, ...monitors].map((x) => x.monthlyUsd)),
      "the total is nodes plus monitors",
    );
    const vm = monitors.find((m) => m.provider === "aws")!;
    assert.ok(vm.monthlyUsd > 0 && vm.storage?.sizeGb === 50, "the AWS monitor is a priced VM with its 50 GB disk");
    assert.ok((planToJson(p) as { monitors?: unknown[] }).monitors?.length === 2, "the JSON plan lists them");
  });

  test("monitors on one operator only: infeasible, saying so in the spec's words", async () => {
    const e = await rejects(
      () =>
        planFleet(
          fleetOf({ ...spec({ sites: ["baremetal"] }, [host("a", "hetzner", "DE"), host("bb", "hetzner", "FI")]) }),
          cat,
        ),
      InfeasibleError,
    );
    assert.match(e.message, /monitors run on at least 2 operators.*monitoring\.sites/);
  });

  test("count 1 and an unknown size are refused naming the field", async () => {
    const one = await rejects(() => fleetOf(spec({ count: 1 })), SpecError);
    assert.match(one.message, /monitoring\.count/);
    const size = await rejects(() => fleetOf(spec({ size: "huge" })), SpecError);
    assert.match(size.message, /monitoring\.size.*unknown machine size/);
  });

  test("compare prices the monitors in every scenario, the single-cloud baselines included", async () => {
    const base = spec({});
    const withOut = await compareScenarios(validateFleetObject({ ...base, monitoring: undefined }), cat);
    const withMon = await compareScenarios(validateFleetObject(base), cat);
    const row = (c: typeof withMon, name: string) => c.scenarios.find((s) => s.name === name)!;
    const single = "single cloud, one region";
    assert.ok(row(withMon, single).feasible, row(withMon, single).reason ?? "");
    assert.ok(row(withMon, single).monthlyUsd! > row(withOut, single).monthlyUsd!, "two monitor VMs cost money");
    assert.equal(row(withMon, single).plan!.monitors!.length, 2);
  });
});
