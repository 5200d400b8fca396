/**
 * A second stack through the program: spec from sovereign:fleetFile, RPC private (no
 * rpcAllowCidrs), SSH from admin CIDRs (IPv4 and IPv6), rollup nodes with secret L1 endpoints, the
 * AWS default VPC. Then the refusals: infeasible plans, bad config, missing secrets.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { MOCK_JWT, at, installMocks, loadStackConfig, ofNode, plainStrings, reveal, settle, value } from "./harness";

const h = installMocks("private");
const dir = mkdtempSync(join(tmpdir(), "sovereign-stack-"));
const FLEET = "l2-private";
const L1_RPC = "https://eth-mainnet.example.invalid/v2/SECRET-API-KEY-1234";
const L1_BEACON = "https://beacon.example.invalid/SECRET-BEACON-KEY-5678";
const SSH_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcH ops@example";
const ADMIN = ["198.51.100.7/32", "2001:db8:42::/48"];
const spec = {
  name: FLEET,
  chains: [
    { chain: "base", count: 3 },
    {
      chain: "ethereum",
      network: "hoodi",
      count: 3,
      clients: { execution: ["erigon", "besu"], consensus: ["prysm", "lodestar"] },
    },
  ],
  sites: { aws: { regions: ["eu-central-1"] }, gcp: { regions: ["asia-southeast1"] }, azure: { regions: ["eastus"] } },
  policy: { maxShare: { operator: 0.34 } },
};
const specFile = join(dir, "fleet.yaml");
writeFileSync(specFile, stringify(spec));

const baseConfig = {
  "sovereign:fleetFile": specFile,
  "sovereign:rpcAllowCidrs": [],
  "sovereign:adminCidrs": ADMIN,
  "sovereign:sshPublicKey": SSH_KEY,
  "sovereign:gcpProject": "sovereign-test",
  "sovereign:awsNetwork": "default",
  "sovereign:l1Rpc": L1_RPC,
  "sovereign:l1Beacon": L1_BEACON,
};
loadStackConfig(baseConfig, ["sovereign:l1Rpc", "sovereign:l1Beacon"]);

import type { StackOutputs } from "../../program/deploy";
let outputs: StackOutputs;
let nodes: Record<string, any>;

before(async () => {
  const { deploy } = await import("../../program/deploy");
  outputs = await deploy();
  nodes = await value(outputs.nodes);
  await settle();
});
after(() => rmSync(dir, { recursive: true, force: true }));

const custom = () => h.resources.filter((r) => r.custom);
const ofType = (type: string) => custom().filter((r) => r.type === type);

describe("private RPC, admin SSH, rollups", () => {
  it("deploys the spec file's six nodes on the AWS default VPC (no VPC created)", () => {
    assert.equal(Object.keys(nodes).length, 6);
    assert.equal(ofType("aws:ec2/vpc:Vpc").length, 0);
    assert.ok(h.calls.some((c) => c.token === "aws:ec2/getVpc:getVpc"));
    for (const sg of ofType("aws:ec2/securityGroup:SecurityGroup")) assert.equal(sg.inputs.vpcId, "vpc-default");
    for (const vm of ofType("aws:ec2/instance:Instance")) assert.equal(vm.inputs.subnetId, "subnet-a");
  });

  it("opens RPC only to the fleet's own network (default VPC, GCP subnet, Azure VNet), SSH only from the admin CIDRs", async () => {
    const publicPorts = await publicPortSet();
    const { loadCatalog } = await import("../../core/catalog/load");
    const catalog = loadCatalog();
    const rpcPorts = (clients: Record<string, string>) =>
      Object.values(clients)
        .flatMap((id) =>
          catalog.clients
            .get(id)!
            .ports.filter((p) => p.exposure === "rpc")
            .map((p) => `${p.port}/${p.protocol}`),
        )
        .sort();
    const list = Object.values(nodes) as Array<{ id: string; provider: string; clients: Record<string, string> }>;
    const forNode = (type: string, id: string) =>
      ofType(type)
        .filter((r) => ofNode(r, FLEET, id))
        .map((r) => r.inputs);

    // AWS (default VPC, 172.31.0.0/16): P2P from the world, RPC from the VPC, SSH from the admin CIDRs.
    const awsNodes = list.filter((o) => o.provider === "aws");
    assert.equal(awsNodes.length, 2);
    for (const o of awsNodes) {
      const rules = forNode("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", o.id);
      const ssh = rules.filter((r) => r.fromPort === 22);
      assert.deepEqual(ssh.map((r) => r.cidrIpv4 ?? r.cidrIpv6).sort(), [...ADMIN].sort());
      const fromVpc = rules.filter((r) => r.cidrIpv4 === "172.31.0.0/16");
      assert.deepEqual(fromVpc.map((r) => `${r.fromPort}/${r.ipProtocol}`).sort(), rpcPorts(o.clients), o.id);
      for (const r of rules) {
        if (r.fromPort === 22 || r.cidrIpv4 === "172.31.0.0/16") continue;
        assert.equal(r.cidrIpv4, "0.0.0.0/0");
        assert.ok(publicPorts.has(`${r.fromPort}/${r.ipProtocol}`), `${r.fromPort}/${r.ipProtocol} is not a P2P port`);
      }
    }

    // GCP: one firewall per source class; RPC only from the fleet's subnet.
    const fws = ofType("gcp:compute/firewall:Firewall").map((r) => r.inputs);
    assert.deepEqual(
      fws.filter((f) => f.name.endsWith("-admin")).map((f) => f.sourceRanges),
      [[ADMIN[0]], [ADMIN[0]]],
    );
    assert.deepEqual(
      fws.filter((f) => f.name.endsWith("-admin-v6")).map((f) => f.sourceRanges),
      [[ADMIN[1]], [ADMIN[1]]],
    );
    assert.equal(fws.filter((f) => f.name.endsWith("-rpc")).length, 0);
    const subnets = ofType("gcp:compute/subnetwork:Subnetwork").map((r) => r.inputs.ipCidrRange);
    assert.deepEqual(subnets, ["10.102.0.0/20"]); // asia-southeast1 is the 3rd GCP region of the catalog
    for (const o of list.filter((x) => x.provider === "gcp")) {
      const net = forNode("gcp:compute/firewall:Firewall", o.id).filter((f) => f.name.endsWith("-network"));
      assert.equal(net.length, 1, o.id);
      assert.deepEqual(net[0].sourceRanges, subnets);
      assert.deepEqual(
        net[0].allows
          .flatMap((a: { protocol: string; ports: string[] }) => a.ports.map((p) => `${p}/${a.protocol}`))
          .sort(),
        rpcPorts(o.clients),
      );
    }

    // Azure: RPC from the VNet, everything else from the VNet denied, SSH from the admin CIDRs.
    for (const o of list.filter((x) => x.provider === "azure")) {
      const [nsg] = forNode("azure-native:network:NetworkSecurityGroup", o.id);
      const rules = nsg.securityRules;
      const sshRules = rules.filter((r: any) => r.destinationPortRange === "22");
      assert.deepEqual(
        sshRules.map((r: any) => r.sourceAddressPrefixes),
        [[ADMIN[0]], [ADMIN[1]]],
      );
      const fromVnet = rules.filter(
        (r: any) => r.access === "Allow" && r.sourceAddressPrefixes.includes("10.42.0.0/16"),
      );
      assert.deepEqual(
        fromVnet.map((r: any) => `${r.destinationPortRange}/${r.protocol.toLowerCase()}`).sort(),
        rpcPorts(o.clients),
      );
      assert.deepEqual(
        rules
          .filter((r: any) => r.access === "Deny")
          .map((r: any) => [r.sourceAddressPrefixes, r.destinationPortRange, r.priority]),
        [[["10.42.0.0/16"], "*", 4096]],
      );
      for (const r of rules) {
        if (r.destinationPortRange === "22" || r.sourceAddressPrefixes.includes("10.42.0.0/16")) continue;
        assert.deepEqual(r.sourceAddressPrefixes, ["0.0.0.0/0"]);
      }
      const priorities = rules.map((r: any) => r.priority);
      assert.equal(new Set(priorities).size, priorities.length);
    }
  });

  it("never opens the engine API (8551), admin or metrics ports, not even to the fleet's network", async () => {
    const { loadCatalog } = await import("../../core/catalog/load");
    const catalog = loadCatalog();
    const of = (type: string, id: string) =>
      ofType(type)
        .filter((r) => ofNode(r, FLEET, id))
        .map((r) => r.inputs);
    for (const o of Object.values(nodes) as Array<{ id: string; clients: Record<string, string> }>) {
      const ports = Object.values(o.clients).flatMap((id) => catalog.clients.get(id)!.ports);
      const key = (p: { port: number; protocol: string }) => `${p.port}/${p.protocol}`;
      const reachable = new Set(ports.filter((p) => p.exposure === "public" || p.exposure === "rpc").map(key));
      const closed = ports
        .filter((p) => p.exposure === "internal" || p.exposure === "private")
        .map(key)
        .filter((k) => !reachable.has(k));
      if (Object.keys(o.clients).includes("execution")) assert.ok(closed.includes("8551/tcp"), o.id);
      const open = [
        ...of("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", o.id).map(
          (r) => `${r.fromPort}/${r.ipProtocol}`,
        ),
        ...of("gcp:compute/firewall:Firewall", o.id).flatMap((r) =>
          r.allows.flatMap((a: { protocol: string; ports: string[] }) => a.ports.map((p) => `${p}/${a.protocol}`)),
        ),
        ...of("azure-native:network:NetworkSecurityGroup", o.id).flatMap((r) =>
          r.securityRules
            .filter((x: any) => x.access === "Allow")
            .map((x: any) => `${x.destinationPortRange}/${x.protocol.toLowerCase()}`),
        ),
      ];
      assert.ok(open.length > 0, o.id);
      for (const port of closed) assert.ok(!open.includes(port), `${o.id}: ${port} is opened`);
    }
  });

  it("reports private RPC endpoints", () => {
    for (const o of Object.values(nodes)) {
      assert.match(o.rpcEndpoint, /^http:\/\/10\.\d+\.\d+\.\d+:8545$/);
      assert.ok(o.rpcEndpoint.includes(o.privateIp));
    }
  });

  it("keeps the L1 endpoints secret and writes them only to the node's .env", () => {
    for (const r of h.resources) {
      for (const s of plainStrings(r.inputs)) {
        assert.ok(
          !s.includes("SECRET-API-KEY") && !s.includes("SECRET-BEACON-KEY"),
          `${r.type} ${r.name} leaks an L1 URL`,
        );
        assert.ok(!s.includes(MOCK_JWT), `${r.type} ${r.name} leaks the JWT`);
      }
    }
    assert.ok(!JSON.stringify(nodes).includes("SECRET"));
    const base = ofType("aws:ec2/instance:Instance").find((r) => ofNode(r, FLEET, "base-aws-eu-central-1-1"))!;
    const ud = at(base.inputs, "userData");
    assert.ok(ud.secret);
    assert.ok(ud.value.includes(`SOVEREIGN_L1_RPC='${L1_RPC}'`));
    assert.ok(ud.value.includes(`SOVEREIGN_L1_BEACON='${L1_BEACON}'`));
    // Base's consensus client (base-consensus since Azul) names the flag --l1-eth-rpc.
    assert.ok(ud.value.includes("--l1-eth-rpc=${SOVEREIGN_L1_RPC}"), "compose reads the URL from .env, not inline");
  });

  it("installs the admin SSH key on every cloud", () => {
    assert.deepEqual(
      ofType("aws:ec2/keyPair:KeyPair").map((r) => r.inputs.publicKey),
      [SSH_KEY],
    );
    for (const vm of ofType("aws:ec2/instance:Instance"))
      assert.equal(vm.inputs.keyName, `${FLEET}-aws-eu-central-1-key-key`);
    for (const vm of ofType("gcp:compute/instance:Instance"))
      assert.ok(at(vm.inputs, "metadata", "user-data").value.includes(SSH_KEY));
    for (const vm of ofType("azure-native:compute:VirtualMachine")) {
      assert.equal(reveal(vm.inputs).osProfile.linuxConfiguration.ssh.publicKeys[0].keyData, SSH_KEY);
    }
  });

  it("gives io-heavy local-NVMe nodes no network disk and stripes their local disks", () => {
    const gcpBase = ofType("gcp:compute/instance:Instance").find((r) =>
      ofNode(r, FLEET, "base-gcp-asia-southeast1-1"),
    )!;
    assert.equal(reveal(gcpBase.inputs).scratchDisks.length, 16); // 3750 GB = 10 x 375 -> 16 (N2 counts)
    assert.ok(at(gcpBase.inputs, "metadata", "user-data").value.includes("mdadm --create"));
  });
});

/** Ports some client of the deployed chains exposes publicly (P2P). */
async function publicPortSet() {
  const { loadCatalog } = await import("../../core/catalog/load");
  const catalog = loadCatalog();
  const ids = [
    "op-reth",
    "op-geth",
    "op-node",
    "base-reth-node",
    "base-consensus",
    "erigon",
    "besu",
    "prysm",
    "lodestar",
  ];
  return new Set(
    ids.flatMap((id) =>
      catalog.clients
        .get(id)!
        .ports.filter((p) => p.exposure === "public")
        .map((p) => `${p.port}/${p.protocol}`),
    ),
  );
}

describe("refusals", () => {
  const attempt = async (config: Record<string, unknown>, secrets: string[] = []) => {
    loadStackConfig(config, secrets);
    const { deploy } = await import("../../program/deploy");
    return deploy();
  };

  it("refuses an infeasible plan with the planner's reasons", async () => {
    const bad = { ...spec, chains: [{ chain: "ethereum", network: "hoodi", count: 1 }] };
    await assert.rejects(attempt({ ...baseConfig, "sovereign:fleetFile": "", "sovereign:fleet": bad }), (e: Error) => {
      assert.equal(e.name, "InfeasibleError");
      assert.match(e.message, /maxShare\.operator 0\.34 allows at most 0/);
      return true;
    });
  });

  it("refuses a budget the plan cannot meet", async () => {
    const bad = { ...spec, budget: { monthlyUsd: 100 } };
    await assert.rejects(
      attempt({ ...baseConfig, "sovereign:fleetFile": "", "sovereign:fleet": bad }),
      /budget\.monthlyUsd 100 is below the cheapest plan/,
    );
  });

  it("refuses overlay keys without sovereign:overlay, and a bad overlay CIDR or wireguard-go path", async () => {
    await assert.rejects(attempt({ ...baseConfig, "sovereign:overlayCidr": "100.72.0.0/16" }), (e: Error) => {
      assert.equal(e.name, "ConfigError");
      assert.match(e.message, /overlayCidr and sovereign:wireguardGo need sovereign:overlay true/);
      return true;
    });
    await assert.rejects(
      attempt({
        ...baseConfig,
        "sovereign:overlay": "true",
        "sovereign:overlayCidr": "100.72.0.0/33",
        "sovereign:wireguardGo": "wg; rm -rf /",
      }),
      (e: Error) => {
        assert.equal(e.name, "ConfigError");
        assert.match(e.message, /sovereign:overlayCidr/);
        assert.match(e.message, /sovereign:wireguardGo is 'wg; rm -rf \/'/);
        return true;
      },
    );
  });

  it("refuses invalid config: both spec keys, bad CIDRs, bad enum", async () => {
    await assert.rejects(
      attempt({
        ...baseConfig,
        "sovereign:fleet": spec,
        "sovereign:rpcAllowCidrs": ["10.0.0.1", "0.0.0.0/0"],
        "sovereign:awsNetwork": "shared",
      }),
      (e: Error) => {
        assert.equal(e.name, "ConfigError");
        assert.match(e.message, /either sovereign:fleet or sovereign:fleetFile/);
        assert.match(e.message, /rpcAllowCidrs\[0\]: '10\.0\.0\.1' is not a CIDR/);
        assert.match(e.message, /awsNetwork is 'shared'/);
        assert.doesNotMatch(e.message, /rpcAllowCidrs\[1\]/);
        return true;
      },
    );
  });

  it("refuses an invalid spec with the field path", async () => {
    await assert.rejects(
      attempt({
        ...baseConfig,
        "sovereign:fleetFile": "",
        "sovereign:fleet": { ...spec, chains: [{ chain: "etherium", count: 1 }] },
      }),
      /chains\[0\]\.chain: unknown chain 'etherium'/,
    );
  });

  it("refuses rollup nodes without the L1 secrets, before creating anything", async () => {
    const before = h.resources.length;
    const config: Record<string, unknown> = { ...baseConfig };
    delete config["sovereign:l1Rpc"];
    delete config["sovereign:l1Beacon"];
    await assert.rejects(attempt(config), /base-aws-eu-central-1-1: chain base needs l1Rpc/);
    await settle();
    assert.ok(
      h.resources.slice(before).every((r) => !r.custom),
      "no cloud resource was registered",
    );
  });

  it("refuses a Scroll fleet without the L1 RPC, naming the secret, before creating anything", async () => {
    const before = h.resources.length;
    const config: Record<string, unknown> = {
      ...baseConfig,
      "sovereign:fleetFile": "",
      "sovereign:fleet": { ...spec, chains: [{ chain: "scroll", count: 3 }] },
    };
    delete config["sovereign:l1Rpc"];
    await assert.rejects(attempt(config, ["sovereign:l1Beacon"]), (e: Error) => {
      assert.match(
        e.message,
        /scroll-[a-z0-9-]+-1: chain scroll needs l1Rpc \(pulumi config set --secret sovereign:l1Rpc <url>\)/,
      );
      assert.doesNotMatch(e.message, /needs l1Beacon/);
      return true;
    });
    await settle();
    assert.ok(
      h.resources.slice(before).every((r) => !r.custom),
      "no cloud resource was registered",
    );
  });
});
