/**
 * The RPC hostname on several DNS providers (components/dns) under Pulumi mocks: the same records
 * on Route 53 (one per gateway, multivalue, each with a health check), Cloud DNS, Azure DNS,
 * Cloudflare and self-hosted Knot servers (zone pushed over SSH); refusals of one-operator DNS.
 */
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { at, installMocks, settle, value } from "./harness";

const h = installMocks("dns");
import type { RpcDns as RpcDnsType } from "../../components/dns";

const SSH_KEY = generateKeyPairSync("ed25519").privateKey.export({ format: "pem", type: "pkcs8" }).toString();
const GATEWAYS = [
  { id: "gateway-1", address: "198.51.100.7" },
  { id: "gateway-2", address: "203.0.113.9", port: 8443 },
];
let dns: RpcDnsType;
let RpcDns: typeof RpcDnsType;
const ofType = (type: string) => h.resources.filter((r) => r.custom && r.type === type);

before(async () => {
  ({ RpcDns } = await import("../../components/dns"));
  dns = new RpcDns("rpc", {
    hostname: "rpc.example.org",
    gateways: GATEWAYS,
    route53: { zoneId: "Z123" },
    cloudDns: { managedZone: "example-org" },
    azureDns: { zone: "example.org", resourceGroupName: "dns-rg" },
    cloudflare: { zoneId: "cf-zone" },
    selfHosted: {
      zone: "example.org",
      servers: [
        {
          name: "ns1.example.org",
          operator: "hetzner",
          address: "192.0.2.1",
          connection: { host: "192.0.2.1", privateKey: SSH_KEY },
        },
        {
          name: "ns2.example.org",
          operator: "ovh",
          address: "192.0.2.2",
          connection: { host: "192.0.2.2", privateKey: SSH_KEY },
        },
      ],
    },
  });
  await settle();
});

describe("RpcDns on every provider", () => {
  it("Route 53: one multivalue record per gateway, each behind its own health check", () => {
    const checks = ofType("aws:route53/healthCheck:HealthCheck");
    const records = ofType("aws:route53/record:Record");
    assert.equal(checks.length, 2);
    assert.equal(records.length, 2);
    for (const g of GATEWAYS) {
      const check = checks.find((c) => c.inputs.ipAddress === g.address)!;
      assert.deepEqual(
        [check.inputs.type, check.inputs.port, check.inputs.requestInterval, check.inputs.failureThreshold],
        ["TCP", g.port ?? 8545, 10, 2],
      );
      const r = records.find((x) => x.inputs.setIdentifier === g.id)!;
      assert.deepEqual(
        [
          r.inputs.name,
          r.inputs.type,
          r.inputs.ttl,
          r.inputs.records,
          r.inputs.multivalueAnswerRoutingPolicy,
          r.inputs.zoneId,
        ],
        ["rpc.example.org.", "A", 30, [g.address], true, "Z123"],
      );
      assert.equal(r.inputs.healthCheckId, check.id);
    }
  });

  it("Cloud DNS and Azure DNS: one A record set with every gateway; Cloudflare: one DNS-only record per gateway", () => {
    const [gcp] = ofType("gcp:dns/recordSet:RecordSet");
    assert.deepEqual(
      [gcp.inputs.name, gcp.inputs.type, gcp.inputs.ttl, gcp.inputs.managedZone, gcp.inputs.rrdatas],
      ["rpc.example.org.", "A", 30, "example-org", GATEWAYS.map((g) => g.address)],
    );
    const [az] = ofType("azure-native:dns:RecordSet");
    assert.deepEqual(
      [az.inputs.zoneName, az.inputs.relativeRecordSetName, az.inputs.recordType, az.inputs.ttl, az.inputs.aRecords],
      ["example.org", "rpc", "A", 30, GATEWAYS.map((g) => ({ ipv4Address: g.address }))],
    );
    const cf = ofType("cloudflare:index/dnsRecord:DnsRecord");
    assert.deepEqual(
      cf.map((r) => [r.inputs.name, r.inputs.type, r.inputs.content, r.inputs.proxied, r.inputs.zoneId]).sort(),
      GATEWAYS.map((g) => ["rpc.example.org", "A", g.address, false, "cf-zone"]).sort(),
    );
  });

  it("self-hosted: the same zone pushed to each server over SSH (the key a secret), Knot serving it on the server's address", async () => {
    const zone = await value(dns.selfHosted!.zoneFile);
    assert.match(zone, /^rpc 30 IN A 198\.51\.100\.7$/m);
    assert.match(zone, /^rpc 30 IN A 203\.0\.113\.9$/m);
    assert.match(zone, /^@ 3600 IN NS ns1\.example\.org\.$/m);
    const cmds = ofType("command:remote:Command").filter((r) => r.name.startsWith("rpc-ns-"));
    assert.deepEqual(cmds.map((c) => c.name).sort(), ["rpc-ns-ns1", "rpc-ns-ns2"]);
    for (const [i, c] of cmds.sort((a, b) => a.name.localeCompare(b.name)).entries()) {
      assert.ok(at(c.inputs, "connection", "privateKey").secret);
      const script: string = at(c.inputs, "stdin").value;
      const files = [...script.matchAll(/printf '%s' '([A-Za-z0-9+/=]+)' \| base64 -d > '([^']+)'/g)].map((m) => [
        m[2],
        Buffer.from(m[1], "base64").toString(),
      ]);
      assert.equal(files.find(([p]) => p.endsWith(".zone.new"))![1], zone, "the same zone on every server");
      assert.match(files.find(([p]) => p.endsWith("knot.conf"))![1], new RegExp(`listen: 192\\.0\\.2\\.${i + 1}@53`));
      assert.match(c.inputs.delete, /knotc -c '\/srv\/sovereign\/dns\/knot\.conf' stop/);
    }
    assert.deepEqual(
      dns.providers.map((p) => p.operator),
      ["aws", "gcp", "azure", "cloudflare", "hetzner", "ovh"],
    );
  });

  it("refuses records held by one DNS operator, and bad names", () => {
    assert.throws(
      () => new RpcDns("one", { hostname: "rpc.example.org", gateways: GATEWAYS, route53: { zoneId: "Z" } }),
      /dns: the records are on 1 DNS operator\(s\) \(aws\); put them on at least 2/,
    );
    assert.throws(
      () =>
        new RpcDns("bad", {
          hostname: "rpc_example",
          gateways: GATEWAYS,
          route53: { zoneId: "Z" },
          cloudDns: { managedZone: "z" },
        }),
      /dns\.hostname: 'rpc_example' is not a DNS name/,
    );
  });
});
