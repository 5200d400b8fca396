/** Markdown and terminal reports print data, never markup or escape codes taken from it. */
import { before, test } from "node:test";
import assert from "node:assert/strict";
import type { Plan } from "../../core/plan";
import { planFleet } from "../../core/planner/plan";
import { planMarkdown } from "../../report/markdown";
import { planTable } from "../../report/table";
import { catalog, oneHostFleet } from "../core/helpers";

const HOSTILE = "fsn1|x\n<img src=x onerror=alert(1)> [click](http://evil.example) **b** \u001b[2J\u0007";
let plan: Plan;

before(async () => {
  const fleet = oneHostFleet("esc");
  plan = await planFleet(fleet, catalog());
  // Free text from wherever it came (a region, a message): the renderers must cope with anything.
  plan.nodes[0].region = HOSTILE;
  plan.nodes[0].host = undefined;
  plan.policy.checks.push({ rule: "sites", scope: "fleet", ok: false, limit: 0, actual: 1, message: HOSTILE });
});

/** Pipes that are not backslash-escaped: the cell separators Markdown sees. */
const separators = (line: string) => line.replace(/\\\\/g, "").replace(/\\\|/g, "").split("|").length - 1;

test("markdown: no HTML, no link, no line break inside a row, no control characters", () => {
  const md = planMarkdown(plan);
  assert.ok(!md.includes("<img"), "raw HTML");
  assert.ok(!md.includes("[click]("), "a live link");
  assert.ok(!/[\u0000-\u0008\u000b-\u001f\u007f]/.test(md), "a control character");
  const lines = md.split("\n");
  const row = lines.find((l) => l.includes("fsn1"));
  assert.ok(row, md);
  const header = lines.find((l) => l.startsWith("| node |"))!;
  assert.equal(separators(row), separators(header), `the row has extra cells:\n${header}\n${row}`);
  assert.match(row, /&lt;img/);
});

test("table: no escape codes or bell reach the terminal; the value is shown escaped", () => {
  const text = planTable(plan);
  assert.ok(!/[\u0000-\u0009\u000b-\u001f\u007f]/.test(text), "a control character in the table");
  assert.match(text, /\\u001b\[2J/);
  const rows = text.split("\n").filter((l) => l.includes("fsn1"));
  assert.ok(rows.length >= 1);
  assert.ok(
    rows.every((l) => l.includes("\\u000a")),
    "the line break is shown, not made",
  );
});
