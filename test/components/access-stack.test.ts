/**
 * The access layer through the program (program/deploy.ts, program/access.ts) under Pulumi mocks: a
 * spec with a `gateways` section on AWS and GCP, the overlay, HTTPS from a certificate whose key is
 * a secret, an API key holder, and `sovereign:dns` on Route 53 and a self-hosted Knot server. The
 * program must deploy every planned gateway on its planned site in front of every node, point the
 * hostname at them, report what clients use, and keep the secrets out of plain inputs. Then the
 * refusals, each naming its key.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { at, installMocks, loadStackConfig, plainStrings, settle, value } from "./harness";
import { selfSignedCertificate } from "../gateway/processes";

const h = installMocks("access");
const dir = mkdtempSync(join(tmpdir(), "sovereign-access-"));
const HOST_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcH";
const SSH_KEY = generateKeyPairSync("ed25519").privateKey.export({ format: "pem", type: "pkcs8" }).toString();
const { certificate: TLS_CERTIFICATE, privateKey: TLS_KEY } = selfSignedCertificate("rpc.example.org");
const API_KEY = "wallet-key-0123456789abcdef";
const spec = {
  name: "acc",
  chains: [{ chain: "ethereum", network: "hoodi", count: 3 }],
  sites: {
    aws: { regions: ["eu-central-1"] },
    gcp: { regions: ["europe-west3"] },
    azure: { regions: ["germanywestcentral"] },
  },
  gateways: { count: 2, sites: ["aws", "gcp"] },
  policy: { maxShare: { operator: 0.5 } },
};
const specFile = join(dir, "fleet.yaml");
writeFileSync(specFile, stringify(spec));
const dns = {
  hostname: "rpc.example.org",
  route53: { zoneId: "Z0123456789" },
  selfHosted: {
    zone: "rpc.example.org",
    servers: [
      {
        name: "ns1.rpc.example.org",
        operator: "hetzner",
        address: "203.0.113.8",
        ssh: { user: "root", port: 22, hostKey: HOST_KEY },
      },
    ],
  },
};
const baseConfig: Record<string, unknown> = {
  "sovereign:fleetFile": specFile,
  "sovereign:gcpProject": "sovereign-test",
  "sovereign:overlay": "true",
  "sovereign:gatewayTlsCertificate": TLS_CERTIFICATE,
  "sovereign:gatewayTlsPrivateKey": TLS_KEY,
  "sovereign:gatewayApiKeys": [{ name: "wallet", requestsPerSecond: 100 }],
  "sovereign:gatewayApiKey-wallet": API_KEY,
  "sovereign:sshPrivateKey": SSH_KEY,
  "sovereign:dns": dns,
};
const SECRETS = ["sovereign:gatewayTlsPrivateKey", "sovereign:gatewayApiKey-wallet", "sovereign:sshPrivateKey"];
loadStackConfig(baseConfig, SECRETS);

import type { StackOutputs, RpcAccess } from "../../program/deploy";
import type { FleetGatewayOutput, FleetNodeOutput } from "../../components";
let outputs: StackOutputs;
let gateways: Record<string, FleetGatewayOutput>;
let nodes: Record<string, FleetNodeOutput>;
let rpc: RpcAccess;

before(async () => {
  const { deploy } = await import("../../program/deploy");
  outputs = await deploy();
  gateways = await value(outputs.gateways);
  nodes = await value(outputs.nodes);
  rpc = await value(outputs.rpc);
  await settle();
});
after(() => rmSync(dir, { recursive: true, force: true }));

const custom = () => h.resources.filter((r) => r.custom);
const ofType = (type: string) => custom().filter((r) => r.type === type);

describe("access layer through the program", () => {
  it("deploys one gateway per planned gateway, on the planned clouds, each on its own VM", () => {
    const list = Object.values(gateways);
    assert.equal(list.length, 2);
    assert.deepEqual(list.map((g) => g.provider).sort(), ["aws", "gcp"]);
    for (const g of list) {
      assert.ok(g.publicIp, `${g.id} has an address`);
      assert.equal(g.endpoints["ethereum/hoodi"], `https://${g.publicIp}:443/ethereum/hoodi`);
    }
    const vmNames = [...ofType("aws:ec2/instance:Instance"), ...ofType("gcp:compute/instance:Instance")].map(
      (r) => r.name,
    );
    for (const g of list) assert.ok(vmNames.includes(`acc-${g.id}-host-vm`), `${g.id} has its VM`);
  });

  it("each gateway joins the overlay and proxies to every node's overlay address", () => {
    const machines = h.resources.filter((r) => r.type === "sovereign:overlay:WireGuardKey").map((r) => r.name);
    for (const g of Object.keys(gateways))
      assert.ok(
        machines.some((m) => m.includes(g)),
        `${g} has an overlay key`,
      );
    for (const n of Object.values(nodes)) assert.match(n.overlayRpcEndpoint!, /^http:\/\/100\.72\.\d+\.\d+:8545$/);
  });

  it("puts the hostname on Route 53 and the self-hosted server with every gateway's address", async () => {
    const records = ofType("aws:route53/record:Record");
    const addresses = records.flatMap((r) => r.inputs.records ?? []).sort();
    assert.deepEqual(
      addresses,
      Object.values(gateways)
        .map((g) => g.publicIp)
        .sort(),
    );
    for (const r of records) assert.equal(r.inputs.name, "rpc.example.org.");
    const zonePush = custom().find((r) => r.type === "command:remote:Command" && r.name.startsWith("acc-rpc-ns"));
    assert.ok(zonePush, "the zone is pushed to the self-hosted server");
    assert.equal(at(zonePush.inputs, "connection", "host").value, "203.0.113.8");
  });

  it("reports what wallets use: the hostname's URL, where its records live, every gateway's URL", () => {
    assert.equal(rpc.hostname, "rpc.example.org");
    assert.deepEqual(rpc.urls, { "ethereum/hoodi": "https://rpc.example.org/ethereum/hoodi" });
    assert.deepEqual(rpc.dnsProviders.sort(), ["route53 (aws)", "self-hosted:ns1.rpc.example.org (hetzner)"]);
    assert.deepEqual(
      [...rpc.endpoints["ethereum/hoodi"]].sort(),
      Object.values(gateways)
        .map((g) => g.endpoints["ethereum/hoodi"])
        .sort(),
    );
  });

  it("keeps the TLS key, the API key and the SSH key out of every plain input", () => {
    const tlsBody = TLS_KEY.split("\n")[1];
    const sshBody = SSH_KEY.split("\n")[1];
    for (const r of h.resources)
      for (const s of plainStrings(r.inputs)) {
        assert.ok(!s.includes(tlsBody), `${r.type} ${r.name} leaks the TLS key`);
        assert.ok(!s.includes(API_KEY), `${r.type} ${r.name} leaks the API key`);
        assert.ok(!s.includes(sshBody), `${r.type} ${r.name} leaks the SSH key`);
      }
  });
});

describe("access layer refusals", () => {
  const attempt = async (config: Record<string, unknown>, secrets = SECRETS) => {
    loadStackConfig(config, secrets);
    const { deploy } = await import("../../program/deploy");
    return deploy();
  };
  const refused = (pattern: RegExp, name?: string) => (e: Error) => {
    assert.match(e.message, pattern);
    if (name) assert.equal(e.name, name);
    return true;
  };

  it("names an API key holder whose key is not set", async () => {
    const config = { ...baseConfig };
    delete config["sovereign:gatewayApiKey-wallet"];
    await assert.rejects(
      attempt(config),
      refused(/pulumi config set --secret sovereign:gatewayApiKey-wallet/, "ConfigError"),
    );
  });

  it("names a certificate that is no PEM chain", async () => {
    await assert.rejects(
      attempt({ ...baseConfig, "sovereign:gatewayTlsCertificate": "fullchain.pem" }),
      refused(/sovereign:gatewayTlsCertificate is not a PEM certificate chain/, "ConfigError"),
    );
  });

  it("names a bad DNS field and a certificate without its key", async () => {
    const config: Record<string, unknown> = { ...baseConfig, "sovereign:dns": { ...dns, hostname: "RPC example" } };
    delete config["sovereign:gatewayTlsPrivateKey"];
    await assert.rejects(
      attempt(config),
      refused(/gatewayTlsPrivateKey go together[\s\S]*sovereign:dns\.hostname: use a DNS name/, "ConfigError"),
    );
  });

  it("names a self-hosted zone that does not hold the hostname", async () => {
    const config = {
      ...baseConfig,
      "sovereign:dns": { ...dns, selfHosted: { ...dns.selfHosted, zone: "other.example.org" } },
    };
    await assert.rejects(
      attempt(config),
      refused(
        /sovereign:dns\.selfHosted\.zone: other\.example\.org does not hold the hostname rpc\.example\.org/,
        "ConfigError",
      ),
    );
  });

  it("refuses a hostname when the plan has no gateways to point it at", async () => {
    const { gateways: _, ...noGateways } = spec;
    await assert.rejects(
      attempt({ ...baseConfig, "sovereign:fleetFile": "", "sovereign:fleet": noGateways }),
      refused(/sovereign:dns names rpc\.example\.org, but the plan of fleet acc has no gateways/),
    );
  });

  it("refuses gateways that cannot reach nodes on other sites without the overlay", async () => {
    await assert.rejects(
      attempt({ ...baseConfig, "sovereign:overlay": "false" }),
      refused(/dials nodes on other sites .* whose RPC is private: set sovereign:overlay true/),
    );
  });
});
