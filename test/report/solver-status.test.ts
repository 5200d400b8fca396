/** A plan the time limit stopped is never reported as optimal: every report says so, with the proven gap. */
import { before, test } from "node:test";
import assert from "node:assert/strict";
import type { Plan } from "../../core/plan";
import { planToJson } from "../../core/plan/file";
import { planFleet } from "../../core/planner/plan";
import { planHtml } from "../../report/html";
import { planMarkdown } from "../../report/markdown";
import { planTable } from "../../report/table";
import { catalog, oneHostFleet } from "../core/helpers";

let optimal: Plan;
let stopped: Plan;

before(async () => {
  const fleet = oneHostFleet("limit");
  optimal = await planFleet(fleet, catalog());
  // What planFleet returns when HiGHS stops at the time limit with a plan (solve.ts: status "limit").
  stopped = structuredClone(optimal);
  stopped.solver = { ...stopped.solver, status: "Time limit reached", optimal: false, gap: 0.0123 };
});

test("the table, Markdown and HTML say optimal only for a proven optimum", () => {
  assert.match(planTable(optimal), /\(optimal, HiGHS/);
  for (const [name, text] of [
    ["table", planTable(stopped)],
    ["markdown", planMarkdown(stopped)],
    ["html", planHtml(stopped)],
  ]) {
    assert.match(text, /not proven optimal: time limit reached, stopped with a proven gap of 1\.23%/, name);
    assert.doesNotMatch(text, /\(optimal,/, name);
  }
});

test("the saved plan keeps optimal false and the proven gap", () => {
  const saved = JSON.parse(JSON.stringify(planToJson(stopped))) as { solver: { optimal: boolean; gap: number } };
  assert.equal(saved.solver.optimal, false);
  assert.equal(saved.solver.gap, 0.0123);
  assert.equal((JSON.parse(JSON.stringify(planToJson(optimal))) as typeof saved).solver.gap, 0);
});
