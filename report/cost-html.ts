/** `sovereign cost --format html`: one self-contained page (no scripts needed to read it). */
import type { CostReport } from "./cost-json";
import { budgetLine, COST_NOTE, costRows } from "./cost";
import { usd } from "./format";

const esc = (s: unknown) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function costHtml(r: CostReport): string {
  const e = r.estimate;
  const rows = costRows(e)
    .map((x) => {
      const lines = x.costComponents
        .map(
          (c) =>
            `<tr class="line"><td></td><td>${esc(c.name)}</td><td>${c.monthlyQuantity === null ? "usage-based" : esc(`${c.monthlyQuantity} ${c.unit}`)}</td>` +
            `<td>${c.price === null ? "-" : esc(`$${c.price}`)}</td><td>${c.monthlyCost === null ? "-" : esc(usd(c.monthlyCost))}</td></tr>`,
        )
        .join("");
      const cls = x.status === "unpriced" ? ' class="bad"' : "";
      return (
        `<tr${cls}><td><b>${esc(x.name)}</b><br><small>${esc(x.resourceType)} ${esc(x.region ?? "")}</small></td><td colspan="3">${esc(x.notes.join("; "))}</td>` +
        `<td>${x.status === "unpriced" ? "not priced" : esc(usd(x.monthlyCost))}</td></tr>${lines}`
      );
    })
    .join("\n");
  const diff = r.diff
    ? `<h2>Compared to the base</h2><p>${esc(usd(r.diff.pastTotalMonthlyCost))} → ${esc(usd(e.totalMonthlyCost))}</p><table><thead><tr><th>change</th><th>resource</th><th>before</th><th>after</th></tr></thead><tbody>${r.diff.resources
        .map(
          (x) =>
            `<tr><td>${esc(x.change)}</td><td>${esc(x.name)}</td><td>${esc(usd(x.before))}</td><td>${esc(usd(x.after))}</td></tr>`,
        )
        .join("")}</tbody></table>`
    : "";
  const budget = budgetLine(r);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Cost: ${esc(r.project)}</title>
<style>body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:1100px;padding:0 1rem}table{border-collapse:collapse;width:100%}
th,td{border-bottom:1px solid #eaeef2;padding:.3rem .5rem;text-align:left}th{background:#f6f8fa}.line td{color:#57606a}.bad{color:#cf222e}.note{color:#57606a}</style>
</head><body>
<h1>Monthly cost of ${esc(r.project)}: <span id="total">${esc(usd(e.totalMonthlyCost))}</span></h1>
${budget ? `<p${r.budget !== undefined && e.totalMonthlyCost > r.budget ? ' class="bad"' : ""}>${esc(budget)}</p>` : ""}
<table><thead><tr><th>resource</th><th>line</th><th>quantity</th><th>price</th><th>$/month</th></tr></thead><tbody>
${rows}
</tbody></table>
${diff}
<p class="note">${esc(`${e.summary.total} resources: ${e.summary.priced} priced, ${e.summary.unpriced} not priced, ${e.summary.free} free.`)} ${esc(COST_NOTE)}</p>
</body></html>
`;
}
