/**
 * Hetzner Cloud, the provider added as one folder (core/providers/hetzner, components/hetzner,
 * catalog/providers/hetzner.yaml), under Pulumi mocks: the planner places nodes and a gateway on it,
 * the Fleet deploys them through its binding (server, volume, firewall, labels), and the resource
 * reader and `cost` read the servers back from the recorded resources.
 */
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { installMocks, settle, value } from "./harness";

const h = installMocks("hetzner");

import type { Plan } from "../../core/plan";
import type { Catalog } from "../../core/catalog/load";
let plan: Plan;
let catalog: Catalog;

before(async () => {
  const C = await import("../../components");
  const { loadCatalog } = await import("../../core/catalog/load");
  const { validateFleetObject } = await import("../../core/fleet-spec/parse");
  const { resolveFleet } = await import("../../core/fleet-spec/resolve");
  const { planFleet } = await import("../../core/planner/plan");
  catalog = loadCatalog();
  const spec = validateFleetObject({
    name: "eu",
    chains: [{ chain: "bitcoin", network: "signet", count: 2 }],
    sites: { hetzner: { regions: ["fsn1", "hel1"] }, aws: { regions: ["eu-central-1"] } },
    gateways: { count: 2, sites: ["hetzner", "aws"] },
    policy: { maxShare: { operator: 1 } },
  });
  plan = await planFleet(resolveFleet(spec, catalog), catalog);
  const fleet = new C.Fleet("eu", {
    plan,
    catalog,
    sshPublicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIH0 admin",
    adminCidrs: ["198.51.100.0/24"],
    rpcAllowCidrs: ["203.0.113.0/24"],
  });
  await value(fleet.nodes);
  await settle();
});

const ofType = (t: string) => h.resources.filter((r) => r.type === t);

describe("Hetzner Cloud through the Fleet", () => {
  it("the planner places the nodes and the gateway on Hetzner Cloud, outside the CLOUD Act", () => {
    assert.ok(plan.nodes.length === 2 && plan.nodes.every((n) => n.provider === "hetzner" && !n.cloudAct));
    assert.deepEqual(plan.gateways.map((g) => g.provider).sort(), ["aws", "hetzner"]);
    assert.ok(plan.nodes.every((n) => n.shape?.startsWith("ccx") && n.estimate !== undefined));
  });

  it("each node and the gateway get a server of the planned type and location, a volume and a firewall", () => {
    const servers = ofType("hcloud:index/server:Server");
    assert.equal(servers.length, 3);
    for (const n of plan.nodes) {
      const s = servers.find((r) => r.name === `eu-${n.id}-vm`)!;
      assert.equal(s.inputs.serverType, n.shape);
      assert.equal(s.inputs.location, n.region);
      assert.equal(s.inputs.labels["sovereign-node"], n.id);
      const v = ofType("hcloud:index/volume:Volume").find((r) => r.name === `eu-${n.id}-data`)!;
      assert.equal(v.inputs.size, n.storage.sizeGb);
    }
    for (const a of ofType("hcloud:index/volumeAttachment:VolumeAttachment"))
      assert.ok(Number.isInteger(a.inputs.serverId) && Number.isInteger(a.inputs.volumeId), a.name);
    assert.equal(ofType("hcloud:index/sshKey:SshKey").length, 1, "one SSH key for the fleet");
    assert.equal(ofType("pulumi:providers:hcloud").length, 1, "one provider for the fleet");
  });

  it("the gateway's firewall opens its public port to the world and SSH to the admins only", () => {
    const g = plan.gateways.find((x) => x.provider === "hetzner")!;
    const fw = ofType("hcloud:index/firewall:Firewall").find((r) => r.name === `eu-${g.id}-host-firewall`)!;
    const rules = fw.inputs.rules.map((r: any) => `${r.protocol} ${r.port} ${r.sourceIps.join(",")}`);
    assert.ok(rules.includes("tcp 22 198.51.100.0/24"), rules.join("; "));
    assert.ok(
      rules.some((r: string) => /^tcp \d+ 0\.0\.0\.0\/0/.test(r) && !r.startsWith("tcp 22 ")),
      rules.join("; "),
    );
  });

  it("the resource reader and cost read the servers back, priced from the catalog", async () => {
    const { readResources } = await import("../../core/resources/read");
    const { priceResources } = await import("../../core/costs/resources");
    const read = readResources(
      {
        source: "preview",
        config: {},
        resources: h.resources.map((r) => ({ urn: r.name, type: r.type, name: r.name, props: r.inputs, custom: true })),
      },
      catalog,
    );
    const machines = read.machines.filter((m) => m.provider === "hetzner");
    assert.deepEqual(read.machines.map((m) => m.provider).sort(), ["aws", "hetzner", "hetzner", "hetzner"]);
    assert.equal(machines.length, 3);
    assert.ok(machines.every((m) => m.operator === "hetzner" && m.jurisdiction === "DE" && !m.cloudAct));
    assert.deepEqual(machines.map((m) => m.served?.chain).sort(), ["bitcoin", "bitcoin", "gateway"]);
    const priced = priceResources(read, catalog).resources.filter((r) => r.provider === "hetzner");
    const server = priced.find(
      (r) => r.resourceType === "hcloud:index/server:Server" && r.tags["sovereign:chain"] === "bitcoin",
    )!;
    assert.equal(server.status, "priced", server.notes.join("; "));
    const node = plan.nodes.find((n) => n.id === server.tags["sovereign:node"])!;
    assert.ok(server.monthlyCost! > 0);
    assert.ok(server.costComponents.some((c) => c.estimate || c.source?.includes("CCX33")));
    assert.ok(node);
  });
});
