/**
 * Per-node prices, checked against figures computed by hand from the catalog YAML
 * (catalog/providers/*.yaml, catalog/chains.yaml). A month is 730 hours.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { HOURS_PER_MONTH } from "../../core/catalog/schema";
import { cheapestOption, hostFits, priceStorageClass } from "../../core/costs/options";
import type { Profile } from "../../core/catalog/schema";
import type { Site } from "../../core/fleet-spec/resolve";
import { planFleet } from "../../core/planner/plan";
import { catalog, fleetOf, sumCents } from "./helpers";

const cat = catalog();
const profile = (chain: string, role = "full") => cat.chains.get(chain)!.roles[role];
const custom = (p: Partial<Profile>): Profile => ({ ...profile("bitcoin"), ...p });

const allSites = fleetOf({
  name: "t",
  chains: [{ chain: "bitcoin", count: 1 }],
  sites: {
    aws: { regions: ["us-east-1", "eu-central-1", "ap-southeast-1"] },
    gcp: { regions: ["us-east4", "europe-west3", "asia-southeast1"] },
    azure: { regions: ["eastus", "germanywestcentral", "southeastasia"] },
    akash: {},
  },
}).sites;
const site = (id: string): Site => allSites.find((s) => s.id === id)!;

function option(chain: string, siteId: string) {
  const r = cheapestOption(profile(chain), site(siteId), cat);
  assert.ok(r.ok, `${chain} at ${siteId}: ${!r.ok && r.reason}`);
  return r.option;
}

describe("AWS: gp3 with provisioned IOPS and throughput", () => {
  test("ethereum full in us-east-1", () => {
    // 8 vCPU / 32 GB -> m6i.2xlarge 0.384/h; 4000 GB gp3 0.08/GB (EIP-7870's 4 TB);
    // 8000 IOPS: 5000 above the included 3000 at 0.005; the profile's 500 MB/s is held at the
    // m6i.2xlarge EBS baseline, 312.5 -> 312 MB/s: 187 above 125 at 0.04.
    const o = option("ethereum", "aws/us-east-1");
    assert.equal(o.shape, "m6i.2xlarge");
    assert.deepEqual(o.storage, {
      class: "gp3",
      sizeGb: 4000,
      iops: 8000,
      throughputMBps: 312,
      local: false,
      throughputWantedMBps: 500,
    });
    assert.ok(
      o.sources.some((s) => /m6i\.2xlarge sustains 312\.5 MB\/s to block storage, below the 500 MB\/s asked/.test(s)),
    );
    assert.deepEqual(o.cost, {
      compute: 280.32, // 0.384 * 730
      storage: 322.4, // 4000 * 0.08 + the 30 GB gp3 boot volume
      performance: 32.48, // 5000 * 0.005 + 187 * 0.04
      publicIp: 3.65, // 0.005 * 730
      egress: 135, // 1500 GB at 0.09 (AWS's 100 free GB are per account, not per node)
      total: 773.85,
      egressHigh: 540, // 6000 GB at the high end of the range: 6000 * 0.09
    });
  });

  test("ethereum full in eu-central-1 uses the Frankfurt prices", () => {
    const o = option("ethereum", "aws/eu-central-1");
    // 0.460 * 730 = 335.8; (4000 + 30 boot) * 0.0952 = 383.66; same performance; same egress tiers.
    assert.deepEqual(o.cost, {
      compute: 335.8,
      storage: 383.66,
      performance: 32.48,
      publicIp: 3.65,
      egress: 135,
      total: 890.59,
      egressHigh: 540,
    });
  });

  test("gp3 throughput is held at the instance's EBS baseline, never paid for above it", () => {
    const aws = cat.providers.get("aws")!;
    const gp3 = aws.storageClasses.find((c) => c.id === "gp3")!;
    const prices = aws.storagePrices["us-east-1"];
    const shape = (id: string) => aws.shapes.find((s) => s.id === id)!;
    const p = custom({ diskGb: 1000, iops: 3000, throughputMBps: 500 });
    // No shape: the profile's 500 MB/s, 375 above the included 125 at 0.04.
    assert.equal(priceStorageClass(p, gp3, prices)!.performanceUsd, 15);
    // m6i.xlarge sustains 156.25 MB/s to EBS: 156 provisioned (31 above 125), and the choice says what was asked.
    const small = priceStorageClass(p, gp3, prices, shape("m6i.xlarge"))!;
    assert.equal(small.choice.throughputMBps, 156);
    assert.equal(small.choice.throughputWantedMBps, 500);
    assert.equal(small.performanceUsd, 1.24);
    // m6i.4xlarge sustains 625: the full 500, nothing held.
    const large = priceStorageClass(p, gp3, prices, shape("m6i.4xlarge"))!;
    assert.equal(large.choice.throughputMBps, 500);
    assert.equal(large.choice.throughputWantedMBps, undefined);
    assert.equal(large.performanceUsd, 15);
    // A profile under the included 125 on a machine whose baseline is lower still: the disk delivers the baseline.
    const tiny = priceStorageClass(
      custom({ diskGb: 100, iops: 3000, throughputMBps: 100 }),
      gp3,
      prices,
      shape("m6i.large"),
    )!;
    assert.deepEqual([tiny.choice.throughputMBps, tiny.choice.throughputWantedMBps, tiny.performanceUsd], [81, 100, 0]);
    // A shape without a sourced baseline (m7i) is not capped.
    assert.equal(priceStorageClass(p, gp3, prices, shape("m7i.2xlarge"))!.choice.throughputMBps, 500);
    // Through cheapestOption: every AWS option's disk stays within its shape's baseline.
    for (const chain of ["ethereum", "bitcoin", "scroll", "polygon"]) {
      const o = option(chain, "aws/us-east-1");
      const baseline = shape(o.shape).blockStorage?.baselineThroughputMBps;
      if (baseline && !o.storage.local) assert.ok(o.storage.throughputMBps! <= baseline, `${chain} on ${o.shape}`);
    }
  });

  test("gp3 provisions up to its late-2025 limit of 80,000 IOPS; io2 prices every IOPS", () => {
    const p = custom({ diskGb: 1000, iops: 20000, throughputMBps: 500 });
    const aws = cat.providers.get("aws")!;
    const prices = aws.storagePrices["us-east-1"];
    const gp3 = aws.storageClasses.find((c) => c.id === "gp3")!;
    // 17000 IOPS above the included 3000 at 0.005 = 85; 375 MB/s above 125 at 0.04 = 15.
    assert.equal(priceStorageClass(p, gp3, prices)!.performanceUsd, 100);
    assert.equal(priceStorageClass(custom({ diskGb: 1000, iops: 90000, throughputMBps: 500 }), gp3, prices), undefined);
    const io2 = priceStorageClass(
      p,
      aws.storageClasses.find((c) => c.id === "io2")!,
      prices,
    )!;
    // 1000 GB * 0.125 = 125; 20000 IOPS (none included) * 0.065 = 1300; 1000 MB/s included.
    assert.equal(io2.usd, 125);
    assert.equal(io2.performanceUsd, 1300);
    assert.equal(io2.choice.iops, 20000);
  });
});

describe("Azure: Premium SSD tiers", () => {
  test("bitcoin in eastus: Premium SSD v2 (3000 IOPS, 125 MB/s included) undercuts P30, the smallest fitting tier", () => {
    const azure = cat.providers.get("azure")!;
    const premium = azure.storageClasses.find((c) => c.id === "Premium_LRS")!;
    assert.equal(
      priceStorageClass(cat.chains.get("bitcoin")!.roles.full, premium, azure.storagePrices.eastus)!.choice.tier,
      "P30",
    );
    const o = option("bitcoin", "azure/eastus");
    assert.equal(o.shape, "Standard_D4s_v5");
    assert.equal(o.storage.class, "PremiumV2_LRS");
    // 0.192*730 = 140.16; 1000 GB * 0.0812 + the P4 boot disk 5.28; IP 3.65; 500 * 0.087 = 43.5 (the 100 free GB are per subscription).
    assert.deepEqual(o.cost, {
      compute: 140.16,
      storage: 86.48,
      performance: 0,
      publicIp: 3.65,
      egress: 43.5,
      total: 273.79,
      egressHigh: 174,
    });
  });

  test("cosmoshub (2000 GB) on Premium SSD tiers takes P40, not the bigger P50", () => {
    const azure = cat.providers.get("azure")!;
    const premium = azure.storageClasses.find((c) => c.id === "Premium_LRS")!;
    const priced = priceStorageClass(cat.chains.get("cosmoshub")!.roles.full, premium, azure.storagePrices.eastus)!;
    assert.equal(priced.choice.tier, "P40");
    assert.equal(priced.usd, 259.05); // the retail API's P40 (2026-07-23)
  });

  test("a tier too slow for the IOPS is skipped even if big enough", () => {
    // P20 is 512 GB but only 2300 IOPS; 2400 IOPS needs P30.
    const azure = cat.providers.get("azure")!;
    const priced = priceStorageClass(
      custom({ diskGb: 300, iops: 2400, throughputMBps: 100 }),
      azure.storageClasses[0],
      azure.storagePrices.eastus,
    )!;
    assert.equal(priced.choice.tier, "P30");
    assert.equal(priced.usd, 135.17);
  });

  test("ethereum (8000 IOPS, 4 TB) needs P60 among the Premium SSD tiers; Premium SSD v2 provisions it for less, cheaper than L16s_v3's NVMe", () => {
    const azure = cat.providers.get("azure")!;
    const premium = azure.storageClasses.find((c) => c.id === "Premium_LRS")!;
    const tier = priceStorageClass(cat.chains.get("ethereum")!.roles.full, premium, azure.storagePrices.eastus)!;
    assert.deepEqual([tier.choice.tier, tier.usd], ["P60", 946.08], "P50 has 7,500 IOPS: too few");
    const o = option("ethereum", "azure/eastus");
    assert.equal(o.shape, "Standard_D8s_v5");
    assert.equal(o.storage.class, "PremiumV2_LRS");
    assert.ok(o.cost.storage + o.cost.performance < tier.usd);
    // L16s_v3 alone: 1.392 * 730 = 1016.16 of compute, more than the D8s_v5 with its disk.
    assert.ok(o.cost.total < 1.392 * 730);
  });
});

describe("GCP: performance that grows with disk size", () => {
  test("bitcoin in us-east4 on pd-balanced", () => {
    const o = option("bitcoin", "gcp/us-east4");
    // n2-standard-4 0.218756*730 = 159.69 less the 20% sustained-use discount = 127.75; (1000 + 30 boot) GB
    // pd-balanced at 0.11 = 113.3; 500 GB * 0.12 = 60 (high end 2000 GB: 1024 * 0.12 + 976 * 0.11 = 230.24).
    assert.equal(o.storage.class, "pd-balanced");
    assert.deepEqual(o.cost, {
      compute: 127.75,
      storage: 113.3,
      performance: 0,
      publicIp: 3.65,
      egress: 60,
      total: 304.7,
      egressHigh: 230.24,
    });
  });

  test("pd-ssd grows a small disk until it has the IOPS", () => {
    const gcp = cat.providers.get("gcp")!;
    const ssd = gcp.storageClasses.find((c) => c.id === "pd-ssd")!;
    // 9000 IOPS = 6000 included + 30/GB -> 100 GB.
    const priced = priceStorageClass(
      custom({ diskGb: 50, iops: 9000, throughputMBps: 100 }),
      ssd,
      gcp.storagePrices["us-east4"],
    )!;
    assert.equal(priced.choice.sizeGb, 100);
    assert.equal(priced.usd, 100 * 0.187);
    assert.equal(priced.performanceUsd, 0);
  });

  test("local SSD comes in 375 GB units", () => {
    const gcp = cat.providers.get("gcp")!;
    const local = gcp.storageClasses.find((c) => c.id === "local-ssd")!;
    // 500 MB/s at 0.96 MB/s per GB needs 521 GB; 10000 IOPS at 453/GB needs 23 GB; 521 -> 2 units = 750 GB.
    const priced = priceStorageClass(
      custom({ diskGb: 500, iops: 10000, throughputMBps: 500, localNvme: "required" }),
      local,
      gcp.storagePrices["us-east4"],
    )!;
    assert.equal(priced.choice.sizeGb, 750);
    assert.equal(priced.choice.local, true);
    assert.ok(Math.abs(priced.usd - 750 * 0.088) < 1e-9);
  });

  test("pd-balanced cannot reach 250 MB/s (max 240), so cosmoshub goes to pd-ssd", () => {
    const o = option("cosmoshub", "gcp/us-east4");
    assert.equal(o.storage.class, "pd-ssd");
    assert.equal(o.cost.storage, 2000 * 0.187 + 30 * 0.11);
  });
});

describe("Akash: resource prices", () => {
  test("ethereum: 8 threads, 32 GB, 4000 GB on beta3 (only class with 8000 IOPS), an IP lease, no egress", () => {
    const o = option("ethereum", "akash");
    // 8*1.60 + 32*0.80 = 38.4; 4000 * 0.04 = 160; lease 5.
    assert.equal(o.storage.class, "beta3");
    assert.deepEqual(o.cost, { compute: 38.4, storage: 160, performance: 0, publicIp: 5, egress: 0, total: 203.4 });
  });

  test("bitcoin takes beta2 (3000 IOPS; beta1 has 500)", () => {
    const o = option("bitcoin", "akash");
    // 4*1.6 + 16*0.8 = 19.2; 1000 * 0.03 = 30; 5.
    assert.equal(o.storage.class, "beta2");
    assert.equal(o.cost.total, 54.2);
  });

  test("behind the fleet's gateways the lease also runs the mTLS terminator: 0.5 CPU, 512 MiB, one port", () => {
    const r = cheapestOption(profile("bitcoin"), site("akash"), cat, "on-demand", true);
    assert.ok(r.ok);
    // 54.20 + 0.5*1.60 + 0.5*0.80 + 0.05 = 55.45
    assert.equal(r.option.cost.compute, 19.2 + 1.25);
    assert.equal(r.option.cost.total, 55.45);
    assert.ok(r.option.sources.some((s) => s.includes("mTLS terminator")));
    // Clouds are unaffected: the overlay reaches their nodes.
    const aws = cheapestOption(profile("bitcoin"), site("aws/us-east-1"), cat, "on-demand", true);
    assert.ok(aws.ok);
    assert.equal(aws.option.cost.total, option("bitcoin", "aws/us-east-1").cost.total);
  });
});

describe("bare metal", () => {
  test("a host is priced whole, never per node", () => {
    const bm = fleetOf({
      name: "t",
      chains: [{ chain: "devnet", count: 1 }],
      sites: {
        baremetal: {
          hosts: [
            {
              name: "h",
              address: "192.0.2.1",
              operator: "ovh",
              country: "FR",
              monthlyUsd: 10,
              cpu: 4,
              memoryGb: 8,
              diskGb: 100,
              disk: "hdd",
            },
          ],
        },
      },
    }).sites[0];
    assert.throws(() => cheapestOption(profile("devnet"), bm, cat), /priced by their host/);
    assert.equal(hostFits(profile("devnet"), bm), undefined);
    assert.match(hostFits(profile("bitcoin"), bm)!, /4 CPU threads|8 GB memory|100 GB disk/);
    assert.match(
      hostFits(custom({ vcpu: 1, memoryGb: 1, diskGb: 10, localNvme: "required" }), bm)!,
      /hdd disks, the node needs local NVMe/,
    );
  });

  test("a host's price is shared by its nodes and the shares add up to the host price", async () => {
    const fleet = fleetOf({
      name: "t",
      chains: [{ chain: "devnet", count: 3 }],
      sites: {
        baremetal: {
          hosts: [
            {
              name: "h",
              address: "192.0.2.1",
              operator: "ovh",
              country: "FR",
              monthlyUsd: 10.01,
              cpu: 4,
              memoryGb: 8,
              diskGb: 100,
            },
          ],
        },
      },
    });
    const plan = await planFleet(fleet, cat);
    // 1001 cents over 3 nodes: 334 + 334 + 333.
    assert.deepEqual(plan.nodes.map((n) => n.monthlyUsd).sort(), [3.33, 3.34, 3.34]);
    assert.equal(sumCents(plan.nodes.map((n) => n.monthlyUsd)), 10.01);
    assert.equal(plan.totals.monthlyUsd, 10.01);
    assert.deepEqual(
      plan.hosts.map((h) => [h.name, h.monthlyUsd, h.nodes.length]),
      [["h", 10.01, 3]],
    );
  });

  test("a host is paid once however many nodes it carries (cheaper than Akash here)", async () => {
    // Akash devnet: 1.6 + 0.8 + 10 GB beta1 0.1 + lease 5 = 7.5 per node, so 4 nodes = 30 > host 20.
    assert.equal(option("devnet", "akash").cost.total, 7.5);
    const host = {
      name: "h",
      address: "192.0.2.1",
      operator: "ovh",
      country: "FR",
      monthlyUsd: 20,
      cpu: 8,
      memoryGb: 8,
      diskGb: 100,
    };
    const plan = await planFleet(
      fleetOf({
        name: "t",
        chains: [{ chain: "devnet", count: 4 }],
        sites: { akash: {}, baremetal: { hosts: [host] } },
      }),
      cat,
    );
    assert.equal(plan.totals.monthlyUsd, 20);
    assert.ok(plan.nodes.every((n) => n.host === "h"));
    // With 2 nodes Akash (15) beats the host (20).
    const two = await planFleet(
      fleetOf({
        name: "t",
        chains: [{ chain: "devnet", count: 2 }],
        sites: { akash: {}, baremetal: { hosts: [host] } },
      }),
      cat,
    );
    assert.equal(two.totals.monthlyUsd, 15);
    assert.equal(two.hosts.length, 0);
  });
});

test("HOURS_PER_MONTH is the 730 the catalog comments assume", () => {
  assert.equal(HOURS_PER_MONTH, 730);
});
