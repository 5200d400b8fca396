// The cost model around the catalog's prices: boot disks, GCP sustained use, egress tiers and range, Premium SSD v2,
// purchase options. Expected figures are recomputed here from the catalog's own numbers, not copied from the code.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Profile } from "../../core/catalog/schema";
import { HOURS_PER_MONTH } from "../../core/catalog/schema";
import { cheapestOption, egressUsd, type NodeOption } from "../../core/costs/options";
import type { Site } from "../../core/fleet-spec/resolve";
import { catalog } from "./helpers";

const site = (provider: "aws" | "gcp" | "azure", region: string): Site => ({
  id: `${provider}/${region}`,
  provider,
  operator: provider,
  region,
  country: "US",
  jurisdiction: "US",
  legal: ["cloudAct"],
  cloudAct: true,
});
const eth = (): Profile => catalog().chains.get("ethereum")!.roles.full;
const option = (
  provider: "aws" | "gcp" | "azure",
  region: string,
  profile = eth(),
  pricing?: "committed-1y" | "spot",
): NodeOption => {
  const r = cheapestOption(profile, site(provider, region), catalog(), pricing);
  assert.ok(r.ok, r.ok ? "" : r.reason);
  return r.option;
};
const near = (a: number, b: number) => assert.ok(Math.abs(a - b) < 0.011, `${a} != ${b}`);
const provider = (id: "aws" | "gcp" | "azure") => catalog().providers.get(id)!;

describe("cost model", () => {
  test("every cloud VM's boot disk is priced with its storage", () => {
    const o = option("aws", "us-east-1");
    const gp3 = provider("aws").storagePrices["us-east-1"].find((p) => p.class === "gp3")!.usdPerGbMonth!;
    near(o.cost.storage, o.storage.sizeGb * gp3 + 30 * gp3);
    assert.ok(o.sources.some((s) => s.startsWith("boot disk 30 GB gp3")));
  });

  test("GCP's sustained-use discount is applied to N2 on demand, and committed use replaces it", () => {
    const o = option("gcp", "us-east4");
    assert.ok(o.shape.startsWith("n2-"));
    const list =
      provider("gcp").computePrices["us-east4"].find((p) => p.shape === o.shape)!.usdPerHour * HOURS_PER_MONTH;
    near(o.cost.compute, list * 0.8);
    const committed = option("gcp", "us-east4", eth(), "committed-1y");
    const list1 =
      provider("gcp").computePrices["us-east4"].find((p) => p.shape === committed.shape)!.usdPerHour * HOURS_PER_MONTH;
    near(committed.cost.compute, list1 * (1 - provider("gcp").purchaseOptions!["committed-1y"]!.computeDiscount));
  });

  test("egress follows the region's free allowance and volume tiers", () => {
    const aws = provider("aws");
    // AWS's 100 GB a month are free per account, not per instance: a node's egress is priced from its first GB.
    assert.equal(egressUsd(100, aws, "us-east-1"), 100 * 0.09);
    near(egressUsd(12_000, aws, "us-east-1"), 10_240 * 0.09 + (12_000 - 10_240) * 0.085);
    near(egressUsd(1_000, aws, "ap-southeast-1"), 1_000 * 0.12);
    assert.ok(
      egressUsd(5_000, aws, "ap-southeast-1") > egressUsd(5_000, aws, "us-east-1"),
      "Singapore costs more than Virginia",
    );
  });

  test("egress is a range: the plan is priced at the low end, the high end is kept beside it", () => {
    const o = option("aws", "us-east-1");
    const p = eth();
    near(o.cost.egress, egressUsd(p.egressGbMonth, provider("aws"), "us-east-1"));
    near(o.cost.egressHigh!, egressUsd(p.egressGbMonthHigh!, provider("aws"), "us-east-1"));
    assert.ok(o.cost.egressHigh! > o.cost.egress);
    near(o.cost.total, o.cost.compute + o.cost.storage + o.cost.performance + o.cost.publicIp + o.cost.egress);
  });

  test("Azure reaches 8,000 IOPS at 4 TB through Premium SSD v2, provisioned above what it includes", () => {
    const o = option("azure", "eastus");
    assert.equal(o.storage.class, "PremiumV2_LRS");
    const p = eth();
    const v2 = provider("azure").storageClasses.find((c) => c.id === "PremiumV2_LRS")!;
    const perGb = provider("azure").storagePrices.eastus.find((x) => x.class === "PremiumV2_LRS")!.usdPerGbMonth!;
    near(
      o.cost.performance,
      (p.iops - v2.iops!.included) * v2.iops!.provisionedUsdPerMonth! +
        (p.throughputMBps - v2.throughputMBps!.included) * v2.throughputMBps!.provisionedUsdPerMonth!,
    );
    const p4 = provider("azure").storagePrices.eastus.find((x) => x.tier === "P4")!.usdPerMonth!;
    near(o.cost.storage, p.diskGb * perGb + p4);
  });

  test("spot and committed use discount compute only", () => {
    const onDemand = option("aws", "us-east-1");
    const spot = option("aws", "us-east-1", eth(), "spot");
    assert.equal(spot.shape, onDemand.shape);
    near(spot.cost.compute, onDemand.cost.compute * (1 - provider("aws").purchaseOptions!.spot!.computeDiscount));
    near(spot.cost.storage, onDemand.cost.storage);
  });
});
