import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Comparison, Scenario } from "../../core/compare/scenarios";

const FIGURES = [
  "monthlyUsd",
  "premium",
  "vsSingleCloud",
  "maxOperatorShare",
  "worstCaseSurvivingShare",
  "cloudActShare",
  "operators",
] as const;
import { comparisonHtml } from "../../report/html";
import { comparisonMarkdown } from "../../report/markdown";
import { comparisonTable } from "../../report/table";

const COMPARISON: Comparison = {
  fleet: "columns",
  scenarios: [
    {
      name: "your policy",
      description: "the spec as written",
      feasible: true,
      monthlyUsd: 1234.5,
      premium: 0.25,
      vsSingleCloud: -0.4,
      maxOperatorShare: 1 / 3,
      worstCaseSurvivingShare: 2 / 3,
      cloudActShare: 0.222,
      operators: 7,
    },
    // An infeasible row: every figure unknown.
    {
      ...Object.fromEntries(FIGURES.map((k) => [k, null])),
      name: "CLOUD Act cap 0%",
      description: "none within reach",
      feasible: false,
      reason: "no site outside the Act",
    } as Scenario,
  ],
};

describe("the comparison's columns have one home", () => {
  test("table, Markdown and HTML show the same headings and the operator count", () => {
    const md = comparisonMarkdown(COMPARISON);
    const html = comparisonHtml(COMPARISON);
    const text = comparisonTable(COMPARISON);
    for (const [format, out] of [
      ["table", text],
      ["md", md],
      ["html", html],
    ] as const) {
      assert.match(out, /CLOUD Act share/, format);
      assert.match(out, /operators/, format);
      assert.match(out, /22\.2%/, format);
      assert.match(out, /\b7\b/, format);
    }
    const mdHead = md.split("\n").find((l) => l.startsWith("| scenario"));
    assert.equal(
      mdHead?.replace(/\s+/g, " "),
      "| scenario | $/month | vs single cloud | premium over cheapest | max operator share | worst-case surviving | CLOUD Act share | operators | note |",
    );
    const mdRow = md.split("\n").find((l) => l.startsWith("| your policy"));
    assert.match(mdRow ?? "", /\| 22\.2% \| 7 \|/);
  });
});
