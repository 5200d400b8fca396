import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { spreadOverOperators } from "../../core/planner/plan";

test("spreading clients over operators keeps the same clients and counts", () => {
  fc.assert(fc.property(
    fc.array(fc.tuple(fc.constantFrom("geth", "nethermind", "reth"), fc.constantFrom("aws", "gcp", "akash")), { maxLength: 30 }),
    (pairs) => {
      const sequence = pairs.map(([c]) => c);
      const out = spreadOverOperators(sequence, pairs.map(([, o]) => o));
      assert.deepEqual([...out].sort(), [...sequence].sort());
    },
  ));
});

test("an operator's nodes get different clients when the sequence allows it", () => {
  // Round-robin over 2 operators with 2 clients puts the same client on the same operator every time.
  const out = spreadOverOperators(["geth", "nethermind", "geth", "nethermind"], ["aws", "akash", "aws", "akash"]);
  assert.deepEqual(out, ["geth", "nethermind", "nethermind", "geth"]);
  for (const op of ["aws", "akash"]) {
    const mine = out.filter((_, i) => ["aws", "akash", "aws", "akash"][i] === op);
    assert.equal(new Set(mine).size, 2, `${op} runs both clients`);
  }
});
