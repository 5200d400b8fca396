import { test } from "node:test";
import assert from "node:assert/strict";
import { Lp } from "../../core/planner/lp";
import { solveModel, WarmLinear } from "../../core/planner/solve";

test("rows are stored sparse (CSR), terms on one column added up, zero coefficients dropped", () => {
  const lp = new Lp<"cap">();
  const x = lp.column(2, 0, 5);
  const y = lp.column(3, 0, 5, false);
  lp.atMost(
    [
      [x, 1],
      [y, 1],
      [x, 1],
      [y, -1],
      [y, 1],
    ],
    4,
    "cap",
  );
  lp.atMost([[x, 0]], 9);
  lp.equal([[y, 1]], 1);
  const a = lp.arrays();
  assert.equal(a.numCols, 2);
  assert.equal(a.numRows, 3);
  assert.deepEqual([...a.matrix.starts], [0, 2, 2, 3]);
  assert.deepEqual([...a.matrix.indices], [x, y, y]);
  assert.deepEqual([...a.matrix.values], [2, 1, 1]);
  assert.deepEqual([...a.integrality], [1, 0]);
  assert.deepEqual([...a.rowUpper], [4, 9, 1]);
  assert.deepEqual(lp.objectiveTerms(), [
    [x, 2],
    [y, 3],
  ]);
  assert.equal(lp.has("cap"), true);
});

test("a relaxed family's rows are left free, the others kept", async () => {
  const lp = new Lp<"cap">();
  const x = lp.column(-1, 0, 10);
  lp.atMost([[x, 1]], 3, "cap");
  lp.atMost([[x, 1]], 7);
  const kept = lp.arrays();
  const freed = lp.arrays(new Set(["cap"]));
  assert.equal(kept.rowUpper[0], 3);
  assert.equal(freed.rowUpper[0], Infinity);
  assert.equal(freed.rowUpper[1], 7);
  assert.equal((await solveModel(kept)).objective, -3);
  assert.equal((await solveModel(freed)).objective, -7);
});

test("a warm linear relaxation solved again under other row bounds finds what a fresh solve finds", async () => {
  const lp = new Lp<"cap" | "floor">();
  const x = lp.column(-1, 0, 10, false);
  const y = lp.column(-2, 0, 10, false);
  lp.atMost([[x, 1]], 3, "cap");
  lp.atMost([[y, 1]], 2, "cap");
  lp.atLeast([[x, 1]], 9, "floor");
  lp.atMost(
    [
      [x, 1],
      [y, 1],
    ],
    8,
  );
  const warm = new WarmLinear(lp.arrays());
  try {
    // Both families kept: x <= 3 and x >= 9 clash; either family dropped, then both again.
    for (const relaxed of [[], ["floor"], ["cap"], ["cap", "floor"], []] as const) {
      const set = new Set(relaxed);
      const { rowLower, rowUpper } = lp.rowBounds(set);
      const fresh = await solveModel(lp.arrays(set), { linearOnly: true });
      const again = await warm.solve(rowLower, rowUpper, 10);
      assert.equal(again.status, fresh.status, relaxed.join(","));
      if (fresh.status === "optimal") assert.ok(Math.abs(again.objective - fresh.objective) < 1e-9, relaxed.join(","));
    }
  } finally {
    await warm.dispose();
  }
});

test("raising a lower bound never passes the upper bound", () => {
  const lp = new Lp();
  const x = lp.column(0, 0, 2);
  lp.atLeastOn(x, 5);
  assert.equal(lp.arrays().colLower[x], 2);
});
