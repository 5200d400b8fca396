/**
 * `sovereign cost` on previews of hand-written programs (no Sovereign components, no tags), in the
 * `pulumi preview --json` form the CLI prints: every known resource priced from the catalog (the
 * expected figures computed here from catalog entries), unknown ones listed, egress from a usage
 * file, Infracost's JSON schema, --compare-to and --budget.
 */
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { loadCatalog } from "../../core/catalog/load";
import { ROOT } from "../components/harness";

const catalog = loadCatalog();
const dir = mkdtempSync(join(tmpdir(), "sovereign-cost-hand-"));
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

const hour = (p: "aws" | "gcp" | "azure", region: string, shape: string) =>
  catalog.providers.get(p)!.computePrices[region].find((c) => c.shape === shape)!.usdPerHour;
const perGb = (p: "aws" | "gcp" | "azure", region: string, cls: string) =>
  catalog.providers.get(p)!.storagePrices[region].find((s) => s.class === cls)!.usdPerGbMonth!;
const tier = (region: string, t: string) =>
  catalog.providers.get("azure")!.storagePrices[region].find((s) => s.tier === t)!.usdPerMonth!;
const ip = (p: "aws" | "gcp" | "azure") => catalog.providers.get(p)!.network!.publicIpv4UsdPerHour.value * 730;
const egress = (p: "aws" | "gcp" | "azure") => catalog.providers.get(p)!.network!.egressUsdPerGb.value;

interface Res {
  type: string;
  name: string;
  inputs: object;
  provider?: string;
  custom?: boolean;
}
function preview(resources: Res[], config: Record<string, string> = {}): string {
  const urn = (r: Res) => `urn:pulumi:dev::hand::${r.type}::${r.name}`;
  const doc = {
    config,
    steps: resources.map((r) => ({
      op: "create",
      urn: urn(r),
      provider: r.provider,
      newState: { urn: urn(r), custom: r.custom ?? true, type: r.type, inputs: r.inputs, provider: r.provider },
    })),
    changeSummary: { create: resources.length },
  };
  const file = join(dir, `preview-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(doc));
  return file;
}
const sovereign = (...args: string[]) =>
  spawnSync("node", [join(ROOT, "bin", "sovereign.js"), ...args], { encoding: "utf8" });
const json = (file: string, ...args: string[]) =>
  JSON.parse(
    execFileSync("node", [join(ROOT, "bin", "sovereign.js"), "cost", file, "--format", "json", ...args], {
      encoding: "utf8",
    }),
  );
const find = (j: any, name: string) => j.projects[0].breakdown.resources.find((r: any) => r.name === name);

const AWS_PROVIDER = "urn:pulumi:dev::hand::pulumi:providers:aws::frankfurt::p-1";
const aws: Res[] = [
  { type: "pulumi:providers:aws", name: "frankfurt", inputs: { region: "eu-central-1" } },
  {
    type: "aws:ec2/instance:Instance",
    name: "node",
    provider: AWS_PROVIDER,
    inputs: {
      ami: "ami-1",
      instanceType: "r6i.2xlarge",
      subnetId: UNKNOWN,
      rootBlockDevice: { volumeType: "gp3", volumeSize: 50 },
    },
  },
  {
    type: "aws:ebs/volume:Volume",
    name: "chain",
    provider: AWS_PROVIDER,
    inputs: { availabilityZone: "eu-central-1b", type: "io2", size: 3000, iops: 20000, encrypted: true },
  },
  {
    type: "aws:ebs/volume:Volume",
    name: "fast",
    provider: AWS_PROVIDER,
    inputs: {
      availabilityZone: "eu-central-1b",
      type: "gp3",
      size: 1000,
      iops: 8000,
      throughput: 500,
      encrypted: true,
    },
  },
  { type: "aws:ec2/eip:Eip", name: "ip", provider: AWS_PROVIDER, inputs: { domain: "vpc", instance: UNKNOWN } },
  {
    type: "aws:lb/loadBalancer:LoadBalancer",
    name: "alb",
    provider: AWS_PROVIDER,
    inputs: { loadBalancerType: "application" },
  },
  { type: "aws:ec2/securityGroup:SecurityGroup", name: "sg", provider: AWS_PROVIDER, inputs: { ingress: [] } },
];

describe("sovereign cost on hand-written programs' previews", () => {
  it("AWS: instance + root disk, io2 and gp3 volumes with provisioned IOPS/throughput, an Elastic IP; the ALB is listed unpriced", () => {
    const j = json(preview(aws));
    const r = "eu-central-1";
    const instance = hour("aws", r, "r6i.2xlarge") * 730 + 50 * perGb("aws", r, "gp3");
    const io2 = 3000 * perGb("aws", r, "io2") + 20000 * 0.065;
    const gp3 = 1000 * perGb("aws", r, "gp3") + (8000 - 3000) * 0.005 + (500 - 125) * 0.04;
    assert.equal(
      catalog.providers.get("aws")!.storageClasses.find((c) => c.id === "io2")!.iops!.provisionedUsdPerMonth,
      0.065,
    );
    assert.ok(Math.abs(Number(find(j, "node").monthlyCost) - instance) < 1e-6);
    assert.ok(Math.abs(Number(find(j, "chain").monthlyCost) - io2) < 1e-6);
    assert.ok(Math.abs(Number(find(j, "fast").monthlyCost) - gp3) < 1e-6);
    assert.ok(Math.abs(Number(find(j, "ip").monthlyCost) - ip("aws")) < 1e-6);
    assert.equal(Number(j.totalMonthlyCost), Math.round((instance + io2 + gp3 + ip("aws")) * 100) / 100);
    assert.deepEqual(
      j.projects[0].metadata.unpricedResources.map((u: any) => u.name),
      ["alb"],
    );
    assert.equal(j.projects[0].summary.unsupportedResourceCounts["aws:lb/loadBalancer:LoadBalancer"], 1);
    assert.ok(
      find(j, "sg") === undefined &&
        j.projects[0].summary.noPriceResourceCounts["aws:ec2/securityGroup:SecurityGroup"] === 1,
    );
  });

  it("GCP and Azure: instances, disks, addresses and public IPs, regions from zone, location or the stack config", () => {
    const j = json(
      preview(
        [
          {
            type: "gcp:compute/instance:Instance",
            name: "g",
            inputs: {
              machineType: "n2-highmem-8",
              zone: "europe-west3-a",
              bootDisk: { initializeParams: { size: 100, type: "pd-ssd" } },
              scratchDisks: [{ interface: "NVME" }, { interface: "NVME" }],
            },
          },
          { type: "gcp:compute/disk:Disk", name: "gd", inputs: { type: "pd-balanced", size: 2000 } },
          { type: "gcp:compute/address:Address", name: "ga", inputs: { region: "europe-west3" } },
          {
            type: "gcp:compute/address:Address",
            name: "internal",
            inputs: { region: "europe-west3", addressType: "INTERNAL" },
          },
          {
            type: "azure-native:compute:VirtualMachine",
            name: "z",
            inputs: { location: "West Europe", hardwareProfile: { vmSize: "Standard_E8s_v5" } },
          },
          {
            type: "azure-native:compute:VirtualMachine",
            name: "zz",
            inputs: {
              hardwareProfile: { vmSize: "Standard_E8s_v5" },
              storageProfile: { osDisk: { diskSizeGB: 64, managedDisk: { storageAccountType: "Premium_LRS" } } },
            },
          },
          { type: "azure-native:compute:Disk", name: "zd", inputs: { sku: { name: "Premium_LRS" }, diskSizeGB: 600 } },
          { type: "azure-native:network:PublicIPAddress", name: "zip", inputs: {} },
        ],
        { "gcp:zone": "europe-west3-b", "azure-native:location": "germanywestcentral" },
      ),
    );
    const g =
      hour("gcp", "europe-west3", "n2-highmem-8") * 730 +
      100 * perGb("gcp", "europe-west3", "pd-ssd") +
      750 * perGb("gcp", "europe-west3", "local-ssd");
    assert.ok(Math.abs(Number(find(j, "g").monthlyCost) - g) < 1e-6);
    assert.ok(
      Math.abs(Number(find(j, "gd").monthlyCost) - 2000 * perGb("gcp", "europe-west3", "pd-balanced")) < 1e-6,
      "region from gcp:zone",
    );
    assert.ok(Math.abs(Number(find(j, "ga").monthlyCost) - ip("gcp")) < 1e-6);
    assert.equal(find(j, "internal"), undefined, "internal addresses are free");
    // westeurope is not in the catalog: listed unpriced with the reason, not guessed.
    const unpriced = j.projects[0].metadata.unpricedResources;
    assert.deepEqual(
      unpriced.map((u: any) => u.name),
      ["z"],
    );
    assert.match(unpriced[0].notes.join(" "), /no azure prices for region westeurope/);
    const zz = hour("azure", "germanywestcentral", "Standard_E8s_v5") * 730 + tier("germanywestcentral", "P10");
    assert.ok(
      Math.abs(Number(find(j, "zz").monthlyCost) - zz) < 1e-6,
      "location from azure-native:location; 64 GB -> P10",
    );
    assert.ok(Math.abs(Number(find(j, "zd").monthlyCost) - tier("germanywestcentral", "P30")) < 1e-6, "600 GB -> P30");
    assert.ok(Math.abs(Number(find(j, "zip").monthlyCost) - ip("azure")) < 1e-6);
  });

  it("follows Infracost's JSON schema: version, currency, projects[].breakdown.resources[].costComponents[] as decimal strings", () => {
    const j = json(preview(aws));
    assert.equal(j.version, "0.2");
    assert.equal(j.currency, "USD");
    const node = find(j, "node");
    assert.equal(node.resourceType, "aws:ec2/instance:Instance");
    for (const c of node.costComponents)
      for (const k of ["name", "unit", "monthlyQuantity", "price", "monthlyCost"]) assert.ok(k in c, k);
    const hours = node.costComponents[0];
    assert.deepEqual(
      [hours.unit, hours.monthlyQuantity, hours.price],
      ["hours", "730", String(hour("aws", "eu-central-1", "r6i.2xlarge"))],
    );
    const out = node.costComponents.find((c: any) => c.usageBased);
    assert.deepEqual([out.monthlyQuantity, out.monthlyCost, out.price], [null, null, String(egress("aws"))]);
    assert.equal(typeof j.totalMonthlyCost, "string");
  });

  it("prices egress from a usage file (by name, then by type), and rejects a bad one naming the field", () => {
    const usage = join(dir, "usage.yml");
    writeFileSync(usage, "version: 0.1\nresource_usage:\n  node:\n    monthly_egress_gb: 1000\n");
    const base = Number(json(preview(aws)).totalMonthlyCost);
    const j = json(preview(aws), "--usage", usage);
    assert.equal(Number(j.totalMonthlyCost), Math.round((base + 1000 * egress("aws")) * 100) / 100);
    writeFileSync(usage, "version: 0.1\nresource_usage:\n  node:\n    egress: 1000\n");
    const bad = sovereign("cost", preview(aws), "--usage", usage);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /usage\.yml: resource_usage\.node/);
  });

  it("--compare-to shows the change per resource; md is a PR comment; bad input exits 2", () => {
    const baseFile = join(dir, "base.json");
    writeFileSync(baseFile, JSON.stringify(json(preview(aws.slice(0, 3)))));
    const j = json(preview(aws), "--compare-to", baseFile);
    const d = j.projects[0].diff.resources.map((r: any) => [r.name, r.change]);
    assert.deepEqual(d.sort(), [
      ["fast", "added"],
      ["ip", "added"],
    ]);
    assert.equal(
      Number(j.diffTotalMonthlyCost),
      Math.round((Number(j.totalMonthlyCost) - Number(j.pastTotalMonthlyCost)) * 100) / 100,
    );
    const md = sovereign("cost", preview(aws), "--compare-to", baseFile, "--format", "md").stdout;
    assert.match(md, /^### 💰 Sovereign cost estimate/);
    assert.match(md, /Monthly cost will increase by \*\*\$\d/);
    assert.match(md, /\| added \| `fast` \|/);
    const notJson = join(dir, "x.json");
    writeFileSync(notJson, '{"hello": 1}');
    const r = sovereign("cost", notJson);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /neither a preview .* nor a stack export/);
    assert.equal(sovereign("cost", preview(aws), "--budget", "-5").status, 2);
  });
});
