/** CIDR lists as config gives them: checked, canonical, merged, and names from them never collide. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { cidrSlug, normalizeCidrs } from "../../core/workload/firewall";
import { canonicalAddress, isHostAddress } from "../../core/address";

test("host bits cleared, IPv6 canonical, duplicates and covered ranges dropped, sorted v4 then v6", () => {
  const r = normalizeCidrs("k", [
    "10.1.2.3/8",
    "10.0.0.0/8",
    "10.5.0.0/16",
    "2001:DB8:0:0::1/32",
    "2001:db8::/48",
    "192.0.2.7/32",
    "::ffff:1.2.3.4/128",
  ]);
  assert.deepEqual(r.problems, []);
  assert.deepEqual(r.cidrs, ["10.0.0.0/8", "192.0.2.7/32", "::ffff:102:304/128", "2001:db8::/32"]);
  assert.ok(r.notes.some((n) => /host bits cleared/.test(n)));
  assert.ok(r.notes.some((n) => /10\.5\.0\.0\/16 is inside 10\.0\.0\.0\/8/.test(n)));
  assert.ok(r.notes.some((n) => /listed twice/.test(n)));
});

test("what is not a CIDR is named, with a short excerpt", () => {
  const bad = [
    "10.0.0.1",
    "10.0.0.0/33",
    "256.0.0.0/8",
    "010.0.0.0/8",
    "::/129",
    "1::2::3/64",
    "fe80::1%eth0/64",
    "x".repeat(10_000),
    7,
    null,
  ];
  const r = normalizeCidrs("sovereign:rpcAllowCidrs", bad);
  assert.equal(r.problems.length, bad.length, r.problems.join("\n"));
  assert.ok(
    r.problems.every((p) => p.length < 300),
    "a long echo",
  );
  assert.match(r.problems[0], /^sovereign:rpcAllowCidrs\[0\]: '10\.0\.0\.1' is not a CIDR/);
});

test("slugs of different CIDRs differ (IPv4 ones keep the names already deployed)", () => {
  assert.equal(cidrSlug("10.0.0.0/8"), "10-0-0-0-8");
  const cidrs = [
    "1.2.3.4/32",
    "1::2:3:4/128",
    "1:2::3:4/128",
    "102:304::/32",
    "0.0.0.0/0",
    "::/0",
    "10.0.0.0/8",
    "10::/8",
  ];
  assert.equal(new Set(cidrs.map(cidrSlug)).size, cidrs.length);
});

test("host addresses: IPv4, IPv6, DNS names; one box has one canonical spelling", () => {
  for (const ok of ["203.0.113.1", "2001:db8::1", "node-1.example.com", "localhost"]) assert.ok(isHostAddress(ok), ok);
  for (const bad of [
    "",
    "203.0.113",
    "203.0.113.256",
    "-bad.example",
    "a..b",
    "ex ample.com",
    "1.2.3.4/32",
    `${"a".repeat(64)}.com`,
  ]) {
    assert.ok(!isHostAddress(bad), bad);
  }
  assert.equal(canonicalAddress(" 2001:DB8:0:0::1 "), canonicalAddress("2001:db8::1"));
  assert.equal(canonicalAddress("Node.Example.com."), "node.example.com");
});
