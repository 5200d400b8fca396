/** `sovereign cost` as a terminal table: one row per billed line, the way `infracost breakdown` prints. */
import Table from "cli-table3";
import type { CostEstimate } from "../core/costs/resources";
import type { CostReport } from "./cost-json";
import { COMPACT, usd } from "./format";

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

export function costTable(r: CostReport): string {
  const e = r.estimate;
  const t = new Table({
    head: ["resource", "line", "quantity", "price", "$/month"],
    style: { head: [], border: [] },
    chars: COMPACT,
  });
  for (const res of costRows(e)) {
    t.push([
      `${res.name}\n  ${res.resourceType}${res.region ? ` (${res.region})` : ""}`,
      "",
      "",
      "",
      usd(res.monthlyCost),
    ]);
    for (const c of res.costComponents) {
      t.push([
        "",
        c.name,
        qty(c.monthlyQuantity, c.unit),
        price(c.price),
        c.monthlyCost === null ? "-" : usd(c.monthlyCost) + (c.estimate ? "*" : ""),
      ]);
    }
    if (res.status === "unpriced") t.push(["", `not priced: ${res.notes.join("; ")}`, "", "", ""]);
  }
  const s = e.summary;
  const lines = [
    `Monthly cost of ${r.project}: ${usd(e.totalMonthlyCost)} (${e.currency})`,
    t.toString(),
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
