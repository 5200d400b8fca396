/** Subnet CIDRs (core/layout/cidrs.ts). */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { cidrsOverlap, gcpSubnetCidrs, subnetCidr } from "../../core/layout";
import { blockSize, intToIpv4, ipv4ToInt } from "../../core/layout/cidrs";

describe("subnetCidr", () => {
  it("takes the first block of the network CIDR, whatever it is", () => {
    assert.equal(subnetCidr("10.42.0.0/16", 20), "10.42.0.0/20");
    assert.equal(subnetCidr("192.168.0.0/16", 20), "192.168.0.0/20");
    assert.equal(subnetCidr("172.20.8.0/22", 24), "172.20.8.0/24");
    assert.equal(subnetCidr("10.0.0.0/8", 24, 3), "10.0.3.0/24");
  });

  it("a subnet derived from a custom VPC CIDR lies inside it", () => {
    for (const vpc of ["10.1.0.0/16", "100.64.0.0/18", "192.168.32.0/20"])
      assert.ok(cidrsOverlap(subnetCidr(vpc, 20), vpc), vpc);
  });

  it("refuses networks too small, host bits and non-CIDRs, naming the field", () => {
    assert.throws(
      () => subnetCidr("10.42.0.0/24", 20, 0, "aws.vpcCidr"),
      /aws\.vpcCidr: '10\.42\.0\.0\/24' cannot hold a \/20/,
    );
    assert.throws(() => subnetCidr("10.42.1.0/16", 20, 0, "aws.vpcCidr"), /host bits set; use 10\.42\.0\.0\/16/);
    assert.throws(
      () => subnetCidr("10.42.0.0", 20, 0, "azure.vnetCidr"),
      /azure\.vnetCidr: '10\.42\.0\.0' is not an IPv4 CIDR/,
    );
  });
});

describe("gcpSubnetCidrs", () => {
  const numbers = { "us-east4": 0, "europe-west3": 1, "asia-southeast1": 2 };

  it("numbers regions from a fixed table, not from their order", () => {
    const a = gcpSubnetCidrs(["asia-southeast1", "europe-west3"], numbers);
    const b = gcpSubnetCidrs(["europe-west3", "asia-southeast1", "us-east4"], numbers);
    assert.deepEqual(a, { "asia-southeast1": "10.102.0.0/20", "europe-west3": "10.101.0.0/20" });
    assert.equal(b["europe-west3"], a["europe-west3"]);
    assert.equal(b["asia-southeast1"], a["asia-southeast1"]);
  });

  it("takes given CIDRs, refuses overlaps and unknown regions with the option to set", () => {
    assert.equal(gcpSubnetCidrs(["us-east4"], numbers, { "us-east4": "10.9.0.0/20" })["us-east4"], "10.9.0.0/20");
    assert.throws(
      () => gcpSubnetCidrs(["us-east4", "europe-west3"], numbers, { "us-east4": "10.101.0.0/16" }),
      /overlap/,
    );
    assert.throws(() => gcpSubnetCidrs(["mars-north1"], numbers), /set gcp\.subnetCidrs\.mars-north1/);
  });
});

describe("IPv4 arithmetic (one home for subnets and the overlay)", () => {
  it("reads and writes dotted addresses and refuses what is not one", () => {
    assert.equal(ipv4ToInt("10.77.0.11"), 10 * 2 ** 24 + 77 * 2 ** 16 + 11);
    assert.equal(ipv4ToInt("255.255.255.255"), 2 ** 32 - 1);
    assert.equal(ipv4ToInt("10.0.0.256"), undefined);
    assert.equal(ipv4ToInt("10.0.0"), undefined);
    assert.equal(intToIpv4(ipv4ToInt("100.72.3.4") ?? 0), "100.72.3.4");
    assert.equal(blockSize(24), 256);
    assert.throws(() => subnetCidr("10.0.0.256/16", 20), /not an IPv4 CIDR/);
  });
});
