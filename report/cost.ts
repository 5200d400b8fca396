/** `sovereign cost` as a terminal table: one row per billed line, the way `infracost breakdown` prints. */
import type { CostEstimate } from "../core/costs/resources";
import type { CostReport } from "./cost-json";
import { terminalText } from "../core/errors";
import { usd } from "./format";

// The width cli-table3 measures cells with (wide and combining characters counted as shown).
// eslint-disable-next-line @typescript-eslint/no-require-imports -- cli-table3 exports no types for its internals
const { strlen } = require("cli-table3/src/utils") as { strlen: (text: string) => number };

export const COST_NOTE =
  "Prices are on-demand list prices from the catalog (each with its source and date); * marks an estimate. " +
  "Usage-based lines (egress) are priced only with --usage.";

const qty = (n: number | null, unit: string) => (n === null ? "usage-based" : `${Math.round(n * 100) / 100} ${unit}`);
const price = (n: number | null) => (n === null ? "-" : `$${Math.round(n * 1e6) / 1e6}`);

/** Resources that cost something or could not be priced, most expensive first (free ones are only counted). */
export function costRows(e: CostEstimate) {
  return e.resources
    .filter((r) => r.status !== "free")
    .sort((a, b) => (b.monthlyCost ?? -1) - (a.monthlyCost ?? -1) || a.name.localeCompare(b.name));
}

export function budgetLine(r: CostReport): string | undefined {
  if (r.budget === undefined) return undefined;
  const over = r.estimate.totalMonthlyCost > r.budget;
  return `Budget: ${usd(r.budget)}/month — ${over ? `EXCEEDED by ${usd(r.estimate.totalMonthlyCost - r.budget)}` : "ok"}`;
}

const HEAD = ["resource", "line", "quantity", "price", "$/month"];

/** Display width: printable ASCII as is; anything else measured as cli-table3 measures it. */
const width = (text: string) => (/^[\x20-\x7e]*$/.test(text) ? text.length : strlen(text));

/**
 * The table cli-table3 draws with COMPACT chars (same borders, padding and top-aligned lines),
 * drawn here because cli-table3 measures every cell many times over (ANSI stripping per call):
 * over 10 s for 8,000 resources. Cells are terminal-escaped first, so widths are what is shown.
 */
function drawTable(rows: string[][]): string {
  const cells = [HEAD, ...rows].map((row) => row.map((cell) => cell.split("\n").map(terminalText)));
  const widths = HEAD.map((_, i) => Math.max(...cells.map((row) => Math.max(...row[i].map(width)))));
  const border = (left: string, mid: string, right: string) =>
    `${left}${widths.map((w) => "─".repeat(w + 2)).join(mid)}${right}`;
  const lines = [border("┌", "┬", "┐")];
  for (const row of cells) {
    const height = Math.max(...row.map((cell) => cell.length));
    for (let l = 0; l < height; l++)
      lines.push(
        `│${row.map((cell, i) => ` ${cell[l] ?? ""}${" ".repeat(widths[i] - width(cell[l] ?? ""))} `).join("│")}│`,
      );
  }
  lines.push(border("└", "┴", "┘"));
  return lines.join("\n");
}

export function costTable(r: CostReport): string {
  const e = r.estimate;
  const rows: string[][] = [];
  for (const res of costRows(e)) {
    rows.push([
      `${res.name}\n  ${res.resourceType}${res.region ? ` (${res.region})` : ""}`,
      "",
      "",
      "",
      usd(res.monthlyCost),
    ]);
    for (const c of res.costComponents) {
      rows.push([
        "",
        c.name,
        qty(c.monthlyQuantity, c.unit),
        price(c.price),
        c.monthlyCost === null ? "-" : usd(c.monthlyCost) + (c.estimate ? "*" : ""),
      ]);
    }
    if (res.status === "unpriced") rows.push(["", `not priced: ${res.notes.join("; ")}`, "", "", ""]);
  }
  const s = e.summary;
  const lines = [
    `Monthly cost of ${r.project}: ${usd(e.totalMonthlyCost)} (${e.currency})`,
    drawTable(rows),
    `${s.total} resources: ${s.priced} priced, ${s.usageBased} usage-based only, ${s.unpriced} not priced, ${s.free} free`,
  ];
  if (r.diff) {
    const d = r.diff;
    lines.push(
      `Compared to the base: ${usd(d.pastTotalMonthlyCost)} -> ${usd(e.totalMonthlyCost)} (${d.diffTotalMonthlyCost >= 0 ? "+" : ""}${usd(d.diffTotalMonthlyCost)})`,
    );
    for (const x of d.resources)
      lines.push(
        `  ${x.change === "added" ? "+" : x.change === "removed" ? "-" : "~"} ${x.name}: ${usd(x.before)} -> ${usd(x.after)}`,
      );
  }
  const budget = budgetLine(r);
  if (budget) lines.push(budget);
  for (const w of e.warnings) lines.push(`warning: ${w}`);
  lines.push(COST_NOTE);
  return lines.join("\n");
}
