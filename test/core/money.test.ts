import { test } from "node:test";
import assert from "node:assert/strict";
import { budgetCheck, money, shareHostPrice, usd, withinBudget } from "../../core/plan/money";

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

test("host shares add up to the host's price, sub-cent prices included", () => {
  for (const [price, nodes] of [
    [150.125, 3],
    [100, 3],
    [0.29999, 2],
    [0.01, 3],
    [190, 1],
    [1234.5678, 7],
  ] as const) {
    const shares = shareHostPrice(price, nodes);
    assert.equal(shares.length, nodes);
    assert.ok(Math.abs(sum(shares) - price) < 1e-6, `${price} over ${nodes}: ${shares}`);
    // Whole cents spread evenly; only the first share carries the fraction of a cent.
    assert.ok(
      Math.max(...shares) - Math.min(...shares) < 0.02,
      `${price}: shares differ by 2 cents or more: ${shares}`,
    );
    assert.ok(
      shares.slice(1).every((x) => Number.isInteger(Math.round(x * 1e6) / 1e4)),
      `${price}: ${shares}`,
    );
  }
  assert.deepEqual(shareHostPrice(100, 3), [33.34, 33.33, 33.33]);
  assert.deepEqual(shareHostPrice(150.125, 3), [50.045, 50.04, 50.04]);
});

test("a budget equal to the total is kept; a cent over is not", () => {
  assert.equal(withinBudget(150.125, 150.125), true);
  assert.equal(withinBudget(50.045 + 50.04 + 50.04, 150.125), true, "float noise of the sum");
  assert.equal(withinBudget(150.135, 150.125), false);
  assert.equal(withinBudget(money(150.1250004), 150.125), true);
  const ok = budgetCheck(150.125, 150.125);
  assert.equal(ok.ok, true);
  assert.equal(ok.actual, 150.125);
  assert.match(ok.message, /costs \$150\.125\/month; the budget is \$150\.125/);
  assert.equal(budgetCheck(150.13, 150.125).ok, false);
});

test("amounts print as cents unless they carry a fraction of a cent", () => {
  assert.equal(usd(1801.2), "$1801.20");
  assert.equal(usd(0.1 + 0.2), "$0.30");
  assert.equal(usd(150.125), "$150.125");
});
