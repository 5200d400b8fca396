import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { nodeInstancesTagged } from "../../policy/policies/node-instances-tagged";
import { violations } from "./args";
import { awsInstance, azureVm, gcpInstance, node } from "./fixtures";

const n = node({ id: "eth-1", provider: "gcp", operator: "gcp", region: "asia-southeast1", jurisdiction: "US" });

describe("policy node-instances-tagged", () => {
  it("passes machines with Sovereign's tags on every cloud (GCP in label form)", async () => {
    assert.deepEqual(
      await violations(
        nodeInstancesTagged,
        awsInstance("a", { ...n, provider: "aws", operator: "aws", region: "eu-central-1" }),
      ),
      [],
    );
    assert.deepEqual(await violations(nodeInstancesTagged, gcpInstance("g", n)), []);
    assert.deepEqual(
      await violations(
        nodeInstancesTagged,
        azureVm("z", { ...n, provider: "azure", operator: "azure", region: "eastus" }),
      ),
      [],
    );
  });

  it("reports an untagged machine with the keys it lacks, in the cloud's form", async () => {
    const [aws] = await violations(nodeInstancesTagged, awsInstance("bastion", undefined));
    assert.match(
      aws,
      /^Untagged node machine on bastion \(aws:ec2\/instance:Instance\): missing sovereign:fleet, sovereign:node, sovereign:chain/,
    );
    const [gcp] = await violations(nodeInstancesTagged, gcpInstance("g", undefined));
    assert.match(gcp, /GCP form \(sovereign-node/);
  });

  it("accepts the user's own tag keys through tagMapping", async () => {
    const vm = azureVm("z", undefined);
    vm.props.tags = { chain: "bitcoin", client: "bitcoind" };
    const config = { tagMapping: { chain: "chain", clients: { node: "client" } } };
    assert.deepEqual(await violations(nodeInstancesTagged, vm, config), []);
    vm.props.tags = { chain: "bitcoin" };
    assert.match((await violations(nodeInstancesTagged, vm, config))[0], /missing client/);
  });
});
