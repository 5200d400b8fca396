import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, test } from "node:test";
import { hostMonthlyUsd } from "../../core/costs/hosts";
import { parseFleetFile } from "../../core/fleet-spec/parse";
import { resolveFleet } from "../../core/fleet-spec/resolve";
import { planFleet } from "../../core/planner/plan";
import { catalog, ROOT } from "./helpers";

describe("a rented host's setup fee", () => {
  test("is spread over the spec's term (12 months unless it says), in the plan's prices", async () => {
    assert.equal(hostMonthlyUsd({ monthlyUsd: 120 }), 120);
    assert.equal(hostMonthlyUsd({ monthlyUsd: 120, setupUsd: 240 }), 140);
    assert.equal(hostMonthlyUsd({ monthlyUsd: 120, setupUsd: 240, setupMonths: 24 }), 130);
    const cat = catalog();
    const spec = parseFleetFile(join(ROOT, "examples", "fleet.yaml"));
    const withFee = structuredClone(spec);
    withFee.sites.baremetal!.hosts[0] = { ...withFee.sites.baremetal!.hosts[0], setupUsd: 240, setupMonths: 12 };
    const [plain, fee] = await Promise.all([
      planFleet(resolveFleet(spec, cat), cat),
      planFleet(resolveFleet(withFee, cat), cat),
    ]);
    const host = spec.sites.baremetal!.hosts[0].name;
    const onHost = (p: typeof plain) =>
      [...p.nodes, ...p.gateways].filter((n) => n.host === host).reduce((a, n) => a + n.monthlyUsd, 0);
    assert.ok(onHost(plain) > 0, "the example uses the host");
    assert.equal(Math.round((onHost(fee) - onHost(plain)) * 100) / 100, 20);
  });
});
