/**
 * `sovereign cost` on a preview of our own example stack (stacks/Pulumi.example.yaml, run through
 * the real program under Pulumi mocks and written in `pulumi preview --json` form): the total equals
 * the catalog's prices for what the plan placed, computed here from the catalog and the plan alone.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { installMocks, loadStackConfig, readStackFile, ROOT, settle, value } from "../components/harness";
import { previewDocument } from "./mock-preview";

const h = installMocks("example");
loadStackConfig(readStackFile("example"));

import type { Catalog } from "../../core/catalog/load";
import type { Plan } from "../../core/plan";

let plan: Plan;
let catalog: Catalog;
let file: string;

const BOOT_DISK_GB = 30;

/** What the plan's resources cost by the catalog: shape hours, data disk, provisioned performance, IP, boot disk. */
function expectedMonthly(): number {
  let total = 0;
  for (const n of plan.nodes) {
    const p = catalog.providers.get(n.provider as "aws" | "gcp" | "azure")!;
    total += p.computePrices[n.region].find((c) => c.shape === n.shape)!.usdPerHour * 730;
    total += p.network!.publicIpv4UsdPerHour.value * 730;
    const prices = p.storagePrices[n.region];
    if (n.storage.class !== "instance-nvme") {
      const price = prices.find((s) => s.class === n.storage.class && s.tier === n.storage.tier)!;
      total += price.usdPerMonth ?? price.usdPerGbMonth! * n.storage.sizeGb;
      const cls = p.storageClasses.find((c) => c.id === n.storage.class)!;
      if (!cls.tiers && cls.iops?.provisionedUsdPerMonth)
        total += Math.max(0, n.storage.iops! - cls.iops.included) * cls.iops.provisionedUsdPerMonth;
      if (!cls.tiers && cls.throughputMBps?.provisionedUsdPerMonth)
        total +=
          Math.max(0, n.storage.throughputMBps! - cls.throughputMBps.included) *
          cls.throughputMBps.provisionedUsdPerMonth;
    }
    // Boot disks: gp3 (AWS), pd-balanced (GCP), the smallest Premium SSD tier holding 30 GB (Azure).
    if (n.provider === "aws") total += BOOT_DISK_GB * prices.find((s) => s.class === "gp3")!.usdPerGbMonth!;
    if (n.provider === "gcp") total += BOOT_DISK_GB * prices.find((s) => s.class === "pd-balanced")!.usdPerGbMonth!;
    if (n.provider === "azure") {
      const tiers = p.storageClasses
        .find((c) => c.id === "Premium_LRS")!
        .tiers!.filter((t) => t.sizeGb >= BOOT_DISK_GB);
      const smallest = tiers.sort((a, b) => a.sizeGb - b.sizeGb)[0];
      total += prices.find((s) => s.class === "Premium_LRS" && s.tier === smallest.id)!.usdPerMonth!;
    }
  }
  return Math.round(total * 100) / 100;
}

before(async () => {
  const { deploy, planFromConfig } = await import("../../program/deploy");
  const { readConfig } = await import("../../program/config");
  const { loadCatalog } = await import("../../core/catalog/load");
  catalog = loadCatalog();
  plan = await planFromConfig(readConfig());
  await value((await deploy()).nodes);
  await settle();
  file = join(mkdtempSync(join(tmpdir(), "sovereign-cost-")), "preview.json");
  writeFileSync(file, JSON.stringify(previewDocument(h.resources, "example")));
});

const cost = (...args: string[]) =>
  execFileSync("node", [join(ROOT, "bin", "sovereign.js"), "cost", file, ...args], { encoding: "utf8" });

describe("sovereign cost on the example stack's preview", () => {
  it("totals the catalog's prices of the planned nodes (plus boot disks), nothing left unpriced", () => {
    const json = JSON.parse(cost("--format", "json"));
    assert.equal(Number(json.totalMonthlyCost), expectedMonthly());
    assert.equal(
      json.projects[0].summary.totalUnsupportedResources,
      0,
      JSON.stringify(json.projects[0].metadata.unpricedResources),
    );
    // Every node's machine is priced at its planned shape.
    const names = json.projects[0].breakdown.resources.map((r: { name: string }) => r.name);
    for (const n of plan.nodes) assert.ok(names.includes(`eth-btc-example-${n.id}-vm`), n.id);
  });

  it("agrees with the plan's own figures where both count the same things (compute, storage, performance, IPs)", () => {
    const json = JSON.parse(cost("--format", "json"));
    const b = plan.totals.breakdown;
    const planned = b.compute + b.storage + b.performance + b.publicIp;
    const boot = Number(json.totalMonthlyCost) - planned;
    // What remains is exactly the six 30 GB boot disks the plan does not price.
    assert.ok(boot > 0 && boot < 6 * 20, `boot disks: ${boot}`);
  });

  it("prints a table with the total and exits 1 above --budget", () => {
    const out = cost();
    assert.ok(
      out.startsWith(
        `Monthly cost of preview.json: $${expectedMonthly().toLocaleString("en-US", { minimumFractionDigits: 2 })}`,
      ),
      out.slice(0, 200),
    );
    assert.throws(
      () => cost("--budget", "100"),
      (e: { status: number; stdout: string }) => e.status === 1 && /EXCEEDED/.test(e.stdout),
    );
    assert.match(cost("--budget", "100000"), /Budget: \$100,000\.00\/month — ok/);
  });
});
