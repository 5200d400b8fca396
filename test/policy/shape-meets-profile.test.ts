import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadCatalog } from "../../core/catalog/load";
import { shapeMeetsProfile } from "../../policy/policies/shape-meets-profile";
import { violations } from "./args";
import { awsInstance, azureVm, gcpInstance, node } from "./fixtures";

const catalog = loadCatalog();
const profile = catalog.chains.get("ethereum")!.roles.full;
const eth = (provider: string) => node({ id: "eth-1", provider, operator: provider, region: "r", jurisdiction: "US" });

describe("policy shape-meets-profile", () => {
  it("passes shapes with the catalog profile's vCPU and memory", async () => {
    assert.ok(profile.vcpu <= 8 && profile.memoryGb <= 32, "the fixture shapes below are big enough");
    assert.deepEqual(await violations(shapeMeetsProfile, awsInstance("a", eth("aws"), "m6i.2xlarge")), []);
    assert.deepEqual(await violations(shapeMeetsProfile, gcpInstance("g", eth("gcp"), "n2-standard-8")), []);
    assert.deepEqual(await violations(shapeMeetsProfile, azureVm("z", eth("azure"), "Standard_D8s_v5")), []);
  });

  it("blocks a shape below the profile, with both numbers and the catalog's source", async () => {
    const small = catalog.providers.get("aws")!.shapes.find((s) => s.id === "m6i.xlarge")!;
    assert.ok(
      small.vcpu < profile.vcpu || small.memoryGb < profile.memoryGb,
      "m6i.xlarge is below the ethereum full profile",
    );
    const [v] = await violations(shapeMeetsProfile, awsInstance("a", eth("aws"), "m6i.xlarge"));
    assert.match(v, /^Undersized node machine on a \(aws:ec2\/instance:Instance\): m6i\.xlarge has /);
    assert.ok(v.includes(`(needs ${small.vcpu < profile.vcpu ? profile.vcpu : profile.memoryGb})`), v);
    assert.ok(v.includes(profile.source), v);
    const [g] = await violations(shapeMeetsProfile, gcpInstance("g", eth("gcp"), "n2-standard-4"));
    assert.match(g, /n2-standard-4 has/);
  });
});
