import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Comparison } from "../core/compare/scenarios";
import { planWarnings, type Plan } from "../core/plan";
import {
  checkResult,
  scenarioCells,
  scenarioColumns,
  accessLayerNote,
  ESTIMATE_NOTE,
  GATEWAY_COLUMNS,
  gatewayRow,
  NODE_COLUMNS,
  nodeRow,
  comparisonSolved,
  pct,
  solverNote,
  usd,
} from "./format";

/** Chart.js is inlined so the report is one file that opens offline. */
const chartJs = () => readFileSync(join(dirname(require.resolve("chart.js")), "chart.umd.min.js"), "utf8");

const esc = (s: unknown) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const json = (data: unknown) => JSON.stringify(data).replace(/</g, "\\u003c");
const tableHtml = (head: string[], rows: Array<Array<string | number>>, cls = "") =>
  `<table class="${cls}"><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join("")}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join("")}</tr>`)
    .join("")}</tbody></table>`;

function page(title: string, body: string, data: unknown, script: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>
 body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;max-width:1100px;color:#1b1f24;padding:0 1rem}
 h1{font-size:1.5rem;margin-bottom:.2rem} h2{font-size:1.1rem;margin-top:2rem}
 .cards{display:flex;gap:1rem;flex-wrap:wrap;margin:1rem 0} .card{border:1px solid #d0d7de;border-radius:8px;padding:.7rem 1rem;min-width:10rem}
 .card b{display:block;font-size:1.3rem} table{border-collapse:collapse;width:100%;margin:.5rem 0} th,td{border-bottom:1px solid #eaeef2;padding:.3rem .5rem;text-align:left}
 th{background:#f6f8fa} .bad{color:#cf222e;font-weight:600} .good{color:#1a7f37;font-weight:600} .charts{display:grid;grid-template-columns:1fr 1fr;gap:1rem}
 .chart{position:relative;height:320px} .note{color:#57606a;font-size:.9rem}
</style></head><body>
${body}
<p class="note">${esc(ESTIMATE_NOTE)}</p>
<script type="application/json" id="report-data">${json(data)}</script>
<script>${chartJs()}</script>
<script>
const data = JSON.parse(document.getElementById("report-data").textContent);
Chart.defaults.animation = false;
${script}
document.body.dataset.rendered = "true";
</script>
</body></html>
`;
}

export function planHtml(plan: Plan): string {
  const operators = Object.keys(plan.totals.byOperator);
  const chains = Object.keys(plan.metrics.chains);
  const data = {
    operators,
    costByOperator: operators.map((o) => plan.totals.byOperator[o]),
    chains,
    nodesByChainOperator: chains.map((c) =>
      operators.map((o) => plan.nodes.filter((n) => n.chainKey === c && n.operator === o).length),
    ),
  };
  const body = `
<h1>Sovereign plan: ${esc(plan.fleet)}</h1>
<div class="cards">
 <div class="card">Monthly cost<b>${esc(usd(plan.totals.monthlyUsd))}</b></div>
 <div class="card">Nodes<b>${plan.nodes.length}</b></div>
 <div class="card">Solver<b>${esc(solverNote(plan.solver))}</b></div>
 <div class="card">Operators<b>${plan.metrics.fleet.shares.operator.length}</b></div>
 <div class="card">CLOUD Act exposure<b>${esc(pct(plan.metrics.fleet.cloudActShare))}</b></div>
 <div class="card">Policy<b class="${plan.policy.satisfied ? "good" : "bad"}">${plan.policy.satisfied ? "satisfied" : "violated"}</b></div>
</div>
<div class="charts"><div class="chart"><canvas id="cost"></canvas></div><div class="chart"><canvas id="spread"></canvas></div></div>
<h2>Nodes</h2>
${tableHtml(NODE_COLUMNS, plan.nodes.map(nodeRow), "nodes")}
${
  plan.gateways.length
    ? `<h2>Access layer</h2>
${tableHtml(
  GATEWAY_COLUMNS,
  plan.gateways.map((g) => gatewayRow(g, plan)),
  "gateways",
)}
<p class="note">${esc(accessLayerNote(plan))}</p>`
    : ""
}
<h2>Policy checks</h2>
${tableHtml(
  ["rule", "scope", "result", "detail"],
  plan.policy.checks.map((c) => [c.rule, c.scope, checkResult(c), c.message]),
  "checks",
)}
${planWarnings(plan)
  .map((w) => `<p class="note warning">${esc(w)}</p>`)
  .join("\n")}`;
  const script = `
new Chart(document.getElementById("cost"), { type: "bar", data: { labels: data.operators, datasets: [{ label: "USD per month by operator", data: data.costByOperator, backgroundColor: "#0969da" }] }, options: { maintainAspectRatio: false } });
new Chart(document.getElementById("spread"), { type: "bar", data: { labels: data.chains, datasets: data.operators.map((o, i) => ({ label: o, data: data.nodesByChainOperator.map((row) => row[i]) })) }, options: { maintainAspectRatio: false, plugins: { title: { display: true, text: "Nodes per chain by operator" } }, scales: { x: { stacked: true }, y: { stacked: true, ticks: { precision: 0 } } } } });`;
  return page(`Sovereign plan: ${plan.fleet}`, body, data, script);
}

export function comparisonHtml(c: Comparison): string {
  const feasible = c.scenarios.filter((s) => s.feasible);
  const data = {
    // A feasible scenario has all three figures; `?? 0` only satisfies the type.
    points: feasible.map((s) => ({
      label: s.name,
      x: (s.worstCaseSurvivingShare ?? 0) * 100,
      y: s.monthlyUsd ?? 0,
      cloudAct: (s.cloudActShare ?? 0) * 100,
    })),
    // Scenarios that land on the same point share one label instead of overprinting.
    labels: feasible.map((s) =>
      feasible
        .filter((o) => o.monthlyUsd === s.monthlyUsd && o.worstCaseSurvivingShare === s.worstCaseSurvivingShare)
        .map((o) => o.name)
        .join(" = "),
    ),
  };
  const body = `
<h1>Cost versus sovereignty: ${esc(c.fleet)}</h1>
<p>${esc(comparisonSolved(c).replace(/^e/, "E"))}. The frontier shows what each step of resilience costs per month.</p>
<div class="charts"><div class="chart"><canvas id="frontier"></canvas></div><div class="chart"><canvas id="exposure"></canvas></div></div>
${tableHtml(
  [...scenarioColumns(c), "note"],
  c.scenarios.map((s) => [...scenarioCells(c, s), s.feasible ? s.description : `infeasible: ${s.reason}`]),
  "scenarios",
)}`;
  const script = `
const pointLabels = { id: "pointLabels", afterDatasetsDraw(chart) {
  const ctx = chart.ctx; ctx.save(); ctx.font = "11px system-ui, sans-serif"; ctx.fillStyle = "#1b1f24";
  const seen = new Set();
  chart.getDatasetMeta(0).data.forEach((el, i) => { if (!seen.has(data.labels[i])) ctx.fillText(data.labels[i], el.x + 8, el.y - 6); seen.add(data.labels[i]); }); ctx.restore(); } };
new Chart(document.getElementById("frontier"), { type: "scatter", plugins: [pointLabels], data: { datasets: [{ label: "scenario", data: data.points, backgroundColor: "#0969da", pointRadius: 6 }] },
  options: { maintainAspectRatio: false, plugins: { title: { display: true, text: "Monthly cost vs capacity left after the worst single-operator outage" }, tooltip: { callbacks: { label: (ctx) => ctx.raw.label + ": $" + ctx.raw.y.toFixed(0) + ", " + ctx.raw.x.toFixed(0) + "% left" } } },
    scales: { x: { min: 0, max: 100, title: { display: true, text: "worst-case surviving share of nodes (%)" } }, y: { title: { display: true, text: "USD per month" } } } } });
new Chart(document.getElementById("exposure"), { type: "bar", data: { labels: data.points.map((p) => p.label), datasets: [{ label: "CLOUD Act exposure (% of nodes)", data: data.points.map((p) => p.cloudAct), backgroundColor: "#cf222e" }] },
  options: { maintainAspectRatio: false, scales: { y: { min: 0, max: 100 } } } });`;
  return page(`Cost versus sovereignty: ${c.fleet}`, body, data, script);
}
