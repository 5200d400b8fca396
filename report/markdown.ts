import type { Comparison } from "../core/compare/scenarios";
import type { OutageResult } from "../core/outage/simulate";
import { planWarnings, type Plan } from "../core/plan";
import {
  checkResult,
  scenarioCells,
  scenarioColumns,
  accessLayerNote,
  ENDPOINT_COLUMNS,
  endpointRows,
  ESTIMATE_NOTE,
  footnotes,
  GATEWAY_COLUMNS,
  gatewayRow,
  MONITOR_COLUMNS,
  monitorRow,
  monitorsNote,
  markdownText,
  NODE_COLUMNS,
  nodeRow,
  outageAccessLines,
  pct,
  ROLLOUT_COLUMNS,
  rolloutRows,
  solverNote,
  usd,
} from "./format";

const row = (cells: Array<string | number>) => `| ${cells.map((c) => markdownText(String(c))).join(" | ")} |`;
export const mdTable = (head: string[], rows: Array<Array<string | number>>) =>
  [row(head), row(head.map(() => "---")), ...rows.map(row)].join("\n");
const icon = (ok: boolean) => (ok ? "✅" : "❌");

export function planMarkdown(plan: Plan): string {
  const failed = plan.policy.checks.filter((c) => !c.ok);
  return [
    `### Sovereign plan: ${markdownText(plan.fleet)}`,
    `${icon(plan.policy.satisfied)} **${usd(plan.totals.monthlyUsd)}/month** for ${plan.nodes.length} nodes on ${plan.metrics.fleet.shares.operator.length} operators; ` +
      `CLOUD Act exposure ${pct(plan.metrics.fleet.cloudActShare)}; policy ${plan.policy.satisfied ? "satisfied" : `violated (${failed.length} checks)`}; ${solverNote(plan.solver)}.`,
    "",
    mdTable(NODE_COLUMNS, plan.nodes.map(nodeRow)),
    "",
    ...(plan.gateways.length
      ? [
          mdTable(
            GATEWAY_COLUMNS,
            plan.gateways.map((g) => gatewayRow(g, plan)),
          ),
          "",
          `_${markdownText(accessLayerNote(plan))}_`,
          "",
        ]
      : []),
    ...(plan.monitors?.length
      ? [mdTable(MONITOR_COLUMNS, plan.monitors.map(monitorRow)), "", `_${markdownText(monitorsNote(plan))}_`, ""]
      : []),
    "<details><summary>Policy checks</summary>",
    "",
    mdTable(
      ["rule", "scope", "", "detail"],
      plan.policy.checks.map((c) => [c.rule, c.scope, `${icon(c.ok)} ${checkResult(c)}`, c.message]),
    ),
    "",
    "</details>",
    "",
    ...(plan.rollout
      ? [
          "<details><summary>Rollout waves</summary>",
          "",
          mdTable(ROLLOUT_COLUMNS, rolloutRows(plan)),
          "",
          "</details>",
          "",
        ]
      : []),
    `_${ESTIMATE_NOTE}_`,
    ...planWarnings(plan).map((w) => `\n> ${w}`),
  ].join("\n");
}

export function comparisonMarkdown(c: Comparison): string {
  const { ref, notes } = footnotes(c.scenarios);
  return [
    `### Cost versus sovereignty: ${markdownText(c.fleet)}`,
    "",
    mdTable(
      [...scenarioColumns(c), "note"],
      c.scenarios.map((s, i) => [...scenarioCells(c, s), ref(i)]),
    ),
    "",
    ...notes.map((n) => `- ${markdownText(n)}`),
    "",
    `_${ESTIMATE_NOTE}_`,
  ].join("\n");
}

export function outageMarkdown(o: OutageResult, plan: Plan): string {
  return [
    `### Outage: ${o.failures.map((f) => markdownText(`${f.dim}=${f.value}`)).join(", ")} on ${markdownText(plan.fleet)}`,
    `${icon(o.ok)} ${o.down.length} of ${plan.nodes.length} nodes${o.gateways ? ` and ${o.gateways.down.length} of ${o.gateways.total} gateways` : ""} down.`,
    "",
    mdTable(
      ["chain", "nodes", "left", "required", ""],
      o.chains.map((c) => [c.chain, c.total, c.left, c.required, icon(c.left >= c.required)]),
    ),
    ...(o.gateways
      ? [
          "",
          mdTable([...ENDPOINT_COLUMNS, ""], endpointRows(o, icon)),
          "",
          ...outageAccessLines(o).map((l) => `- ${markdownText(l)}`),
        ]
      : []),
  ].join("\n");
}
