/**
 * Deploy-time layout as the components use it (Pulumi mocks): subnets derived from the network
 * CIDR the user gives, GCP local SSD from the catalog, IPv6 endpoints as bracketed URLs, and each
 * binding's preflight.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { installMocks, settle, value } from "./harness";

const h = installMocks("layout");

import type * as Components from "../../components";
import type { Catalog } from "../../core/catalog/load";
import type { PlannedNode } from "../../core/plan";

let C: typeof Components;
let catalog: Catalog;

before(async () => {
  C = await import("../../components");
  catalog = (await import("../../core/catalog/load")).loadCatalog();
});

const node = (over: Partial<PlannedNode>): PlannedNode => ({
  id: "devnet-lab-1-1",
  chainKey: "devnet/local",
  chain: "devnet",
  network: "local",
  role: "full",
  clients: { node: "anvil" },
  provider: "baremetal",
  site: "baremetal/lab-1",
  host: "lab-1",
  operator: "lab",
  region: "de",
  country: "DE",
  jurisdiction: "DE",
  cloudAct: false,
  vcpu: 1,
  memoryGb: 1,
  storage: { class: "host-nvme", sizeGb: 10, iops: 100, throughputMBps: 10, local: true },
  monthlyUsd: 10,
  cost: { compute: 10, storage: 0, performance: 0, publicIp: 0, egress: 0, total: 10 },
  estimate: false,
  sources: [],
  ...over,
});

describe("network CIDRs", () => {
  it("an AWS VPC with a custom CIDR gets its subnet inside it", async () => {
    new C.AwsNetwork("t-aws", { tags: {}, cidr: "10.8.0.0/16" });
    await settle();
    const subnet = h.resources.find((r) => r.type === "aws:ec2/subnet:Subnet" && r.name === "t-aws-subnet")!;
    assert.equal(subnet.inputs.cidrBlock, "10.8.0.0/20");
  });

  it("an Azure VNet with a custom CIDR gets its subnet inside it", async () => {
    new C.AzureNetwork("t-az", { location: "westeurope", tags: {}, cidr: "172.20.0.0/16" });
    await settle();
    const subnet = h.resources.find((r) => r.type === "azure-native:network:Subnet" && r.name === "t-az-subnet")!;
    assert.equal(subnet.inputs.addressPrefix, "172.20.0.0/24");
  });

  it("a VPC CIDR too small for a subnet is refused before anything is created", () => {
    assert.throws(
      () => new C.AwsNetwork("t-aws-small", { tags: {}, cidr: "10.8.0.0/24" }),
      /aws\.vpcCidr: '10\.8\.0\.0\/24' cannot hold a \/20 subnet/,
    );
  });
});

describe("GCP local SSD from the catalog", () => {
  it("reads partition size, counts and machine types from catalog/providers/gcp.yaml", () => {
    const cls = catalog.providers.get("gcp")!.storageClasses.find((c) => c.id === "local-ssd")!;
    assert.deepEqual(C.gcpLocalSsd(3000, "n2-standard-8", cls), { count: 8, sizeGb: 8 * cls.unitGb! });
    assert.deepEqual(C.gcpLocalSsd(376, "n2-standard-8", cls), { count: 2, sizeGb: 750 });
    assert.throws(() => C.gcpLocalSsd(375, "c3-standard-8", cls), /only on n2- machines/);
    // A catalog that allows more families is obeyed, not a second copy of the rule.
    assert.deepEqual(C.gcpLocalSsd(375, "c3-standard-8", { ...cls, shapePrefixes: ["n2-", "c3-"] }), {
      count: 1,
      sizeGb: 375,
    });
  });
});

describe("IPv6 endpoints", () => {
  it("a bare-metal host at an IPv6 address reports a bracketed URL", async () => {
    const host = new C.BareMetalHost("t-v6", {
      node: node({}),
      fleet: "lab",
      catalog,
      connection: { host: "2001:db8::10", privateKey: "k" },
    });
    assert.equal(await value(host.rpcEndpoint), "http://[2001:db8::10]:8545");
    assert.equal(await value(host.privateIp), "2001:db8::10");
    assert.equal(C.httpUrl("192.0.2.1", 8545), "http://192.0.2.1:8545");
  });
});

describe("binding preflight", () => {
  const ctx = (options: object, hosts: Array<{ name: string; hostKey?: string }> = []) =>
    ({
      options,
      catalog,
      plan: {
        fleet: "lab",
        hosts: hosts.map((x) => ({ name: x.name, ssh: { user: "root", port: 22, hostKey: x.hostKey } })),
      },
    }) as unknown as Components.FleetContext;

  it("bare metal: a missing key and unpinned host keys, each named", () => {
    const problems = C.baremetalBinding.preflight!([node({})], ctx({}, [{ name: "lab-1" }]));
    assert.equal(problems.length, 2);
    assert.match(problems[0], /sovereign:sshPrivateKey/);
    assert.match(problems[1], /lab-1 have no ssh\.hostKey/);
    assert.deepEqual(
      C.baremetalBinding.preflight!(
        [node({})],
        ctx({ baremetal: { privateKey: "k", acceptUnknownHostKeys: true } }, [{ name: "lab-1" }]),
      ),
      [],
    );
  });

  it("gcp: the project, and a region without a subnet number", () => {
    const saved = [process.env.GOOGLE_PROJECT, process.env.GOOGLE_CLOUD_PROJECT];
    delete process.env.GOOGLE_PROJECT;
    delete process.env.GOOGLE_CLOUD_PROJECT;
    try {
      const gcpNode = node({
        provider: "gcp",
        region: "mars-north1",
        shape: "n2-standard-4",
        storage: { class: "pd-balanced", sizeGb: 10, iops: 0, throughputMBps: 0, local: false },
      });
      const problems = C.gcpBinding.preflight!([gcpNode], ctx({}));
      assert.match(problems.join("\n"), /sovereign:gcpProject/);
      assert.match(problems.join("\n"), /set gcp\.subnetCidrs\.mars-north1/);
    } finally {
      if (saved[0] !== undefined) process.env.GOOGLE_PROJECT = saved[0];
      if (saved[1] !== undefined) process.env.GOOGLE_CLOUD_PROJECT = saved[1];
    }
  });
});
