import { test } from "node:test";
import assert from "node:assert/strict";
import { bindingLimit, valueLimits } from "../../core/planner/limits";

test("each rule's cap on one value: the share cap and survive's single loss, the tightest binding", () => {
  const policy = {
    maxShare: { operator: 0.34, jurisdiction: 0.5 },
    survive: { operatorLoss: 1 as const, regionLoss: 0 as const, minNodes: 2 },
  };
  assert.deepEqual(valueLimits(policy, "operator", 6), [
    { family: "maxShare.operator", limit: 2 },
    { family: "survive", limit: 4 },
  ]);
  assert.deepEqual(bindingLimit(policy, "operator", 6), { family: "maxShare.operator", limit: 2 });
  assert.deepEqual(
    bindingLimit(policy, "operator", 3),
    { family: "maxShare.operator", limit: 1 },
    "0.34 of 3 and survive both allow 1: the cap first",
  );
  const loose = { ...policy, maxShare: { operator: 0.67 } };
  assert.deepEqual(
    bindingLimit(loose, "operator", 3),
    { family: "survive", limit: 1 },
    "0.67 of 3 allows 2, survive 1",
  );
  assert.deepEqual(valueLimits(policy, "region", 6), [], "regionLoss 0 and no region cap");
  assert.deepEqual(
    valueLimits(policy, "jurisdiction", 6),
    [{ family: "maxShare.jurisdiction", limit: 3 }],
    "survive has no jurisdiction loss",
  );
  assert.deepEqual(bindingLimit(policy, "operator", 6, new Set(["maxShare.operator"])), {
    family: "survive",
    limit: 4,
  });
  assert.equal(bindingLimit(policy, "operator", 6, new Set(["maxShare.operator", "survive"])), undefined);
});
