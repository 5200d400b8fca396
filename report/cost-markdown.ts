/** `sovereign cost --format md`: a pull-request comment, like Infracost's. */
import type { CostReport } from "./cost-json";
import { budgetLine, COST_NOTE, costRows } from "./cost";
import { usd } from "./format";

const row = (cells: Array<string | number>) => `| ${cells.map((c) => String(c).replace(/\|/g, "\\|")).join(" | ")} |`;
const mdTable = (head: string[], rows: Array<Array<string | number>>) =>
  [row(head), row(head.map(() => "---")), ...rows.map(row)].join("\n");

export function costMarkdown(r: CostReport): string {
  const e = r.estimate;
  const d = r.diff;
  const over = r.budget !== undefined && e.totalMonthlyCost > r.budget;
  const headline = d
    ? `Monthly cost will ${d.diffTotalMonthlyCost >= 0 ? "increase" : "decrease"} by **${usd(Math.abs(d.diffTotalMonthlyCost))}** ` +
      `(${usd(d.pastTotalMonthlyCost)} → ${usd(e.totalMonthlyCost)})`
    : `Monthly cost: **${usd(e.totalMonthlyCost)}**`;
  const unpriced = e.resources.filter((x) => x.status === "unpriced");
  return [
    `### 💰 Sovereign cost estimate: \`${r.project}\``,
    `${over ? "❌ " : ""}${headline}`,
    ...(r.budget !== undefined ? ["", budgetLine(r) ?? ""] : []),
    ...(d && d.resources.length
      ? [
          "",
          mdTable(
            ["change", "resource", "before", "after", "diff"],
            d.resources.map((x) => [
              x.change,
              `\`${x.name}\``,
              usd(x.before),
              usd(x.after),
              `${x.delta >= 0 ? "+" : ""}${usd(x.delta)}`,
            ]),
          ),
        ]
      : []),
    "",
    "<details><summary>Cost breakdown</summary>",
    "",
    mdTable(
      ["resource", "type", "region", "$/month"],
      costRows(e).map((x) => [
        `\`${x.name}\``,
        x.resourceType,
        x.region ?? "-",
        x.status === "unpriced" ? "not priced" : usd(x.monthlyCost),
      ]),
    ),
    "",
    "</details>",
    ...(unpriced.length
      ? ["", `⚠️ ${unpriced.length} resource(s) not priced: ${unpriced.map((x) => `\`${x.name}\``).join(", ")}`]
      : []),
    "",
    `_${e.summary.total} resources: ${e.summary.priced} priced, ${e.summary.unpriced} not priced, ${e.summary.free} free. ${COST_NOTE}_`,
  ].join("\n");
}
