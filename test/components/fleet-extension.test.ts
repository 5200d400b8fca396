/**
 * The Fleet's extension point (provider -> host binding), its refusals, and the components used on
 * their own with `transform`.
 */
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { installMocks, reveal, settle, value } from "./harness";

const h = installMocks("extension");

import type { Plan } from "../../core/plan";
import type * as Components from "../../components";
let C: typeof Components;
let plan: Plan;

before(async () => {
  C = await import("../../components");
  const { loadCatalog } = await import("../../core/catalog/load");
  const { validateFleetObject } = await import("../../core/fleet-spec/parse");
  const { resolveFleet } = await import("../../core/fleet-spec/resolve");
  const { planFleet } = await import("../../core/planner/plan");
  const catalog = loadCatalog();
  const spec = validateFleetObject({
    name: "mixed",
    chains: [{ chain: "bitcoin", network: "signet", count: 3 }],
    sites: {
      aws: { regions: ["us-east-1"] },
      akash: {},
      baremetal: {
        hosts: [
          {
            name: "fra-1",
            address: "203.0.113.10",
            operator: "hetzner",
            country: "DE",
            monthlyUsd: 60,
            cpu: 8,
            memoryGb: 32,
            diskGb: 2000,
          },
        ],
      },
    },
    policy: { maxShare: { operator: 0.34 } },
  });
  plan = await planFleet(resolveFleet(spec, catalog), catalog);
});

const fakeHosts: Components.HostBinding = {
  deploy: (nodes) =>
    Object.fromEntries(
      nodes.map((n) => [
        n.id,
        { nodeId: n.id, publicIp: pulumi.output("x"), privateIp: pulumi.output("x"), rpcEndpoint: pulumi.output("x") },
      ]),
    ),
};

describe("Fleet extension point", () => {
  it("plans one node on AWS, one on Akash and one on bare metal", () => {
    assert.deepEqual(plan.nodes.map((n) => n.provider).sort(), ["akash", "aws", "baremetal"]);
  });

  it("every provider has a binding now (Akash too): its preflight names each missing secret and the fix", () => {
    assert.throws(
      () => new C.Fleet("mixed-a", { plan }),
      (e: Error) => {
        assert.match(e.message, /cannot deploy the plan of fleet mixed/);
        assert.match(e.message, /pulumi config set --secret sovereign:akashApiKey/);
        assert.match(e.message, /pulumi config set --secret sovereign:sshPrivateKey/);
        return true;
      },
    );
  });

  it("deploys through a binding passed in FleetArgs.hosts (no change to Fleet)", async () => {
    const seen: Array<{ ids: string[]; ctx: Components.FleetContext }> = [];
    const fake: Components.HostBinding = {
      deploy(nodes, ctx) {
        seen.push({ ids: nodes.map((n) => n.id), ctx });
        return Object.fromEntries(
          nodes.map((n) => [
            n.id,
            {
              nodeId: n.id,
              publicIp: pulumi.output("203.0.113.10"),
              privateIp: pulumi.output("203.0.113.10"),
              rpcEndpoint: pulumi.output("http://127.0.0.1:8332"),
            },
          ]),
        );
      },
    };
    const fleet = new C.Fleet("mixed-b", {
      plan,
      hosts: { baremetal: fake, akash: fake },
      adminCidrs: ["198.51.100.0/24"],
    });
    const nodes = await value(fleet.nodes);
    assert.equal(seen.length, 2);
    const bm = plan.nodes.find((n) => n.provider === "baremetal")!;
    assert.deepEqual(
      seen
        .map((x) => x.ids)
        .flat()
        .sort(),
      plan.nodes
        .filter((n) => n.provider !== "aws")
        .map((n) => n.id)
        .sort(),
    );
    assert.equal(seen[0].ctx.name, "mixed-b");
    assert.equal(seen[0].ctx.parent, fleet);
    assert.deepEqual(seen[0].ctx.host.adminCidrs, ["198.51.100.0/24"]);
    assert.equal(nodes[bm.id].publicIp, "203.0.113.10");
    assert.equal(nodes[bm.id].chain, "bitcoin");
    const aws = plan.nodes.find((n) => n.provider === "aws")!;
    assert.match(nodes[aws.id].rpcEndpoint, /^http:\/\/10\./);
    await settle();
    assert.equal(
      h.resources.filter((r) => r.type === "sovereign:aws:NodeHost" && r.name === `mixed-b-${aws.id}`).length,
      1,
    );
  });

  it("a registered binding is used by every Fleet", async () => {
    const stub: Components.HostBinding = {
      deploy: (nodes) =>
        Object.fromEntries(
          nodes.map((n) => [
            n.id,
            {
              nodeId: n.id,
              publicIp: pulumi.output("a"),
              privateIp: pulumi.output("b"),
              rpcEndpoint: pulumi.output("c"),
            },
          ]),
        ),
    };
    C.registerHostBinding("akash", stub);
    assert.ok(C.registeredProviders().includes("akash"));
    const fleet = new C.Fleet("mixed-c", { plan, hosts: { baremetal: stub } });
    const ak = plan.nodes.find((n) => n.provider === "akash")!;
    assert.equal((await value(fleet.nodes))[ak.id].rpcEndpoint, "c");
  });

  it("refuses a plan that breaks its policy unless told otherwise", () => {
    const broken: Plan = {
      ...plan,
      policy: {
        satisfied: false,
        checks: [
          {
            rule: "maxShare.operator",
            scope: "bitcoin/signet",
            ok: false,
            limit: 0.5,
            actual: 1,
            message: "aws holds 100%",
          },
        ],
      },
    };
    const hosts = { baremetal: fakeHosts, akash: fakeHosts };
    assert.throws(
      () => new C.Fleet("mixed-d", { plan: broken, hosts }),
      /policy maxShare\.operator \(bitcoin\/signet\): aws holds 100%/,
    );
    assert.doesNotThrow(() => new C.Fleet("mixed-e", { plan: broken, allowPolicyViolations: true, hosts }));
  });

  it("refuses bad CIDRs before creating anything", () => {
    assert.throws(
      () =>
        new C.Fleet("mixed-f", {
          plan,
          rpcAllowCidrs: ["10.0.0.0/33"],
          hosts: { baremetal: fakeHosts, akash: fakeHosts },
        }),
      /rpcAllowCidrs\[0\]: '10\.0\.0\.0\/33' is not a CIDR/,
    );
  });
});

describe("components on their own", () => {
  it("keeps the workload's secrets and user-data secret (pulumi.isSecret)", async () => {
    const { prepareHost } = C;
    class Probe extends pulumi.ComponentResource {
      constructor() {
        super("test:probe:Probe", "probe");
      }
    }
    const node = {
      ...plan.nodes.find((n) => n.provider === "aws")!,
      id: "eth-probe",
      chain: "ethereum",
      network: "hoodi",
      chainKey: "ethereum/hoodi",
      clients: { execution: "reth", consensus: "teku" },
    };
    const prepared = prepareHost(new Probe(), "probe", { node, l1Rpc: "https://not-needed.invalid" });
    assert.equal(await pulumi.isSecret(prepared.secretValues), true);
    const userData = prepared.userData(["/dev/sdz"]);
    assert.equal(await pulumi.isSecret(userData), true);
    assert.match(await value(userData), /^#cloud-config\n/);
    assert.equal(
      (await value(prepared.secretValues)).jwt,
      "5eb0e7f1a2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d",
    );
    await settle();
    const jwt = h.resources.find((r) => r.type === "command:local:Command" && r.name === "probe-jwt")!;
    assert.equal(jwt.inputs.create, "openssl rand -hex 32");
    assert.equal(jwt.inputs.logging, "stderr", "stdout (the secret) is not logged");
  });

  it("AwsNodeHost applies object and function transforms to the underlying resources", async () => {
    const node = plan.nodes.find((n) => n.provider === "aws")!;
    const host = new C.AwsNodeHost("solo", {
      node,
      fleet: "solo-fleet",
      vpcId: "vpc-1",
      subnetId: "subnet-1",
      availabilityZone: "us-east-1a",
      jwtSecret: "ab".repeat(32),
      rpcPasswords: { [node.chainKey]: "cd".repeat(24) },
      transform: {
        instance: { monitoring: true },
        volume: (args) => {
          args.kmsKeyId = "arn:aws:kms:us-east-1:111122223333:key/mock";
        },
      },
    });
    assert.match(await value(host.rpcEndpoint), /^http:\/\/10\.\d+\.\d+\.\d+:8332$/);
    assert.throws(
      () =>
        new C.AwsNodeHost("solo-no-password", {
          node,
          vpcId: "vpc-1",
          subnetId: "subnet-1",
          availabilityZone: "us-east-1a",
        }),
      /the RPC of bitcoin\/signet wants credentials: pass rpcPasswords\["bitcoin\/signet"\]/,
    );
    await settle();
    const vm = h.resources.find((r) => r.type === "aws:ec2/instance:Instance" && r.name === "solo-vm")!;
    assert.equal(vm.inputs.monitoring, true);
    assert.equal(vm.inputs.instanceType, node.shape);
    assert.equal(vm.inputs.tags["sovereign:fleet"], "solo-fleet");
    const vol = h.resources.find((r) => r.type === "aws:ebs/volume:Volume" && r.name === "solo-data")!;
    assert.equal(vol.inputs.kmsKeyId, "arn:aws:kms:us-east-1:111122223333:key/mock");
    // bitcoind needs no JWT: no command resource for it.
    assert.equal(h.resources.filter((r) => r.type === "command:local:Command" && r.name.startsWith("solo")).length, 0);
    assert.ok(!reveal(vm.inputs.userData).includes("jwt.hex"));
  });

  it("uses a given JWT instead of generating one, and rejects a malformed one", async () => {
    const { loadCatalog } = await import("../../core/catalog/load");
    const node = {
      ...plan.nodes.find((n) => n.provider === "aws")!,
      id: "eth-solo",
      chain: "ethereum",
      network: "sepolia",
      chainKey: "ethereum/sepolia",
      clients: { execution: "geth", consensus: "teku" },
    };
    const host = new C.AwsNodeHost("eth-solo", {
      node,
      catalog: loadCatalog(),
      vpcId: "v",
      subnetId: "s",
      availabilityZone: "z",
      jwtSecret: pulumi.secret("0x" + "cd".repeat(32)),
    });
    await value(host.publicIp);
    await settle();
    assert.equal(
      h.resources.filter((r) => r.type === "command:local:Command" && r.name.startsWith("eth-solo")).length,
      0,
    );
    const vm = h.resources.find((r) => r.type === "aws:ec2/instance:Instance" && r.name === "eth-solo-vm")!;
    assert.ok(reveal(vm.inputs.userData).includes("cd".repeat(32)));
    assert.throws(
      () =>
        new C.AwsNodeHost("eth-bad", { node, vpcId: "v", subnetId: "s", availabilityZone: "z", jwtSecret: "not-hex" }),
      /jwtSecret must be 32 bytes/,
    );
  });
});
