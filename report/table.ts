import Table from "cli-table3";
import type { Comparison } from "../core/compare/scenarios";
import type { OutageResult } from "../core/outage/simulate";
import { planWarnings, type Plan } from "../core/plan";
import {
  checkResult,
  scenarioCells,
  scenarioColumns,
  accessLayerNote,
  clientsOf,
  COMPACT,
  ENDPOINT_COLUMNS,
  endpointRows,
  comparisonSolved,
  ESTIMATE_NOTE,
  footnotes,
  ROLLOUT_COLUMNS,
  rolloutRows,
  GATEWAY_COLUMNS,
  gatewayRow,
  MONITOR_COLUMNS,
  monitorRow,
  monitorsNote,
  mark,
  outageAccessLines,
  pct,
  solverNote,
  usd,
} from "./format";
import { terminalText } from "../core/errors";

export const table = (head: string[], rows: Array<Array<string | number>>) => {
  const t = new Table({ head, style: { head: [], border: [] }, chars: COMPACT });
  t.push(...rows.map((r) => r.map((cell) => terminalText(String(cell)))));
  return t.toString();
};

export function planTable(plan: Plan): string {
  const nodes = table(
    ["node", "clients", "operator", "region / host", "jurisdiction", "shape", "disk", "$/month"],
    plan.nodes.map((n) => [
      n.id,
      clientsOf(n.clients),
      n.operator,
      n.host ?? n.region,
      n.jurisdiction,
      n.shape ?? "-",
      `${n.storage.sizeGb} GB ${n.storage.tier ?? n.storage.class}`,
      usd(n.monthlyUsd) + (n.estimate ? "*" : ""),
    ]),
  );
  const b = plan.totals.breakdown;
  const costs = table(
    ["compute", "storage", "IOPS/throughput", "public IP", "egress (est.)", "total / month"],
    [
      [
        usd(b.compute),
        usd(b.storage),
        usd(b.performance),
        usd(b.publicIp),
        egressRange(b),
        usd(plan.totals.monthlyUsd),
      ],
    ],
  );
  const metrics = table(
    [
      "chain",
      "nodes",
      "operators",
      "top operator",
      "HHI op.",
      "Nakamoto 1/3 | 1/2",
      "CLOUD Act",
      "worst operator loss leaves",
      "worst region loss leaves",
    ],
    Object.entries({ ...plan.metrics.chains, fleet: plan.metrics.fleet }).map(([chain, m]) => [
      chain,
      m.nodes,
      m.shares.operator.length,
      `${m.shares.operator[0]?.key} ${pct(m.shares.operator[0]?.share ?? 0)}`,
      m.hhi.operator.toFixed(3),
      `${m.nakamotoOperators.third} | ${m.nakamotoOperators.half}`,
      pct(m.cloudActShare),
      `${m.worstOperatorLoss.left}/${m.nodes} (${m.worstOperatorLoss.value} down)`,
      `${m.worstRegionLoss.left}/${m.nodes} (${m.worstRegionLoss.value} down)`,
    ]),
  );
  const checks = table(
    ["rule", "scope", "result", "detail"],
    plan.policy.checks.map((c) => [c.rule, c.scope, checkResult(c), c.message]),
  );
  const gateways = plan.gateways.length
    ? [
        table(
          GATEWAY_COLUMNS,
          plan.gateways.map((g) => gatewayRow(g, plan)),
        ),
        terminalText(accessLayerNote(plan)),
      ]
    : [];
  const monitors = plan.monitors?.length
    ? [table(MONITOR_COLUMNS, plan.monitors.map(monitorRow)), terminalText(monitorsNote(plan))]
    : [];
  return [
    `Fleet ${plan.fleet}: ${plan.nodes.length} nodes${plan.gateways.length ? `, ${plan.gateways.length} gateways` : ""}${plan.monitors?.length ? `, ${plan.monitors.length} monitors` : ""}, ${usd(plan.totals.monthlyUsd)}/month (${solverNote(plan.solver)}, HiGHS, ${plan.solver.milliseconds} ms)`,
    nodes,
    ...gateways,
    ...monitors,
    costs,
    metrics,
    checks,
    ...(plan.rollout ? [`Rollout (a changed release, wave by wave):`, table(ROLLOUT_COLUMNS, rolloutRows(plan))] : []),
    `Policy: ${plan.policy.satisfied ? "satisfied" : "VIOLATED"}`,
    `* ${ESTIMATE_NOTE}`,
    ...planWarnings(plan),
  ].join("\n");
}

export function comparisonTable(c: Comparison): string {
  const { ref, notes } = footnotes(c.scenarios);
  return [
    `Cost versus sovereignty for ${c.fleet} (${comparisonSolved(c)})`,
    table(
      [...scenarioColumns(c), "note"],
      c.scenarios.map((s, i) => [...scenarioCells(c, s), ref(i)]),
    ),
    ...notes.map(terminalText),
    ESTIMATE_NOTE,
  ].join("\n");
}

export function outageTable(o: OutageResult, plan: Plan): string {
  const g = o.gateways;
  const what = g ? "nodes and RPC endpoints" : "nodes";
  return [
    terminalText(
      `Outage of ${o.failures.map((f) => `${f.dim}=${f.value}`).join(", ")} on ${plan.fleet}: ${o.down.length} of ${plan.nodes.length} nodes down` +
        (g ? `, ${g.down.length} of ${g.total} gateways down` : ""),
    ),
    table(
      ["chain", "nodes", "left", "required", "result"],
      o.chains.map((c) => [c.chain, c.total, c.left, c.required, mark(c.left >= c.required)]),
    ),
    o.down.length ? `Down: ${o.down.join(", ")}` : "No node is hit.",
    ...(g
      ? [table([...ENDPOINT_COLUMNS, "result"], endpointRows(o, mark)), ...outageAccessLines(o).map(terminalText)]
      : []),
    o.ok
      ? `Every chain keeps the ${what} the policy requires.`
      : `A chain falls below the ${what} the policy requires.`,
  ].join("\n");
}

/** Egress as the range the catalog's traffic assumption gives (the plan is priced at the low end). */
function egressRange(b: Plan["totals"]["breakdown"]): string {
  return b.egressHigh !== undefined && b.egressHigh > b.egress
    ? `${usd(b.egress)} to ${usd(b.egressHigh)}`
    : usd(b.egress);
}
