/** Shared number formatting for every report format. */
import type { Comparison, Scenario } from "../core/compare/scenarios";
import type { OutageResult } from "../core/outage/simulate";
import type { PolicyCheck } from "../core/diversity";
import { terminalText } from "../core/errors";
import type { Plan } from "../core/plan";

// One formatter: toLocaleString builds one per call (most of the time of a 20,000-resource cost table).
const USD = new Intl.NumberFormat("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
export const usd = (x: number | null) => (x === null ? "-" : `$${USD.format(x)}`);
export const pct = (x: number | null) => (x === null ? "-" : `${Math.round(x * 1000) / 10}%`);
export const mark = (ok: boolean) => (ok ? "ok" : "BREACH");
/** A check's result as every report prints it: a pass that needs attention or lacks data is never just "ok". */
export const checkResult = (c: Pick<PolicyCheck, "ok" | "status">) => (c.ok ? (c.status ?? "ok") : "BREACH");
export const clientsOf = (clients: Record<string, string>) => Object.values(clients).join("+");

/** The node table of the Markdown and HTML reports: one heading list and one row shape for both. */
export const NODE_COLUMNS = ["node", "clients", "operator", "region / host", "jurisdiction", "shape", "$/month"];
export const nodeRow = (n: Plan["nodes"][number]): string[] => [
  n.id,
  clientsOf(n.clients),
  n.operator,
  n.host ?? n.region,
  n.jurisdiction,
  n.shape ?? "-",
  usd(n.monthlyUsd),
];
/** The gateway table of every report: one heading list and one row shape. */
export const GATEWAY_COLUMNS = [
  "gateway",
  "serves",
  "operator",
  "region / host",
  "jurisdiction",
  "shape",
  "egress GB",
  "$/month",
];
export const gatewayRow = (g: Plan["gateways"][number], plan: Plan): string[] => [
  g.id,
  servedBy(g.chains, Object.keys(plan.metrics.chains)),
  g.operator,
  g.host ?? g.region,
  g.jurisdiction,
  g.shape ?? "-",
  String(g.traffic?.egressGbMonth ?? "-"),
  usd(g.monthlyUsd) + (g.estimate ? "*" : ""),
];
/** The monitor table of every report. */
export const MONITOR_COLUMNS = [
  "monitor",
  "operator",
  "region / host",
  "jurisdiction",
  "shape",
  "disk",
  "retention",
  "$/month",
];
export const monitorRow = (m: NonNullable<Plan["monitors"]>[number]): string[] => [
  m.id,
  m.operator,
  m.host ?? m.region,
  m.jurisdiction,
  m.shape ?? "-",
  m.storage ? `${m.storage.sizeGb} GB` : "-",
  m.retention,
  usd(m.monthlyUsd) + (m.estimate ? "*" : ""),
];
/** The monitors' cost and what they do, under the monitors table. */
export const monitorsNote = (plan: Plan): string =>
  `Monitoring: ${plan.monitors?.length ?? 0} monitors (Prometheus + Alertmanager, one Alertmanager cluster), ${usd(plan.totals.monitors?.monthlyUsd ?? 0)}/month of the total.`;
/** What a gateway serves: `all chains` when it serves every chain of the plan. */
export const servedBy = (chains: string[], all: string[]) =>
  chains.length > 1 && all.every((c) => chains.includes(c)) ? "all chains" : chains.join(", ");
/** The access layer's cost and the traffic its egress is priced for, under the gateways table. */
export function accessLayerNote(plan: Plan): string {
  const t = plan.gateways[0]?.traffic;
  const load = t
    ? ` Gateway egress is an estimate: each gateway is priced for its share of the assumed load, here ${t.requestsPerSecond} requests/s at ${t.responseKb} KB per response (gateways.traffic); traffic between nodes and gateways is not priced.`
    : "";
  return `Access layer: ${plan.gateways.length} gateways, ${usd(plan.totals.gateways?.monthlyUsd ?? 0)}/month of the total.${load}${integrityNote(plan)}`;
}
/** The quorum of each chain's integrity reads (gateways.integrity), the same on every gateway serving it. */
function integrityNote(plan: Plan): string {
  const quorums = new Map(plan.gateways.flatMap((g) => Object.entries(g.integrity ?? {})));
  if (!quorums.size) return "";
  const rows = [...quorums].map(
    ([chain, q]) =>
      `${chain} ${q.agreement} of ${q.participants} nodes agree (${q.operators} operators; one answer spans >= ${q.minOperators})${q.methods ? ` on ${q.methods.join(", ")}` : ""}`,
  );
  return ` Integrity reads (quorum across operators, else a JSON-RPC error): ${rows.join("; ")}.`;
}
/** The access layer after an outage, in words (terminal and Markdown reports). */
export function outageAccessLines(o: OutageResult): string[] {
  const g = o.gateways;
  if (!g) return [];
  const lines = [g.down.length ? `Gateways down: ${g.down.join(", ")}` : "No gateway is hit."];
  if (g.accessLayerDown) lines.push("Access layer down: no gateway is left; no chain can be reached over RPC.");
  else
    for (const c of o.chains)
      if (c.endpoints && c.endpoints.total > 0 && c.endpoints.left === 0)
        lines.push(
          `No RPC endpoint answers for ${c.chain}${c.left === 0 ? " (no node is left behind the gateways)" : ""}.`,
        );
  return lines;
}
/** The endpoint table of an outage: per chain, the gateways serving it, those still answering, and `verdict`. */
export const ENDPOINT_COLUMNS = ["chain", "gateways", "endpoints left", "required", "answering"];
export const endpointRows = (o: OutageResult, verdict: (ok: boolean) => string): string[][] =>
  o.chains.flatMap((c) => {
    const e = c.endpoints;
    if (!e) return [];
    return [
      [
        c.chain,
        String(e.total),
        String(e.left),
        String(e.required),
        e.reachable.join(", ") || "-",
        verdict(e.left >= e.required),
      ],
    ];
  });

/** The access-layer columns of a comparison, when its spec has gateways (every report shows them alike). */
/**
 * The comparison's columns, one home for the table, Markdown and HTML reports (each adds its own
 * note column): headings and the cells under them, in order.
 */
export const scenarioColumns = (c: Comparison): string[] => [
  "scenario",
  "$/month",
  "vs single cloud",
  "premium over cheapest",
  "max operator share",
  "worst-case surviving",
  "CLOUD Act share",
  "operators",
  ...accessColumns(c),
];
export const scenarioCells = (c: Comparison, s: Scenario): string[] => [
  s.name,
  usd(s.monthlyUsd),
  signedPct(s.vsSingleCloud),
  signedPct(s.premium),
  pct(s.maxOperatorShare),
  pct(s.worstCaseSurvivingShare),
  pct(s.cloudActShare),
  s.operators === null ? "-" : String(s.operators),
  ...accessCells(c, s),
];

export const accessColumns = (c: Comparison): string[] =>
  c.scenarios.some((s) => s.accessMaxOperatorShare !== undefined) ? ["gateways $/month", "gateways max operator"] : [];
export const accessCells = (c: Comparison, s: Scenario): string[] =>
  accessColumns(c).length ? [usd(s.accessMonthlyUsd ?? null), pct(s.accessMaxOperatorShare ?? null)] : [];

export const ESTIMATE_NOTE =
  "Prices are list prices from the catalog (each with its source and date; on demand unless the spec sets pricing), with GCP's automatic sustained-use discount and every VM's boot disk; figures marked estimate are estimates, and egress is a range from the catalog's traffic assumption (the total uses its low end).";
/** cli-table3 borders without a line between rows. */
export const COMPACT = { mid: "", "left-mid": "", "mid-mid": "", "right-mid": "" };
export const signedPct = (x: number | null) => (x === null ? "-" : `${x >= 0 ? "+" : ""}${Math.round(x * 1000) / 10}%`);
/** Infeasible scenarios get a numbered note under the table instead of a long cell. */
export function footnotes(rows: Array<{ feasible: boolean; reason?: string }>): {
  ref: (i: number) => string;
  notes: string[];
} {
  const notes: string[] = [];
  const refs = new Map<number, string>();
  rows.forEach((r, i) => {
    if (!r.feasible) {
      notes.push(`[${notes.length + 1}] ${r.reason}`);
      refs.set(i, `infeasible [${notes.length}]`);
    }
  });
  return { ref: (i) => refs.get(i) ?? "", notes };
}

/**
 * Text for a Markdown table cell or line (a PR comment): no HTML, no line break, no pipe, no
 * formatting or link syntax from the data, no control characters.
 */
export function markdownText(text: string): string {
  return terminalText(
    text
      .replace(/&/g, "&amp;")
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;")
      .replace(/\r\n|\r|\n/g, " "),
  ).replace(/[\\`*_[\]|~#!]/g, (c) => `\\${c}`);
}

/**
 * What the solver proved, for every report: "optimal", or that the time limit stopped it with the
 * plan's proven gap (the best plan found may cost up to that share more than the optimum).
 */
export function solverNote(solver: Plan["solver"]): string {
  if (solver.optimal) return "optimal";
  const gap = solver.gap;
  const proven =
    gap === undefined || !Number.isFinite(gap) ? "no proven gap" : `a proven gap of ${Math.round(gap * 10000) / 100}%`;
  return `not proven optimal: ${solver.status.toLowerCase()}, stopped with ${proven}`;
}

/** How the comparison's scenarios were solved: to optimality, or which ones the time limit stopped. */
export function comparisonSolved(c: Comparison): string {
  const stopped = c.scenarios.filter((s) => s.plan && !s.plan.solver.optimal).map((s) => s.name);
  return stopped.length
    ? `each scenario solved by the same planner over the same spec; not proven optimal (stopped at the time limit): ${stopped.join(", ")}`
    : "each scenario solved to optimality over the same spec";
}

/** The columns of the rollout's waves (plan.rollout): one row per wave of every chain. */
export const ROLLOUT_COLUMNS = ["chain", "wave", "operator", "nodes", "health bar"];

/** One row per wave: canary marked, the health bar each node of it must pass before the next wave. */
export function rolloutRows(plan: Plan): string[][] {
  return Object.entries(plan.rollout ?? {}).flatMap(([chain, r]) =>
    r.waves.map((w) => [
      chain,
      `${w.wave}${w.canary ? " (canary)" : ""}`,
      w.operator,
      w.nodes.join(", "),
      `head within ${r.settings.maxLagBlocks} blocks for ${r.settings.soakSeconds} s (within ${r.settings.timeoutSeconds} s, then ${r.settings.onFailure})`,
    ]),
  );
}
