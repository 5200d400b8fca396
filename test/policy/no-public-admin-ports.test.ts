import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { noPublicAdminPorts } from "../../policy/policies/no-public-admin-ports";
import { violations, type Fixture } from "./args";

const awsRule = (port: number, cidr: string, extra: object = {}): Fixture => ({
  type: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
  name: `in-${port}`,
  props: {
    securityGroupId: "sg-0abc",
    ipProtocol: "tcp",
    fromPort: port,
    toPort: port,
    ...(cidr.includes(":") ? { cidrIpv6: cidr } : { cidrIpv4: cidr }),
    ...extra,
  },
});

describe("policy no-public-admin-ports", () => {
  it("AWS SecurityGroupIngressRule: P2P to the world passes; 8551 from 0.0.0.0/0 and SSH from ::/0 are blocked", async () => {
    assert.deepEqual(await violations(noPublicAdminPorts, awsRule(30303, "0.0.0.0/0")), []);
    assert.deepEqual(await violations(noPublicAdminPorts, awsRule(8551, "10.42.0.0/16")), []);
    const [engine] = await violations(noPublicAdminPorts, awsRule(8551, "0.0.0.0/0"));
    assert.match(
      engine,
      /^Public ingress to closed ports on in-8551 \(aws:vpc\/securityGroupIngressRule:SecurityGroupIngressRule\): 0\.0\.0\.0\/0 may reach 8551\/tcp/,
    );
    assert.match(engine, /engine/);
    assert.match(engine, /Fix: limit the rule's cidrIpv4/);
    assert.match((await violations(noPublicAdminPorts, awsRule(22, "::/0")))[0], /::\/0 may reach 22\/tcp \(ssh\)/);
  });

  it("AWS SecurityGroup inline ingress and SecurityGroupRule: all ports (-1) to the world is blocked, egress ignored", async () => {
    const sg: Fixture = {
      type: "aws:ec2/securityGroup:SecurityGroup",
      name: "node-sg",
      props: {
        vpcId: "vpc-1",
        ingress: [
          { protocol: "tcp", fromPort: 30303, toPort: 30303, cidrBlocks: ["0.0.0.0/0"] },
          { protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] },
        ],
        egress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }],
      },
    };
    const v = await violations(noPublicAdminPorts, sg);
    assert.equal(v.length, 1, v.join("\n"));
    assert.match(v[0], /node-sg ingress\[1\]/);
    assert.match(v[0], /22\/tcp/);
    assert.match(v[0], /8551\/tcp/);
    const rule = (type: string): Fixture => ({
      type: "aws:ec2/securityGroupRule:SecurityGroupRule",
      name: "r",
      props: {
        type,
        protocol: "tcp",
        fromPort: 6060,
        toPort: 6060,
        cidrBlocks: ["0.0.0.0/0"],
        securityGroupId: "sg-1",
      },
    });
    assert.match((await violations(noPublicAdminPorts, rule("ingress")))[0], /6060\/tcp \(geth metrics\)/);
    assert.deepEqual(await violations(noPublicAdminPorts, rule("egress")), []);
  });

  it("GCP firewall: a range covering 8551 from 0.0.0.0/0 is blocked; from the admin CIDR it passes", async () => {
    const fw = (sourceRanges: string[]): Fixture => ({
      type: "gcp:compute/firewall:Firewall",
      name: "node-admin",
      props: {
        network: "prod-net",
        direction: "INGRESS",
        priority: 1000,
        sourceRanges,
        targetTags: ["node"],
        allows: [{ protocol: "tcp", ports: ["8500-8600"] }],
      },
    });
    assert.deepEqual(await violations(noPublicAdminPorts, fw(["203.0.113.0/24"])), []);
    const [v] = await violations(noPublicAdminPorts, fw(["0.0.0.0/0"]));
    assert.match(v, /node-admin allows\[0\]/);
    assert.match(v, /8551\/tcp/);
    assert.match(v, /sourceRanges/);
  });

  it("Azure NSG inline rules and SecurityRule: '*' or 'Internet' to 22 is blocked; Deny rules are not ingress", async () => {
    const nsg: Fixture = {
      type: "azure-native:network:NetworkSecurityGroup",
      name: "node-nsg",
      props: {
        resourceGroupName: "rg",
        location: "eastus",
        securityRules: [
          {
            name: "p2p",
            direction: "Inbound",
            access: "Allow",
            protocol: "Tcp",
            sourceAddressPrefixes: ["0.0.0.0/0"],
            sourcePortRange: "*",
            destinationAddressPrefix: "*",
            destinationPortRange: "30303",
            priority: 100,
          },
          {
            name: "deny",
            direction: "Inbound",
            access: "Deny",
            protocol: "*",
            sourceAddressPrefix: "*",
            sourcePortRange: "*",
            destinationAddressPrefix: "*",
            destinationPortRange: "*",
            priority: 4000,
          },
        ],
      },
    };
    assert.deepEqual(await violations(noPublicAdminPorts, nsg), []);
    const rule: Fixture = {
      type: "azure-native:network:SecurityRule",
      name: "ssh",
      props: {
        networkSecurityGroupName: "node-nsg",
        resourceGroupName: "rg",
        direction: "Inbound",
        access: "Allow",
        protocol: "Tcp",
        sourceAddressPrefix: "Internet",
        sourcePortRange: "*",
        destinationAddressPrefix: "*",
        destinationPortRange: "22",
        priority: 200,
      },
    };
    const [v] = await violations(noPublicAdminPorts, rule);
    assert.match(v, /Internet may reach 22\/tcp \(ssh\)/);
    assert.match(v, /sourceAddressPrefix/);
  });

  it("judges ports by the clients the resource's tags name (bitcoind: 8332 is RPC, not closed)", async () => {
    const tagged = awsRule(6060, "0.0.0.0/0", { tags: { "sovereign:client": "bitcoind" } });
    assert.deepEqual(await violations(noPublicAdminPorts, tagged), [], "6060 is not a bitcoind port");
    assert.equal(
      (await violations(noPublicAdminPorts, awsRule(6060, "0.0.0.0/0"))).length,
      1,
      "untagged: any client's metrics port",
    );
  });
});

describe("policy no-public-admin-ports on bare-metal nftables rulesets", () => {
  const nft = (stdin: string): Fixture => ({
    type: "command:remote:Command",
    name: "fw",
    props: { connection: { host: "10.77.0.11" }, create: "nft -f -", stdin },
  });

  it("passes the ruleset Sovereign's BareMetalHost loads (closed ports dropped, RPC only from the allow-list)", async () => {
    const { renderNftables } = await import("../../core/workload/nftables");
    const { loadCatalog } = await import("../../core/catalog/load");
    const ports = ["geth", "lighthouse"].flatMap((id) =>
      loadCatalog()
        .clients.get(id)!
        .ports.map((p) => ({ ...p, client: id, containerPort: p.port })),
    );
    const ruleset = renderNftables("eth-1", ports as never, { rpcAllowCidrs: ["203.0.113.0/24"] });
    assert.match(ruleset, /8551/);
    assert.deepEqual(await violations(noPublicAdminPorts, nft(ruleset)), []);
  });

  it("blocks an accept of 8551 with no source match, naming the line", async () => {
    const ruleset =
      "table inet n {\n  chain input {\n    type filter hook input priority 0; policy drop;\n    tcp dport 30303 accept\n    tcp dport { 8545, 8551 } accept\n  }\n}";
    const [v] = await violations(noPublicAdminPorts, nft(ruleset));
    assert.match(
      v,
      /^Public ingress to closed ports on fw stdin line 5 \(command:remote:Command\): 0\.0\.0\.0\/0 may reach 8551\/tcp/,
    );
    assert.match(v, /Fix: restrict the nftables accept with `ip saddr/);
    assert.deepEqual(
      await violations(
        noPublicAdminPorts,
        nft(ruleset.replace("{ 8545, 8551 } accept", "{ 8545, 8551 } ip saddr 10.0.0.0/8 accept")),
      ),
      [],
    );
  });
});
