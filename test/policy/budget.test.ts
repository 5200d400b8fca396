import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadCatalog } from "../../core/catalog/load";
import { budget } from "../../policy/policies/budget";
import { stackViolations, type Fixture } from "./args";
import { awsInstance, gcpInstance } from "./fixtures";

const catalog = loadCatalog();
const price = (provider: "aws" | "gcp", region: string, shape: string) =>
  catalog.providers.get(provider)!.computePrices[region].find((p) => p.shape === shape)!.usdPerHour * 730;
const gb = (provider: "aws" | "gcp", region: string, cls: string) =>
  catalog.providers.get(provider)!.storagePrices[region].find((p) => p.class === cls)!.usdPerGbMonth!;

describe("policy budget", () => {
  const fixtures: Fixture[] = [
    awsInstance("a", undefined, "m6i.2xlarge", "eu-central-1"),
    gcpInstance("g", undefined, "n2-standard-8", "us-east4-a"),
  ];
  // Independently of core/costs: instance hours plus the 30 GB root disks.
  const expected =
    price("aws", "eu-central-1", "m6i.2xlarge") +
    30 * gb("aws", "eu-central-1", "gp3") +
    price("gcp", "us-east4", "n2-standard-8") +
    30 * gb("gcp", "us-east4", "pd-balanced");

  it("is off without a budget, and passes a stack within it", async () => {
    assert.deepEqual(await stackViolations(budget, fixtures), []);
    assert.deepEqual(await stackViolations(budget, fixtures, { monthlyUsd: Math.ceil(expected) }), []);
  });

  it("blocks a stack above the budget with its cost and the largest resources", async () => {
    const [v] = await stackViolations(budget, fixtures, { monthlyUsd: 500 });
    assert.ok(
      v.startsWith(`Budget exceeded on the stack: $${expected.toFixed(2)}/month is above the budget of $500.00`),
      v,
    );
    assert.match(v, /largest: a \$\d+\.\d\d, g \$\d+\.\d\d\)/);
  });
});
