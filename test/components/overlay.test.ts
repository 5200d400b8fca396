/**
 * The overlay components (components/overlay) under Pulumi mocks, through the Fleet: a plan with
 * nodes on two bare-metal hosts and on AWS and GCP VMs, plus two gateways (one on a bare-metal host,
 * one on a VM; the placement of gateways is the planner's, added here by hand). Checked: one key per
 * machine (a secret), the bare-metal interface brought up over SSH with the rendered peers, the
 * cloud VMs' cloud-init (kernel WireGuard, wg-quick, the host firewall letting only the gateways
 * reach RPC), the WireGuard port opened, and no private key outside secrets.
 */
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { gunzipSync } from "node:zlib";
import { parse } from "yaml";
import { at, installMocks, mockWireGuardKey, plainStrings, settle, value, type Recorded } from "./harness";

const h = installMocks("overlay");

import type { Plan, PlannedGateway } from "../../core/plan";
import type { Fleet as FleetType } from "../../components/fleet";

const SSH_KEY = generateKeyPairSync("ed25519").privateKey.export({ format: "pem", type: "pkcs8" }).toString();
const HOST_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcH";
const spec = {
  name: "ov",
  chains: [{ chain: "ethereum", network: "hoodi", count: 4 }],
  sites: {
    aws: { regions: ["eu-central-1"] },
    gcp: { regions: ["europe-west3"] },
    baremetal: {
      hosts: ["h4", "h5"].map((name, i) => ({
        name,
        address: `10.77.0.${14 + i}`,
        operator: ["hetzner", "ovh"][i],
        country: ["DE", "FR"][i],
        monthlyUsd: 50,
        cpu: 16,
        memoryGb: 64,
        diskGb: 4000,
        maxNodes: 1,
        ssh: { user: "root", port: 22, hostKey: HOST_KEY },
      })),
    },
  },
  policy: { maxShare: { operator: 0.25 } },
};

let plan: Plan;
let fleet: FleetType;
let machines: Record<string, { name: string; address: string; publicKey: string; nodes: string[]; gateways: string[] }>;
let nodes: Record<string, { overlayRpcEndpoint?: string; provider: string }>;
const custom = () => h.resources.filter((r) => r.custom);
const ofType = (type: string) => custom().filter((r) => r.type === type);

function gateway(id: string, provider: PlannedGateway["provider"], host?: string): PlannedGateway {
  return {
    id,
    chains: ["ethereum/hoodi"],
    provider,
    site: host ? `baremetal/${host}` : `${provider}/europe-west3`,
    host,
    operator: host ? "ovh" : provider,
    region: host ? "nl" : "europe-west3",
    country: "NL",
    jurisdiction: "NL",
    cloudAct: !host,
    shape: "small",
    vcpu: 2,
    memoryGb: 4,
    monthlyUsd: 10,
    cost: { compute: 10, storage: 0, performance: 0, publicIp: 0, egress: 0, total: 10 },
    estimate: true,
    sources: ["test"],
  };
}

before(async () => {
  const { loadCatalog } = await import("../../core/catalog/load");
  const { validateFleetObject } = await import("../../core/fleet-spec/parse");
  const { resolveFleet } = await import("../../core/fleet-spec/resolve");
  const { planFleet } = await import("../../core/planner/plan");
  const { Fleet } = await import("../../components");
  const catalog = loadCatalog();
  plan = await planFleet(resolveFleet(validateFleetObject(spec, "test"), catalog, "test"), catalog);
  plan.gateways = [gateway("gateway-h5", "baremetal", "h5"), gateway("gateway-gcp-1", "gcp")];
  fleet = new Fleet("ov", {
    plan,
    catalog,
    gcp: { project: "p" },
    baremetal: { privateKey: SSH_KEY },
    overlay: { wireguardGo: "/opt/wg/wireguard-go" },
  });
  machines = await value(fleet.overlayMachines);
  nodes = (await value(fleet.nodes)) as typeof nodes;
  await settle();
});

const byName = (name: string): Recorded => {
  const list = h.resources.filter((r) => r.name === name);
  assert.equal(list.length, 1, name);
  return list[0];
};
/** The WireGuard config a bare-metal up script writes (base64 in the script). */
const writtenConfig = (script: string) =>
  Buffer.from(
    /printf '%s' '([A-Za-z0-9+/=]+)' \| base64 -d > '[^']+\.conf\.new'/.exec(script)![1],
    "base64",
  ).toString();

describe("overlay through the Fleet", () => {
  it("spreads the plan over two hosts and two clouds; every machine is in the overlay with a key", () => {
    assert.deepEqual(new Set(plan.nodes.map((n) => n.provider)), new Set(["aws", "gcp", "baremetal"]));
    const names = Object.keys(machines).sort();
    assert.deepEqual(names, [...new Set([...plan.nodes.map((n) => n.host ?? n.id), "h5", "gateway-gcp-1"])].sort());
    const keys = h.resources.filter((r) => r.type === "sovereign:overlay:WireGuardKey");
    assert.equal(keys.length, names.length);
    for (const name of names) {
      const gen = byName(`ov-overlay-${name}-key-generate`);
      assert.equal(gen.inputs.create, "openssl rand -base64 32");
    }
  });

  it("public keys are those of the generated private keys; addresses are unique and inside the CIDR", async () => {
    const { wireGuardPublicKey } = await import("../../core/overlay");
    for (const m of Object.values(machines)) {
      assert.equal(m.publicKey, wireGuardPublicKey(mockWireGuardKey(`ov-overlay-${m.name}-key-generate`)));
      assert.match(m.address, /^100\.72\.\d+\.\d+$/);
    }
    assert.equal(new Set(Object.values(machines).map((m) => m.address)).size, Object.keys(machines).length);
  });

  it("each bare-metal host's interface comes up over SSH with its peers; the script is a secret", () => {
    for (const host of ["h4", "h5"]) {
      const up = byName(`ov-overlay-${host}-up`);
      const stdin = at(up.inputs, "stdin");
      assert.ok(stdin.secret, `${host}: the script (with the private key) is a secret`);
      assert.ok(at(up.inputs, "connection", "privateKey").secret);
      assert.equal(at(up.inputs, "connection", "host").value, machines[host] && `10.77.0.${host === "h4" ? 14 : 15}`);
      const conf = writtenConfig(stdin.value);
      assert.ok(conf.includes(`PrivateKey = ${mockWireGuardKey(`ov-overlay-${host}-key-generate`)}`));
      const peers = [...conf.matchAll(/AllowedIPs = ([\d.]+)\/32/g)].map((m) => m[1]).sort();
      const expected = Object.values(machines)
        .filter((m) => m.name !== host && (m.gateways.length || machines[host].gateways.length))
        .map((m) => m.address)
        .sort();
      assert.deepEqual(peers, expected, `${host} peers`);
      assert.match(stdin.value, /'\/opt\/wg\/wireguard-go' sovwg0 <\/dev\/null/);
      assert.match(
        stdin.value,
        new RegExp(`ip address replace ${machines[host].address.replace(/\./g, "\\.")}/16 dev sovwg0`),
      );
      assert.match(up.inputs.delete, /ip link del dev sovwg0/);
    }
  });

  it("bare-metal nodes' firewalls let only the gateways' overlay addresses reach RPC, through the overlay interface", () => {
    const gw = Object.values(machines)
      .filter((m) => m.gateways.length)
      .map((m) => `${m.address}/32`)
      .sort();
    for (const n of plan.nodes.filter((x) => x.provider === "baremetal")) {
      const nft: string = at(byName(`ov-${n.id}-firewall`).inputs, "stdin").value;
      assert.deepEqual(/set rpc_overlay \{[^}]*elements = \{ ([^}]+) \}/.exec(nft)![1].split(", ").sort(), gw);
      assert.match(nft, /iifname "sovwg0" tcp dport \{ [\d, ]+ \} ip saddr @rpc_overlay accept/);
      assert.equal(nodes[n.id].overlayRpcEndpoint, `http://${machines[n.host!].address}:8545`);
    }
  });

  it("cloud VMs get kernel WireGuard from cloud-init (wg-quick) and the overlay firewall, in secret user-data", () => {
    const vms = [
      ...ofType("aws:ec2/instance:Instance").map((r) => ({ r, data: at(r.inputs, "userData") })),
      ...ofType("gcp:compute/instance:Instance").map((r) => ({ r, data: at(r.inputs, "metadata", "user-data") })),
    ].filter(({ r }) => !r.name.startsWith("ov-gateway-"));
    assert.equal(vms.length, plan.nodes.filter((n) => n.provider !== "baremetal").length);
    for (const { r, data } of vms) {
      assert.ok(data.secret, `${r.name}: user-data is a secret`);
      const node = plan.nodes.find((n) => r.name.startsWith(`ov-${n.id}`))!;
      const config = parse(String(data.value).replace(/^#cloud-config\n/, ""));
      const wg = config.write_files.find((f: { path: string }) => f.path === "/etc/wireguard/sovwg0.conf");
      assert.equal(wg.permissions, "0600");
      assert.match(wg.content, new RegExp(`Address = ${machines[node.id].address.replace(/\./g, "\\.")}/16`));
      assert.ok(wg.content.includes(`PrivateKey = ${mockWireGuardKey(`ov-overlay-${node.id}-key-generate`)}`));
      // peers: the gateways only; the bare-metal gateway's endpoint is known from the plan
      assert.equal([...wg.content.matchAll(/\[Peer\]/g)].length, 2);
      assert.match(wg.content, /Endpoint = 10\.77\.0\.15:51820/);
      assert.ok(config.packages.includes("wireguard-tools"));
      assert.deepEqual(
        config.runcmd.slice(0, 2).map((c: string[]) => c.join(" ")),
        [`nft -f /etc/sovereign/${node.id}/overlay-firewall.nft`, "systemctl enable --now wg-quick@sovwg0"],
      );
      const nft = config.write_files.find((f: { path: string }) => f.path.endsWith("overlay-firewall.nft")).content;
      assert.match(nft, /iifname "sovwg0" tcp dport \{ [\d, ]+ \} ip saddr @rpc_overlay accept/);
    }
  });

  it("the Fleet deploys the plan's gateways: the cloud one joins the overlay at boot, both dial the nodes' overlay addresses", () => {
    const upstreams = plan.nodes.map((n) => `${machines[n.host ?? n.id].address}:8545`).sort();
    const servers = (cfg: string) => [...cfg.matchAll(/^\s+server \S+ ([\d.]+:\d+)/gm)].map((m) => m[1]).sort();

    const vm = byName("ov-gateway-gcp-1-host-vm");
    const data = at(vm.inputs, "metadata", "user-data");
    assert.ok(data.secret, "the gateway VM's user-data (its WireGuard key) is a secret");
    const config = parse(String(data.value).replace(/^#cloud-config\n/, ""));
    const wg = config.write_files.find((f: { path: string }) => f.path === "/etc/wireguard/sovwg0.conf");
    assert.ok(wg.content.includes(`PrivateKey = ${mockWireGuardKey("ov-overlay-gateway-gcp-1-key-generate")}`));
    assert.match(wg.content, new RegExp(`Address = ${machines["gateway-gcp-1"].address.replace(/\./g, "\\.")}/16`));
    // A gateway dials out: no overlay firewall of its own, WireGuard first.
    assert.equal(config.runcmd[0].join(" "), "systemctl enable --now wg-quick@sovwg0");
    assert.ok(!config.write_files.some((f: { path: string }) => f.path.endsWith("overlay-firewall.nft")));
    const haproxy = config.write_files.find((f: { path: string }) => f.path.endsWith("haproxy.cfg"));
    const rendered = servers(gunzipSync(Buffer.from(haproxy.content, "base64")).toString());
    assert.deepEqual(
      rendered.filter((s) => s.endsWith(":8545")),
      upstreams,
    );
    const gcpRules = ofType("gcp:compute/firewall:Firewall").filter((r) => r.name.startsWith("ov-gateway-gcp-1-"));
    assert.ok(
      gcpRules.some((r) => JSON.stringify(r.inputs.allows).includes('"80"')),
      "the public port 80 is open",
    );
    assert.ok(
      gcpRules.some((r) => JSON.stringify(r.inputs.allows).includes("51820")),
      "and the WireGuard port",
    );

    const upload = at(byName("ov-gateway-h5-host-workload").inputs, "stdin");
    assert.ok(upload.secret);
    // The upload script carries the files base64-encoded.
    const files = [...String(upload.value).matchAll(/'([A-Za-z0-9+/=]{40,})'/g)]
      .map((m) => Buffer.from(m[1], "base64").toString())
      .join("\n");
    assert.deepEqual(
      servers(files).filter((s) => s.endsWith(":8545")),
      upstreams,
    );
    assert.equal(at(byName("ov-gateway-h5-host-workload").inputs, "connection", "host").value, "10.77.0.15");
  });

  it("the gateways are in the Fleet's outputs with their endpoints per chain", async () => {
    const gws = await value(fleet.gatewayEndpoints);
    assert.deepEqual(Object.keys(gws).sort(), ["gateway-gcp-1", "gateway-h5"]);
    assert.equal(gws["gateway-h5"].endpoints["ethereum/hoodi"], "http://10.77.0.15:80/ethereum/hoodi");
    assert.equal(gws["gateway-gcp-1"].operator, "gcp");
  });

  it("the WireGuard port is open on every cloud VM", () => {
    const sgRules = ofType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter(
      (r) => r.inputs.ipProtocol === "udp" && r.inputs.fromPort === 51820,
    );
    assert.ok(sgRules.length >= 1, "AWS security group rule for 51820/udp");
    const gcpRules = ofType("gcp:compute/firewall:Firewall").filter((r) =>
      JSON.stringify(r.inputs.allows).includes("51820"),
    );
    assert.ok(gcpRules.length >= 1, "GCP firewall rule for 51820/udp");
  });

  it("a gateway VM's configuration, made later with the nodes' addresses, reaches every machine", async () => {
    const text = await value(
      fleet.overlay!.cloudConfig("gateway-gcp-1", {
        [plan.nodes.find((n) => n.provider === "aws")!.id]: "198.51.100.9",
      }),
    );
    assert.equal([...text.matchAll(/\[Peer\]/g)].length, Object.keys(machines).length - 1);
    assert.match(text, /Endpoint = 198\.51\.100\.9:51820/);
  });

  it("no private key appears outside secrets", () => {
    const privates = Object.keys(machines).map((m) => mockWireGuardKey(`ov-overlay-${m}-key-generate`));
    for (const r of h.resources) {
      for (const s of plainStrings(r.inputs))
        for (const k of privates) assert.ok(!s.includes(k), `${r.type} ${r.name} leaks a WireGuard key`);
    }
  });
});
