/**
 * core/dns: the record set (healthy gateways only, sorted, never empty), names relative to a zone,
 * the DNS-diversity rule, and the rendered zone file, Knot and Unbound configs checked by the
 * servers themselves: Knot (Debian's knot, from e2e/lab/setup.sh) loads the zone on loopback and kdig
 * reads it back; unbound-checkconf accepts the resolver's config.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  checkDnsDiversity,
  fqdn,
  relativeName,
  renderKnotConfig,
  renderUnboundConfig,
  renderZoneFile,
  rpcRecordSet,
  zoneSerial,
} from "../../core/dns";

const GW = [
  { id: "g2", address: "10.77.0.17" },
  { id: "g1", address: "10.77.0.9" },
  { id: "g3", address: "10.77.0.100", healthy: false },
];

describe("records", () => {
  test("healthy gateways only, numerically sorted, deduplicated; never an empty set", () => {
    assert.deepEqual(rpcRecordSet("RPC.Example.org", [...GW, { id: "g4", address: "10.77.0.9" }]), {
      name: "rpc.example.org.",
      type: "A",
      ttl: 30,
      values: ["10.77.0.9", "10.77.0.17"],
    });
    assert.throws(
      () => rpcRecordSet("rpc.example.org", [{ ...GW[2] }]),
      /dns: no healthy gateway for rpc\.example\.org\./,
    );
    assert.throws(
      () => rpcRecordSet("rpc.example.org", [{ id: "x", address: "2001:db8::1" }]),
      /gateway x has address '2001:db8::1', not an IPv4 address/,
    );
    assert.throws(() => rpcRecordSet("rpc.example.org", GW, 0), /dns\.ttl: 0/);
  });

  test("names", () => {
    assert.equal(fqdn("rpc.example.org."), "rpc.example.org.");
    assert.throws(() => fqdn("localhost"), /dns\.hostname: 'localhost' is not a DNS name of two or more labels/);
    assert.equal(relativeName("rpc.example.org", "example.org"), "rpc");
    assert.equal(relativeName("a.b.example.org", "example.org."), "a.b");
    assert.equal(relativeName("example.org", "example.org"), "@");
    assert.throws(
      () => relativeName("rpc.example.com", "example.org"),
      /rpc\.example\.com\. is not inside the zone example\.org\./,
    );
  });

  test("at least two DNS operators", () => {
    checkDnsDiversity([
      { provider: "route53", operator: "aws" },
      { provider: "self-hosted:ns1", operator: "hetzner" },
    ]);
    assert.throws(
      () =>
        checkDnsDiversity([
          { provider: "self-hosted:ns1", operator: "ovh" },
          { provider: "self-hosted:ns2", operator: "ovh" },
        ]),
      /on 1 DNS operator\(s\) \(ovh\); put them on at least 2/,
    );
    assert.throws(() => checkDnsDiversity([]), /on 0 DNS operator\(s\) \(none\)/);
  });
});

describe("zone and server configuration", () => {
  const input = {
    zone: "rpc.sovereign.lab",
    nameservers: [
      { name: "ns1.rpc.sovereign.lab", address: "10.77.0.18" },
      { name: "ns2.rpc.sovereign.lab", address: "10.77.0.19" },
    ],
    records: [rpcRecordSet("rpc.sovereign.lab", GW)],
  };
  const dir = mkdtempSync(join(tmpdir(), "sovereign-dns-"));

  test("Knot loads the zone file and answers it; the serial follows the content only", async () => {
    const text = renderZoneFile(input);
    writeFileSync(join(dir, "rpc.sovereign.lab.zone"), text);
    writeFileSync(
      join(dir, "knot.conf"),
      renderKnotConfig({ zone: input.zone, listen: { address: "127.0.0.1", port: 5399 }, dir }),
    );
    const conf = ["-c", join(dir, "knot.conf")];
    const k = spawnSync("knotc", [...conf, "conf-check"], { encoding: "utf8" });
    assert.equal(k.status, 0, k.stdout + k.stderr);
    assert.equal(spawnSync("knotd", [...conf, "-d"], { stdio: "ignore" }).status, 0);
    try {
      let answer = "";
      for (let i = 0; i < 50 && !answer; i++) {
        answer = spawnSync("kdig", ["+short", "@127.0.0.1", "-p", "5399", "rpc.sovereign.lab", "A"], {
          encoding: "utf8",
        }).stdout.trim();
        if (!answer) await new Promise((r) => setTimeout(r, 100));
      }
      assert.deepEqual(answer.split("\n").sort(), ["10.77.0.17", "10.77.0.9"]);
      const soa = spawnSync("kdig", ["+short", "@127.0.0.1", "-p", "5399", "rpc.sovereign.lab", "SOA"], {
        encoding: "utf8",
      }).stdout;
      assert.match(
        soa,
        new RegExp(`^ns1\\.rpc\\.sovereign\\.lab\\. hostmaster\\.rpc\\.sovereign\\.lab\\. ${zoneSerial(input)} `),
      );
    } finally {
      spawnSync("knotc", [...conf, "stop"]);
    }
    assert.equal(zoneSerial(input), zoneSerial(structuredClone(input)));
    assert.notEqual(
      zoneSerial(input),
      zoneSerial({ ...input, records: [rpcRecordSet("rpc.sovereign.lab", GW.slice(0, 1))] }),
    );
    assert.throws(() => renderZoneFile({ ...input, nameservers: [] }), /needs at least one name server/);
  });

  test("unbound-checkconf accepts the resolver's configuration", () => {
    writeFileSync(
      join(dir, "unbound.conf"),
      renderUnboundConfig({
        zone: input.zone,
        servers: input.nameservers,
        listen: { address: "127.0.0.1", port: 5398 },
        allow: ["127.0.0.0/8"],
      }),
    );
    const u = spawnSync("unbound-checkconf", [join(dir, "unbound.conf")], { encoding: "utf8" });
    assert.equal(u.status, 0, u.stdout + u.stderr);
  });
});
