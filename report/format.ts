/** Shared number formatting for every report format. */
import type { Comparison } from "../core/compare/scenarios";
import type { Plan } from "../core/plan";
import { AKASH_WARNING } from "../core/workload/sdl";

export const usd = (x: number | null) =>
  x === null ? "-" : `$${x.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
export const pct = (x: number | null) => (x === null ? "-" : `${Math.round(x * 1000) / 10}%`);
export const mark = (ok: boolean) => (ok ? "ok" : "BREACH");
export const clientsOf = (clients: Record<string, string>) => Object.values(clients).join("+");

/** The node table of the Markdown and HTML reports: one heading list and one row shape for both. */
export const NODE_COLUMNS = ["node", "clients", "operator", "region / host", "jurisdiction", "shape", "$/month"];
export const nodeRow = (n: Plan["nodes"][number]): string[] => [
  n.id,
  clientsOf(n.clients),
  n.operator,
  n.host ?? n.region,
  n.jurisdiction,
  n.shape,
  usd(n.monthlyUsd),
];
/** The Akash warning, when the plan has Akash nodes. */
export const akashNote = (plan: Plan): string[] =>
  plan.nodes.some((n) => n.provider === "akash") ? [AKASH_WARNING] : [];

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

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
const escapeControl = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;

/** Text for a terminal: control characters (escape sequences, line breaks) shown as `\u001b`, never sent. */
export const terminalText = (text: string) => text.replace(CONTROL, escapeControl);

/**
 * Text for a Markdown table cell or line (a PR comment): no HTML, no line break, no pipe, no
 * formatting or link syntax from the data, no control characters.
 */
export function markdownText(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/\r\n|\r|\n/g, " ")
    .replace(CONTROL, escapeControl)
    .replace(/[\\`*_[\]|~#!]/g, (c) => `\\${c}`);
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
