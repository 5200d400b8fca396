/**
 * RpcGateway (components/gateway/rpc-gateway.ts) under Pulumi mocks: on a bare-metal host (remote
 * commands) and on AWS (through AwsNodeHost and cloud-init). Checked: the children and their
 * names, the HAProxy config carrying the resolved upstream URLs, the secrets (API keys, TLS key,
 * SSH key) only inside secret values and never in plain text, file modes, the firewall, the
 * endpoint outputs; bad input names the field.
 */
import { createHash, generateKeyPairSync } from "node:crypto";
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { gunzipSync } from "node:zlib";
import { parse } from "yaml";
import { at, installMocks, plainStrings, reveal, settle, value, type Recorded } from "../components/harness";

const h = installMocks("gateway");

import * as pulumi from "@pulumi/pulumi";
import type { Plan, PlannedGateway } from "../../core/plan";
import type { RpcGateway as RpcGatewayType, RpcGatewayArgs } from "../../components/gateway";

const SSH_KEY = generateKeyPairSync("ed25519").privateKey.export({ format: "pem", type: "pkcs8" }).toString();
const TLS_KEY = generateKeyPairSync("ec", { namedCurve: "prime256v1" })
  .privateKey.export({ format: "pem", type: "pkcs8" })
  .toString();
const TLS_CERT = "-----BEGIN CERTIFICATE-----\nMIIBfakecertificatefortheshapetestonly\n-----END CERTIFICATE-----\n";
const API_KEY = "wallet-key-5f0c2a9e71d84b36a1";

function planned(
  id: string,
  provider: PlannedGateway["provider"],
  extra: Partial<PlannedGateway> = {},
): PlannedGateway {
  return {
    id,
    chains: ["devnet/local", "ethereum/mainnet"],
    provider,
    site: `${provider}/x`,
    operator: provider,
    region: "eu",
    country: "DE",
    jurisdiction: "DE",
    cloudAct: provider !== "baremetal",
    ...(provider === "aws" ? { shape: "c7i.large" } : {}),
    vcpu: 2,
    memoryGb: 4,
    monthlyUsd: 60,
    cost: { compute: 60, storage: 0, performance: 0, publicIp: 0, egress: 0, total: 60 },
    estimate: false,
    sources: ["test"],
    ...extra,
  };
}

const chains = (): RpcGatewayArgs["chains"] => [
  {
    chain: "devnet/local",
    websocket: true,
    maxLagBlocks: 2,
    upstreams: [
      { node: "devnet-a", url: pulumi.output("http://10.77.0.11:8545"), operator: "lab-a" },
      { node: "devnet-b", url: "http://10.77.0.12:8545", operator: "lab-b" },
    ],
  },
  {
    chain: "ethereum/mainnet",
    upstreams: [
      { node: "eth-1", url: pulumi.output("http://10.1.0.5:8545"), operator: "hetzner" },
      { node: "paid-1", url: "https://eth.example.com", operator: "example", backup: true },
    ],
  },
];

let mod: typeof import("../../components/gateway");
let sites: typeof import("../../components");
const bareMetal = (host: string) => sites.baremetalGatewaySite({ host, privateKey: SSH_KEY });
const gws: Record<string, RpcGatewayType> = {};
const outs: Record<string, { endpoint: string; endpoints: Record<string, string>; metrics: string }> = {};

before(async () => {
  mod = await import("../../components/gateway");
  sites = await import("../../components");
  const secrets = {
    tls: { certificate: TLS_CERT, privateKey: pulumi.secret(TLS_KEY) },
    apiKeys: [{ name: "wallet", key: pulumi.secret(API_KEY), requestsPerSecond: 20 }],
  };
  gws.bm = new mod.RpcGateway("gw-bm", {
    gateway: planned("gateway-lab-1", "baremetal", { host: "lab-1" }),
    chains: chains(),
    fleet: "lab",
    ...secrets,
    site: bareMetal("10.77.0.17"),
    image: "sovereign/gateway-haproxy:2.6.12",
  });
  gws.aws = new mod.RpcGateway("gw-aws", {
    gateway: planned("gateway-aws-1", "aws"),
    chains: chains(),
    fleet: "lab",
    ...secrets,
    adminCidrs: ["198.51.100.0/24"],
    site: sites.awsGatewaySite({ vpcId: "vpc-1", subnetId: "subnet-1", availabilityZone: "eu-central-1a" }),
    transform: { host: { kmsKeyId: "alias/gw" } },
  });
  const plan = {
    nodes: [
      {
        id: "eth-1",
        chain: "ethereum",
        network: "mainnet",
        chainKey: "ethereum/mainnet",
        clients: { execution: "geth", consensus: "lighthouse" },
        operator: "hetzner",
      },
      {
        id: "eth-2",
        chain: "ethereum",
        network: "mainnet",
        chainKey: "ethereum/mainnet",
        clients: { execution: "reth", consensus: "lighthouse" },
        operator: "ovh",
      },
    ],
  } as unknown as Plan;
  const fleetGw = planned("gateway-lab-2", "baremetal", { chains: ["ethereum/mainnet"] });
  gws.fleet = new mod.RpcGateway("gw-fleet", {
    gateway: fleetGw,
    site: bareMetal("10.77.0.18"),
    chains: mod.chainsFromFleet(
      plan,
      fleetGw,
      pulumi.output({
        "eth-1": { rpcEndpoint: "http://10.77.0.11:8565" },
        "eth-2": { rpcEndpoint: "http://10.77.0.12:8545" },
      }),
    ),
  });
  for (const [k, g] of Object.entries(gws)) {
    outs[k] = {
      endpoint: await value(g.endpoint),
      endpoints: await value(g.endpoints),
      metrics: await value(g.metricsEndpoint),
    };
  }
  await settle();
});

const named = (name: string): Recorded => {
  const list = h.resources.filter((r) => r.name === name);
  assert.equal(list.length, 1, name);
  return list[0];
};

/** Files written by the bare-metal upload script: path -> content and mode. */
function uploaded(script: string): Map<string, { content: string; mode: string }> {
  const files = new Map<string, { content: string; mode: string }>();
  const lines = script.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const m = /^printf '%s' '([A-Za-z0-9+/=]*)' \| base64 -d > '(.+)\.new'$/.exec(lines[i]);
    const mode = /^chmod (\d{4}) /.exec(lines[i + 1] ?? "");
    if (m && mode) files.set(m[2], { content: Buffer.from(m[1], "base64").toString("utf8"), mode: mode[1] });
  }
  return files;
}

const keyHash = createHash("sha256").update(API_KEY).digest("hex");

describe("RpcGateway on a bare-metal host", () => {
  it("is a sovereign:gateway:RpcGateway on a BareMetalHost with its workload, firewall and start commands", () => {
    assert.equal(named("gw-bm").type, "sovereign:gateway:RpcGateway");
    assert.equal(named("gw-bm-host").type, "sovereign:baremetal:NodeHost");
    for (const part of ["workload", "firewall", "start"])
      assert.equal(named(`gw-bm-host-${part}`).type, "command:remote:Command");
  });

  it("uploads the compose project and HAProxy files with the resolved upstreams, secret files 0600", () => {
    const stdin = at(named("gw-bm-host-workload").inputs, "stdin");
    assert.equal(stdin.secret, true, "the upload script is a secret");
    const files = uploaded(stdin.value);
    const dir = "/srv/sovereign/fleets/lab/config/gateway-lab-1";
    assert.deepEqual([...files.keys()].sort(), [
      `${dir}/compose.yaml`,
      `${dir}/haproxy/api-keys.map`,
      `${dir}/haproxy/haproxy.cfg`,
      `${dir}/haproxy/lag-check.lua`,
      `${dir}/haproxy/tls.pem`,
      `${dir}/prepare.sh`,
    ]);
    const cfg = files.get(`${dir}/haproxy/haproxy.cfg`)!.content;
    assert.match(cfg, /server devnet-a 10\.77\.0\.11:8545 check {2}# operator lab-a/);
    assert.match(cfg, /server paid-1 eth\.example\.com:443 check backup ssl verify required/);
    assert.match(cfg, /bind 0\.0\.0\.0:8443 ssl crt \/etc\/haproxy\/sovereign\/tls\.pem/);
    assert.match(cfg, /backend ws_devnet\.local/);
    assert.doesNotMatch(cfg, /backend ws_ethereum\.mainnet/);
    assert.match(
      files.get(`${dir}/haproxy/lag-check.lua`)!.content,
      /backend = "rpc_devnet.local", kind = "evm", maxLag = 2/,
    );
    assert.equal(files.get(`${dir}/haproxy/api-keys.map`)!.content, `${keyHash} 20\n`);
    assert.equal(files.get(`${dir}/haproxy/api-keys.map`)!.mode, "0600");
    assert.equal(files.get(`${dir}/haproxy/tls.pem`)!.mode, "0600");
    assert.ok(files.get(`${dir}/haproxy/tls.pem`)!.content.includes(TLS_KEY.trim()));
    const compose = parse(files.get(`${dir}/compose.yaml`)!.content);
    assert.equal(compose.services.gateway.image, "sovereign/gateway-haproxy:2.6.12");
    assert.equal(compose.services.gateway.network_mode, "host");
    assert.deepEqual(compose.services.gateway.volumes, [`${dir}/haproxy:/etc/haproxy/sovereign:ro`]);
    assert.equal(
      compose.services.gateway.container_name,
      "lab_gateway-lab-1-gateway",
      "named by fleet on a shared host",
    );
    assert.match(stdin.value, /^set -eu\nclaims="\/srv\/sovereign\/claims"/m, "claims its ports first");
  });

  it("keeps the API key, the TLS key and the SSH key out of every plain value", () => {
    const plain = h.resources
      .filter((r) => r.name.startsWith("gw-bm"))
      .flatMap((r) => plainStrings(r.inputs))
      .join("\n");
    for (const secret of [API_KEY, keyHash, TLS_KEY.split("\n")[1], SSH_KEY.split("\n")[1]])
      assert.ok(!plain.includes(secret), secret.slice(0, 12));
    assert.equal(at(named("gw-bm-host-workload").inputs, "connection", "privateKey").secret, true);
  });

  it("opens the public port and keeps metrics closed on the host firewall", () => {
    const nft = reveal(named("gw-bm-host-firewall").inputs.stdin) as string;
    assert.match(nft, /table inet sovereign_lab_gateway-lab-1 \{/);
    assert.match(nft, /elements = \{ 0\.0\.0\.0\/0 \}/);
    assert.match(nft, /tcp dport \{ 8405 \} counter drop/);
  });

  it("reports the endpoint of each chain and the private metrics URL", () => {
    assert.equal(outs.bm.endpoint, "https://10.77.0.17:8443");
    assert.deepEqual(outs.bm.endpoints, {
      "devnet/local": "https://10.77.0.17:8443/devnet/local",
      "ethereum/mainnet": "https://10.77.0.17:8443/ethereum/mainnet",
    });
    assert.equal(outs.bm.metrics, "http://127.0.0.1:8405/metrics");
  });
});

describe("RpcGateway on AWS", () => {
  it("runs through AwsNodeHost, with the host transform applied", () => {
    const host = named("gw-aws-host");
    assert.equal(host.type, "sovereign:aws:NodeHost");
    assert.equal(named("gw-aws-host-data").inputs.kmsKeyId, "alias/gw");
  });

  it("delivers the HAProxy files by cloud-init, in a secret user-data", () => {
    const ud = at(named("gw-aws-host-vm").inputs, "userData");
    assert.equal(ud.secret, true);
    const config = parse(ud.value.replace(/^#cloud-config\n/, ""));
    const files = new Map<string, { content: string; permissions: string }>(
      config.write_files.map((f: any) => [
        f.path,
        {
          ...f,
          content: f.encoding === "gz+b64" ? gunzipSync(Buffer.from(f.content, "base64")).toString("utf8") : f.content,
        },
      ]),
    );
    assert.equal(config.write_files.find((f: any) => f.path.endsWith("/tls.pem")).encoding, "gz+b64");
    const dir = "/etc/sovereign/gateway-aws-1";
    assert.match(files.get(`${dir}/haproxy/haproxy.cfg`)!.content, /server eth-1 10\.1\.0\.5:8545 check/);
    assert.equal(files.get(`${dir}/haproxy/api-keys.map`)!.content, `${keyHash} 20\n`);
    assert.equal(files.get(`${dir}/haproxy/tls.pem`)!.permissions, "0600");
    assert.equal(parse(files.get(`${dir}/compose.yaml`)!.content).services.gateway.image, "haproxy:2.6.12");
    assert.ok(files.has("/etc/systemd/system/sovereign-gateway-aws-1.service"));
  });

  it("opens the public port to the world and SSH to admins only; never metrics", () => {
    const rules = h.resources.filter(
      (r) => r.type === "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule" && r.name.startsWith("gw-aws-"),
    );
    assert.deepEqual(rules.map((r) => `${r.inputs.fromPort} ${r.inputs.cidrIpv4}`).sort(), [
      "22 198.51.100.0/24",
      "8443 0.0.0.0/0",
    ]);
  });

  it("keeps the secrets out of every plain value and reports the public endpoints", () => {
    const plain = h.resources
      .filter((r) => r.name.startsWith("gw-aws"))
      .flatMap((r) => plainStrings(r.inputs))
      .join("\n");
    for (const secret of [API_KEY, keyHash, TLS_KEY.split("\n")[1]]) assert.ok(!plain.includes(secret));
    assert.match(outs.aws.endpoints["ethereum/mainnet"], /^https:\/\/198\.51\.100\.\d+:8443\/ethereum\/mainnet$/);
  });
});

describe("chainsFromFleet", () => {
  it("takes every planned node of the chain with its deployed endpoint, WebSocket on the shifted ws port", () => {
    const files = uploaded(at(named("gw-fleet-host-workload").inputs, "stdin").value);
    const cfg = files.get("/srv/sovereign/fleets/sovereign/config/gateway-lab-2/haproxy/haproxy.cfg")!.content;
    assert.match(
      cfg,
      /backend rpc_ethereum\.mainnet[\s\S]*server eth-1 10\.77\.0\.11:8565 check {2}# operator hetzner\n {4}server eth-2 10\.77\.0\.12:8545 check/,
    );
    assert.match(
      cfg,
      /backend ws_ethereum\.mainnet[\s\S]*server eth-1 10\.77\.0\.11:8566 track rpc_ethereum\.mainnet\/eth-1\n {4}server eth-2 10\.77\.0\.12:8546 track/,
    );
    assert.equal(outs.fleet.endpoint, "http://10.77.0.18:8545");
  });
});

describe("RpcGateway bad input", () => {
  it("names the field of a bad upstream URL, and a site that is not the plan's", () => {
    assert.throws(
      () =>
        new mod.RpcGateway("bad-url", {
          gateway: planned("gateway-x", "baremetal"),
          site: bareMetal("10.77.0.17"),
          chains: [
            { chain: "devnet/local", upstreams: [{ node: "a", url: "http://10.0.0.1:8545/v3/key", operator: "x" }] },
          ],
        }),
      /chains\[0\]\.upstreams\[0\]\.url: give only scheme:\/\/host:port/,
    );
    assert.throws(
      () =>
        new mod.RpcGateway("no-credentials", {
          gateway: planned("gateway-x", "baremetal"),
          site: bareMetal("10.77.0.17"),
          chains: [
            {
              chain: "bitcoin/mainnet",
              kind: "bitcoin",
              upstreams: [{ node: "b", url: "http://10.0.0.1:8332", operator: "x" }],
            },
          ],
        }),
      /gateway-x: the nodes of bitcoin\/mainnet want RPC credentials: pass upstreamAuth/,
    );
    assert.throws(
      () =>
        new mod.RpcGateway("bad-site", {
          gateway: planned("gateway-y", "aws"),
          site: bareMetal("10.77.0.17"),
          chains: chains(),
        }),
      /the site is on baremetal but the plan puts this gateway on aws/,
    );
  });
});
