/**
 * The program on a deployed stack (program/deploy.ts) under Pulumi mocks: the stack's own last
 * outputs (read through its StackReference) hold nodes and gateways; the program plans with them as
 * the previous plan, so the deployed gateways keep their sites, like the nodes, even where a fresh
 * plan would put them elsewhere (a moved gateway has a new address, DNS records and certificate).
 */
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { installMocks, loadStackConfig, settle, value } from "./harness";

const h = installMocks("redeploy");
const dir = mkdtempSync(join(tmpdir(), "sovereign-redeploy-"));
const spec = {
  name: "re",
  chains: [{ chain: "ethereum", network: "hoodi", count: 3 }],
  sites: {
    aws: { regions: ["eu-central-1"] },
    gcp: { regions: ["europe-west3"] },
    azure: { regions: ["germanywestcentral"] },
  },
  gateways: { count: 2, sites: ["aws", "gcp", "azure"] },
  policy: { maxShare: { operator: 0.5 } },
};
const specFile = join(dir, "fleet.yaml");
writeFileSync(specFile, stringify(spec));
loadStackConfig({
  "sovereign:fleetFile": specFile,
  "sovereign:gcpProject": "sovereign-test",
  "sovereign:overlay": "true",
});

import type { Plan } from "../../core/plan";
import type { FleetGatewayOutput } from "../../components";

let fresh: Plan;
/** A gateway site the fresh plan leaves out: where the deployed stack has one. */
let deployedSite: string;
let gateways: Record<string, FleetGatewayOutput>;

before(async () => {
  const { planFromConfig, deploy } = await import("../../program/deploy");
  const { readConfig } = await import("../../program/config");
  fresh = await planFromConfig(readConfig());
  const used = new Set(fresh.gateways.map((g) => g.site));
  deployedSite = ["aws/eu-central-1", "gcp/europe-west3", "azure/germanywestcentral"].find((s) => !used.has(s))!;
  const [provider, region] = deployedSite.split("/");
  const kept = fresh.gateways[0];
  const moved = { id: `gateway-${provider}-${region}-1`, site: deployedSite, provider, region };
  h.stackOutputs = {
    nodes: Object.fromEntries(fresh.nodes.map((n) => [n.id, { id: n.id, site: n.site, clients: n.clients }])),
    gateways: { [kept.id]: { id: kept.id, site: kept.site }, [moved.id]: moved },
  };
  const outputs = await deploy();
  gateways = await value(outputs.gateways);
  await settle();
});

describe("a deployed stack's next up", () => {
  it("keeps both deployed gateways on their sites, though a fresh plan would move one", () => {
    assert.ok(deployedSite, "the fresh plan leaves one of the three gateway sites out");
    assert.deepEqual(
      Object.values(gateways)
        .map((g) => g.site)
        .sort(),
      [fresh.gateways[0].site, deployedSite].sort(),
    );
  });

  it("builds each cloud gateway's disk at the size the catalog prices (gateways.sizes diskGb), not smaller", async () => {
    const { loadCatalog } = await import("../../core/catalog/load");
    const priced = loadCatalog().gateways.sizes.small.diskGb;
    const sizeOf: Record<string, (inputs: Record<string, any>) => number> = {
      "aws:ebs/volume:Volume": (i) => i.size,
      "gcp:compute/disk:Disk": (i) => i.size,
      "azure-native:compute:Disk": (i) => i.diskSizeGB,
    };
    for (const id of Object.keys(gateways)) {
      const disks = h.resources.filter((r) => r.name.startsWith(`re-${id}-`) && sizeOf[r.type]);
      assert.equal(disks.length, 1, `${id} has one data disk`);
      assert.ok(sizeOf[disks[0].type](disks[0].inputs) >= priced, `${id}: ${JSON.stringify(disks[0].inputs)}`);
    }
  });

  it("deploys the gateways on the sites it reports", () => {
    const gatewayHosts = h.resources.filter((r) => r.type.startsWith("sovereign:") && /gateway/i.test(r.name));
    assert.ok(gatewayHosts.some((r) => r.name.includes(deployedSite.split("/")[0])));
  });
});
