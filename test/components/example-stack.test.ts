/**
 * The example multi-cloud stack (stacks/Pulumi.example.yaml) run through the real program with
 * Pulumi mocks: resources per provider, shapes and disks = the plan, exactly the expected ingress,
 * encryption, secrets, tags, and the stack outputs.
 */
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  MOCK_JWT,
  at,
  installMocks,
  loadStackConfig,
  ofNode,
  plainStrings,
  readStackFile,
  reveal,
  settle,
  value,
  type Recorded,
} from "./harness";

const h = installMocks("example");
const config = readStackFile("example");
loadStackConfig(config);

// Imported after the mocks are installed.
import type { StackOutputs } from "../../program/deploy";
import type { Plan } from "../../core/plan";
import type { Catalog } from "../../core/catalog/load";

const RPC_CIDRS = config["sovereign:rpcAllowCidrs"] as string[];
const FLEET = (config["sovereign:fleet"] as { name: string }).name;

let outputs: StackOutputs;
let plan: Plan;
let catalog: Catalog;
let nodes: Record<string, any>;

const TAGGABLE: Record<string, "tags" | "labels"> = {
  "aws:ec2/vpc:Vpc": "tags",
  "aws:ec2/subnet:Subnet": "tags",
  "aws:ec2/internetGateway:InternetGateway": "tags",
  "aws:ec2/routeTable:RouteTable": "tags",
  "aws:ec2/securityGroup:SecurityGroup": "tags",
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "tags",
  "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "tags",
  "aws:ec2/instance:Instance": "tags",
  "aws:ebs/volume:Volume": "tags",
  "aws:ec2/eip:Eip": "tags",
  "aws:ec2/keyPair:KeyPair": "tags",
  "gcp:compute/address:Address": "labels",
  "gcp:compute/disk:Disk": "labels",
  "gcp:compute/instance:Instance": "labels",
  "azure-native:resources:ResourceGroup": "tags",
  "azure-native:network:VirtualNetwork": "tags",
  "azure-native:network:NetworkSecurityGroup": "tags",
  "azure-native:network:PublicIPAddress": "tags",
  "azure-native:network:NetworkInterface": "tags",
  "azure-native:compute:Disk": "tags",
  "azure-native:compute:VirtualMachine": "tags",
};
/** Custom resources that cannot carry tags/labels on their cloud. */
const UNTAGGABLE = new Set([
  "pulumi:providers:aws",
  "pulumi:providers:gcp",
  "pulumi:providers:azure-native",
  "aws:ec2/routeTableAssociation:RouteTableAssociation",
  "aws:ec2/volumeAttachment:VolumeAttachment",
  "gcp:compute/network:Network",
  "gcp:compute/subnetwork:Subnetwork",
  "gcp:compute/firewall:Firewall",
  "azure-native:network:Subnet",
  "command:local:Command",
]);

const custom = () => h.resources.filter((r) => r.custom);
const ofType = (type: string) => custom().filter((r) => r.type === type);
const count = (type: string) => ofType(type).length;
const forNode = (type: string, id: string) => ofType(type).filter((r) => ofNode(r, FLEET, id));
const one = (type: string, id: string): Recorded => {
  const list = forNode(type, id);
  assert.equal(list.length, 1, `${type} for ${id}`);
  return list[0];
};

type Rule = string; // "port/protocol from cidr"
/**
 * The node's own cloud network, from the components' documented defaults: the dedicated AWS VPC,
 * the GCP subnet of the region (10.<100 + catalog index>.0.0/20), the Azure VNet.
 */
function networkCidrs(node: Plan["nodes"][number]): string[] {
  if (node.provider === "aws" || node.provider === "azure") return ["10.42.0.0/16"];
  const gcpRegions = plan.nodes.filter((n) => n.provider === "gcp").map((n) => n.region);
  return [...new Set(gcpRegions)]
    .sort()
    .map((r) => `10.${100 + catalog.providers.get("gcp")!.regions.findIndex((x) => x.id === r)}.0.0/20`);
}
/** Expected inbound rules of a node, straight from the catalog (independent of core/workload). */
function expectedRules(node: Plan["nodes"][number]): Set<Rule> {
  const out = new Set<Rule>();
  for (const id of Object.values(node.clients)) {
    for (const p of catalog.clients.get(id)!.ports) {
      if (p.exposure === "public") out.add(`${p.port}/${p.protocol} from 0.0.0.0/0`);
      // RPC: from the allow-list, and always from inside the fleet's own network.
      if (p.exposure === "rpc")
        for (const c of [...RPC_CIDRS, ...networkCidrs(node)]) out.add(`${p.port}/${p.protocol} from ${c}`);
    }
  }
  return out;
}
const closedPorts = (node: Plan["nodes"][number]) =>
  Object.values(node.clients).flatMap((id) =>
    catalog.clients
      .get(id)!
      .ports.filter((p) => p.exposure === "internal" || p.exposure === "private")
      .map((p) => `${p.port}/${p.protocol}`),
  );

function actualRules(node: Plan["nodes"][number]): Rule[] {
  if (node.provider === "aws") {
    return forNode("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", node.id).map(({ inputs: i }) => {
      assert.equal(i.fromPort, i.toPort);
      return `${i.fromPort}/${i.ipProtocol} from ${i.cidrIpv4 ?? i.cidrIpv6}`;
    });
  }
  if (node.provider === "gcp") {
    return forNode("gcp:compute/firewall:Firewall", node.id).flatMap(({ inputs: i }) => {
      assert.equal(i.direction, "INGRESS");
      return i.allows.flatMap((a: { protocol: string; ports: string[] }) =>
        a.ports.flatMap((port) => i.sourceRanges.map((c: string) => `${port}/${a.protocol} from ${c}`)),
      );
    });
  }
  const nsg = one("azure-native:network:NetworkSecurityGroup", node.id).inputs;
  return nsg.securityRules
    .filter((r: any) => r.access !== "Deny")
    .flatMap((r: any) => {
      assert.equal(r.direction, "Inbound");
      assert.equal(r.access, "Allow");
      return r.sourceAddressPrefixes.map(
        (c: string) => `${r.destinationPortRange}/${r.protocol.toLowerCase()} from ${c}`,
      );
    });
}

before(async () => {
  const { deploy, planFromConfig } = await import("../../program/deploy");
  const { readConfig } = await import("../../program/config");
  const { loadCatalog } = await import("../../core/catalog/load");
  catalog = loadCatalog();
  plan = await planFromConfig(readConfig());
  outputs = await deploy();
  nodes = await value(outputs.nodes);
  await settle();
});

describe("example stack: resources", () => {
  it("plans six nodes, two per cloud", () => {
    assert.equal(plan.nodes.length, 6);
    for (const p of ["aws", "gcp", "azure"]) assert.equal(plan.nodes.filter((n) => n.provider === p).length, 2, p);
  });

  it("creates one Fleet and one host component per node, with sovereign type tokens", () => {
    const components = h.resources.filter((r) => !r.custom);
    assert.equal(components.filter((r) => r.type === "sovereign:fleet:Fleet").length, 1);
    assert.equal(components.filter((r) => r.type === "sovereign:aws:NodeHost").length, 2);
    assert.equal(components.filter((r) => r.type === "sovereign:gcp:NodeHost").length, 2);
    assert.equal(components.filter((r) => r.type === "sovereign:azure:NodeHost").length, 2);
    assert.equal(components.filter((r) => r.type === "sovereign:aws:Network").length, 1);
    assert.equal(components.filter((r) => r.type === "sovereign:gcp:Network").length, 1);
    assert.equal(components.filter((r) => r.type === "sovereign:azure:Network").length, 1);
    for (const c of components.filter((r) => r.type !== "sovereign:fleet:Fleet"))
      assert.ok(c.name.startsWith(`${FLEET}-`), c.name);
  });

  it("has the expected resource counts per provider", () => {
    const expected: Record<string, number> = {
      "pulumi:providers:aws": 1,
      "pulumi:providers:gcp": 1,
      "pulumi:providers:azure-native": 1,
      // AWS: shared VPC scaffolding once, then per node SG + egress + instance + EBS volume + attachment + EIP.
      "aws:ec2/vpc:Vpc": 1,
      "aws:ec2/subnet:Subnet": 1,
      "aws:ec2/internetGateway:InternetGateway": 1,
      "aws:ec2/routeTable:RouteTable": 1,
      "aws:ec2/routeTableAssociation:RouteTableAssociation": 1,
      "aws:ec2/securityGroup:SecurityGroup": 2,
      "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": 2,
      "aws:ec2/instance:Instance": 2,
      "aws:ebs/volume:Volume": 2,
      "aws:ec2/volumeAttachment:VolumeAttachment": 2,
      "aws:ec2/eip:Eip": 2,
      // GCP: one network + subnetwork; per node address, VM; a persistent disk only for the pd-balanced node.
      "gcp:compute/network:Network": 1,
      "gcp:compute/subnetwork:Subnetwork": 1,
      "gcp:compute/address:Address": 2,
      "gcp:compute/instance:Instance": 2,
      "gcp:compute/disk:Disk": 1,
      // Azure: resource group + vnet + subnet; per node NSG, public IP, NIC, VM; a managed disk unless on local NVMe.
      "azure-native:resources:ResourceGroup": 1,
      "azure-native:network:VirtualNetwork": 1,
      "azure-native:network:Subnet": 1,
      "azure-native:network:NetworkSecurityGroup": 2,
      "azure-native:network:PublicIPAddress": 2,
      "azure-native:network:NetworkInterface": 2,
      "azure-native:compute:VirtualMachine": 2,
      "azure-native:compute:Disk": plan.nodes.filter(
        (n) => n.provider === "azure" && n.storage.class !== "instance-nvme",
      ).length,
      // Engine JWT: only the two-layer Ethereum nodes; the RPC password of each chain whose kind wants credentials (Bitcoin).
      "command:local:Command":
        3 +
        new Set(plan.nodes.filter((n) => catalog.chains.get(n.chain)?.rpc.kind === "bitcoin").map((n) => n.chainKey))
          .size,
    };
    for (const [type, n] of Object.entries(expected)) assert.equal(count(type), n, type);
    const ingress = plan.nodes.filter((n) => n.provider === "aws").reduce((a, n) => a + expectedRules(n).size, 0);
    assert.equal(count("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"), ingress);
    const known = new Set([
      ...Object.keys(expected),
      "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
      "gcp:compute/firewall:Firewall",
    ]);
    for (const r of custom()) assert.ok(known.has(r.type), `unexpected resource type ${r.type}`);
  });

  it("uses an explicit provider per AWS region, GCP project+region and Azure location", () => {
    const providerOf = (type: string) => new Set(ofType(type).map((r) => r.provider?.split("::")[3]));
    assert.deepEqual(
      ofType("pulumi:providers:aws").map((r) => r.inputs.region),
      ["eu-central-1"],
    );
    assert.deepEqual(
      ofType("pulumi:providers:gcp").map((r) => [r.inputs.project, r.inputs.region]),
      [["my-gcp-project", "asia-southeast1"]],
    );
    assert.deepEqual(
      ofType("pulumi:providers:azure-native").map((r) => r.inputs.location),
      ["eastus"],
    );
    assert.deepEqual(providerOf("aws:ec2/instance:Instance"), new Set([`${FLEET}-aws-eu-central-1`]));
    assert.deepEqual(providerOf("gcp:compute/instance:Instance"), new Set([`${FLEET}-gcp-asia-southeast1`]));
    assert.deepEqual(providerOf("azure-native:compute:VirtualMachine"), new Set([`${FLEET}-azure-eastus`]));
    const ami = h.calls.filter((c) => c.token === "aws:ec2/getAmi:getAmi");
    assert.equal(ami.length, 2);
    for (const c of ami) {
      assert.deepEqual(c.inputs.owners, ["099720109477"]);
      assert.match(c.inputs.filters[0].values[0], /^ubuntu\/images\/hvm-ssd-gp3\/ubuntu-noble-24\.04-amd64-server-\*$/);
    }
  });
});

describe("example stack: shapes and disks equal the plan", () => {
  it("AWS: instance type, AMI from the lookup, gp3 volume with the planned size/IOPS/throughput, encrypted", () => {
    for (const n of plan.nodes.filter((x) => x.provider === "aws")) {
      const vm = one("aws:ec2/instance:Instance", n.id).inputs;
      assert.equal(vm.instanceType, n.shape);
      assert.equal(vm.ami, "ami-0mock0ubuntu2404");
      assert.equal(vm.rootBlockDevice.encrypted, true);
      assert.equal(vm.metadataOptions.httpTokens, "required");
      const vol = one("aws:ebs/volume:Volume", n.id);
      assert.equal(vol.inputs.type, n.storage.class);
      assert.equal(vol.inputs.size, n.storage.sizeGb);
      assert.equal(vol.inputs.iops, n.storage.iops);
      assert.equal(vol.inputs.throughput, n.storage.throughputMBps);
      assert.equal(vol.inputs.encrypted, true);
      assert.equal(vol.inputs.availabilityZone, "mock-az-1a");
      const att = one("aws:ec2/volumeAttachment:VolumeAttachment", n.id).inputs;
      assert.equal(att.deviceName, "/dev/sdf");
      assert.equal(att.volumeId, vol.id);
      // The guest finds the volume by its id, not by a device name that Nitro renames.
      assert.match(reveal(vm.userData), new RegExp(`nvme-Amazon_Elastic_Block_Store_${vol.id.replace("-", "")}`));
    }
  });

  it("GCP: machine type, pd-balanced disk of the planned size, local NVMe SSDs rounded up to a count N2 accepts", () => {
    for (const n of plan.nodes.filter((x) => x.provider === "gcp")) {
      const vm = reveal(one("gcp:compute/instance:Instance", n.id).inputs);
      assert.equal(vm.machineType, n.shape);
      assert.equal(vm.zone, "asia-southeast1-a");
      assert.equal(vm.bootDisk.initializeParams.image, "ubuntu-os-cloud/ubuntu-2404-lts-amd64");
      if (n.storage.class === "local-ssd") {
        assert.equal(forNode("gcp:compute/disk:Disk", n.id).length, 0);
        const disks = Math.ceil(n.storage.sizeGb / 375);
        assert.equal(
          vm.scratchDisks.length,
          [1, 2, 4, 8, 16, 24].find((c) => c >= disks),
        );
        assert.ok(vm.scratchDisks.every((d: { interface: string }) => d.interface === "NVME"));
        assert.match(reveal(vm.metadata["user-data"]), /google-local-nvme-ssd-\*/);
      } else {
        const disk = one("gcp:compute/disk:Disk", n.id).inputs;
        assert.equal(disk.type, n.storage.class);
        assert.equal(disk.size, n.storage.sizeGb);
        assert.equal(vm.attachedDisks[0].deviceName, "sovereign-data");
        assert.match(reveal(vm.metadata["user-data"]), /google-sovereign-data/);
      }
      assert.equal(one("gcp:compute/address:Address", n.id).inputs.region, n.region);
      assert.match(vm.networkInterfaces[0].accessConfigs[0].natIp, /^203\.0\.113\./);
    }
  });

  it("Azure: VM size, Premium SSD of the planned tier and size with platform encryption, or local NVMe", () => {
    for (const n of plan.nodes.filter((x) => x.provider === "azure")) {
      const vm = reveal(one("azure-native:compute:VirtualMachine", n.id).inputs);
      assert.equal(vm.hardwareProfile.vmSize, n.shape);
      assert.equal(vm.osProfile.linuxConfiguration.disablePasswordAuthentication, true);
      assert.equal(vm.storageProfile.imageReference.offer, "ubuntu-24_04-lts");
      const custom = Buffer.from(reveal(vm.osProfile.customData), "base64").toString("utf8");
      assert.match(custom, /^#cloud-config\n/);
      if (n.storage.class === "Premium_LRS" || n.storage.class === "PremiumV2_LRS") {
        const disk = one("azure-native:compute:Disk", n.id).inputs;
        assert.equal(disk.sku.name, n.storage.class);
        assert.equal(disk.diskSizeGB, n.storage.sizeGb);
        assert.equal(disk.encryption.type, "EncryptionAtRestWithPlatformKey");
        assert.equal(vm.storageProfile.dataDisks[0].lun, 0);
        assert.match(custom, /\/dev\/disk\/azure\/scsi1\/lun0/);
        if (n.storage.class === "Premium_LRS") assert.equal(disk.tier, n.storage.tier);
        else {
          // Premium SSD v2: IOPS and MB/s provisioned on the disk; disk and VM in the same zone.
          assert.equal(disk.diskIOPSReadWrite, n.storage.iops);
          assert.equal(disk.diskMBpsReadWrite, n.storage.throughputMBps);
          assert.deepEqual(disk.zones, ["1"]);
          assert.deepEqual(vm.zones, ["1"]);
        }
      } else {
        assert.equal(n.storage.class, "instance-nvme");
        assert.equal(forNode("azure-native:compute:Disk", n.id).length, 0);
        assert.match(custom, /Microsoft_NVMe_Direct_Disk/);
      }
    }
  });
});

describe("example stack: network exposure", () => {
  it("opens exactly P2P to the world and RPC to rpcAllowCidrs, per node, on every provider", () => {
    for (const n of plan.nodes) {
      const actual = actualRules(n);
      assert.equal(new Set(actual).size, actual.length, `${n.id}: duplicate rules`);
      assert.deepEqual(new Set(actual), expectedRules(n), n.id);
    }
  });

  it("never opens the engine API (8551), admin or metrics ports, nor SSH (no adminCidrs), to anyone", () => {
    for (const n of plan.nodes) {
      const closed = new Set([...closedPorts(n), "22/tcp"]);
      for (const rule of actualRules(n)) {
        const [port] = rule.split(" ");
        assert.ok(!closed.has(port), `${n.id}: ${rule} opens a closed port`);
        if (/from (0\.0\.0\.0\/0|::\/0)$/.test(rule)) {
          assert.ok(!["8551/tcp", "22/tcp"].includes(port), `${n.id}: ${rule}`);
        }
      }
      if (Object.values(n.clients).some((c) => c === "geth" || c === "nethermind" || c === "reth"))
        assert.ok(closedPorts(n).includes("8551/tcp"));
    }
  });

  it("allows RPC from inside the fleet's network on every cloud: AWS VPC CIDR, GCP subnet CIDRs, Azure VNet", () => {
    for (const n of plan.nodes) {
      const rpcPorts = Object.values(n.clients).flatMap((id) =>
        catalog.clients
          .get(id)!
          .ports.filter((p) => p.exposure === "rpc")
          .map((p) => `${p.port}/${p.protocol}`),
      );
      assert.ok(rpcPorts.length > 0, n.id);
      const fromNetwork = actualRules(n)
        .filter((r) => networkCidrs(n).some((c) => r.endsWith(` from ${c}`)))
        .map((r) => r.split(" ")[0]);
      assert.deepEqual(
        new Set(fromNetwork),
        new Set(rpcPorts),
        `${n.id}: exactly the RPC ports from ${networkCidrs(n)}`,
      );
    }
    const gcpNetwork = ofType("gcp:compute/subnetwork:Subnetwork").map((r) => r.inputs.ipCidrRange);
    for (const fw of ofType("gcp:compute/firewall:Firewall").filter((r) => r.inputs.name.endsWith("-network"))) {
      assert.deepEqual(fw.inputs.sourceRanges, gcpNetwork);
    }
    assert.deepEqual(
      ofType("aws:ec2/vpc:Vpc").map((r) => r.inputs.cidrBlock),
      ["10.42.0.0/16"],
    );
    assert.deepEqual(
      ofType("azure-native:network:VirtualNetwork").map((r) => r.inputs.addressSpace.addressPrefixes),
      [["10.42.0.0/16"]],
    );
  });

  it("Azure: denies everything else from the VNet, which Azure's default AllowVnetInBound would open", () => {
    for (const n of plan.nodes.filter((x) => x.provider === "azure")) {
      const rules = one("azure-native:network:NetworkSecurityGroup", n.id).inputs.securityRules;
      const deny = rules.filter((r: any) => r.access === "Deny");
      assert.deepEqual(
        deny.map((r: any) => [r.direction, r.protocol, r.sourceAddressPrefixes, r.destinationPortRange, r.priority]),
        [["Inbound", "*", ["10.42.0.0/16"], "*", 4096]],
      );
      for (const r of rules.filter((x: any) => x.access === "Allow"))
        assert.ok(r.priority < 4096, `${r.name} is evaluated before the deny`);
    }
  });

  it("GCP firewall rules target only their instance's network tag", () => {
    for (const n of plan.nodes.filter((x) => x.provider === "gcp")) {
      const vm = one("gcp:compute/instance:Instance", n.id).inputs;
      for (const fw of forNode("gcp:compute/firewall:Firewall", n.id)) assert.deepEqual(fw.inputs.targetTags, vm.tags);
    }
  });
});

describe("example stack: secrets and tags", () => {
  it("user-data is a secret on every VM and holds the generated JWT", () => {
    const userData = [
      ...ofType("aws:ec2/instance:Instance").map((r) => at(r.inputs, "userData")),
      ...ofType("gcp:compute/instance:Instance").map((r) => at(r.inputs, "metadata", "user-data")),
      ...ofType("azure-native:compute:VirtualMachine").map((r) => at(r.inputs, "osProfile", "customData")),
    ];
    assert.equal(userData.length, 6);
    for (const u of userData) {
      assert.ok(u.secret, "user-data must be secret");
      assert.match(u.value, /^(#cloud-config|I2Nsb3VkLWNvbmZpZw)/);
    }
    const eth = plan.nodes.filter((n) => n.chain === "ethereum");
    for (const n of eth) {
      const vm = reveal(
        [
          ...forNode("aws:ec2/instance:Instance", n.id),
          ...forNode("gcp:compute/instance:Instance", n.id),
          ...forNode("azure-native:compute:VirtualMachine", n.id),
        ][0].inputs,
      );
      let text = JSON.stringify(vm);
      if (n.provider === "azure") text = Buffer.from(vm.osProfile.customData, "base64").toString("utf8");
      assert.ok(text.includes(MOCK_JWT), `${n.id}: the JWT file is written`);
    }
  });

  it("the JWT never appears outside a secret, in any resource input or stack output", async () => {
    for (const r of h.resources) {
      for (const s of plainStrings(r.inputs)) assert.ok(!s.includes(MOCK_JWT), `${r.type} ${r.name} leaks the JWT`);
    }
    assert.ok(!JSON.stringify(nodes).includes(MOCK_JWT));
    assert.ok(!JSON.stringify({ ...outputs, nodes: undefined }).includes(MOCK_JWT));
  });

  it("tags every taggable resource; node resources carry the full node tag set", async () => {
    const { NODE_TAG_KEYS, FLEET_TAG_KEYS, clientTagKey, gcpLabelKey, nodeTags, toGcpLabels } =
      await import("../../core/workload/tags");
    for (const r of custom()) {
      if (UNTAGGABLE.has(r.type)) continue;
      const prop = TAGGABLE[r.type];
      assert.ok(prop, `${r.type} is neither known taggable nor known untaggable`);
      const tags = r.inputs[prop] ?? {};
      const key = (k: string) => (prop === "labels" ? gcpLabelKey(k) : k);
      for (const k of FLEET_TAG_KEYS) assert.ok(tags[key(k)], `${r.type} ${r.name} lacks ${key(k)}`);
      assert.equal(tags[key("sovereign:fleet")], FLEET);
      const node = plan.nodes.find((n) => ofNode(r, FLEET, n.id));
      if (!node) continue;
      const expected = nodeTags(FLEET, node);
      for (const k of [...NODE_TAG_KEYS, ...Object.keys(node.clients).map(clientTagKey)])
        assert.ok(tags[key(k)], `${r.type} ${r.name} lacks ${key(k)}`);
      if (prop === "labels") {
        assert.deepEqual(tags, toGcpLabels(expected));
        for (const [k, v] of Object.entries(tags)) {
          assert.match(k, /^[a-z][a-z0-9_-]{0,62}$/);
          assert.match(String(v), /^[a-z0-9_-]{0,63}$/);
        }
      } else {
        for (const [k, v] of Object.entries(expected)) assert.equal(tags[k], v, `${r.name} ${k}`);
      }
    }
    const eth = plan.nodes.find((n) => n.chain === "ethereum" && n.provider === "aws")!;
    const sg = one("aws:ec2/securityGroup:SecurityGroup", eth.id).inputs.tags;
    assert.equal(sg["sovereign:execution"], eth.clients.execution);
    assert.equal(sg["sovereign:consensus"], eth.clients.consensus);
    const btc = plan.nodes.find((n) => n.chain === "bitcoin" && n.provider === "gcp")!;
    assert.equal(one("gcp:compute/instance:Instance", btc.id).inputs.labels["sovereign-client"], "bitcoind");
  });
});

describe("example stack: outputs", () => {
  it("reports every node with chain, clients, provider, region, public IP and RPC endpoint", () => {
    assert.deepEqual(Object.keys(nodes).sort(), plan.nodes.map((n) => n.id).sort());
    for (const n of plan.nodes) {
      const o = nodes[n.id];
      assert.equal(o.id, n.id);
      assert.equal(o.chain, n.chain);
      assert.deepEqual(o.clients, n.clients);
      assert.equal(o.provider, n.provider);
      assert.equal(o.region, n.region);
      assert.match(o.publicIp, /^\d+\.\d+\.\d+\.\d+$/);
      assert.match(o.privateIp, /^10\./);
      // rpcAllowCidrs is set in the example, so the endpoint is the public address.
      const port = n.chain === "bitcoin" ? 8332 : 8545;
      assert.equal(o.rpcEndpoint, `http://${o.publicIp}:${port}`);
    }
  });

  it("reports the plan's monthly cost, costs and sovereignty metrics", () => {
    assert.equal(outputs.fleet, FLEET);
    assert.equal(outputs.monthlyUsd, plan.totals.monthlyUsd);
    assert.ok(outputs.monthlyUsd > 0);
    assert.deepEqual(outputs.costs.byProvider, plan.totals.byProvider);
    const metrics = outputs.metrics as Plan["metrics"];
    assert.equal(metrics.fleet.nodes, 6);
    assert.equal(
      metrics.chains["ethereum/mainnet"].nakamotoOperators.third,
      plan.metrics.chains["ethereum/mainnet"].nakamotoOperators.third,
    );
    assert.equal(outputs.policy.satisfied, true);
    assert.doesNotThrow(() => JSON.stringify(outputs));
  });
});
