/** `sovereign status`: the plan against what a monitor sees, as a table, Markdown or JSON. */
import type { FleetStatus, NodeStatus } from "../core/monitoring/live";
import { clientsOf, mark, pct } from "./format";
import { mdTable } from "./markdown";
import { table } from "./table";

const NODE_COLUMNS = ["node", "chain", "clients", "operator", "region", "state", "height", "lag"];
const nodeRow = (n: NodeStatus) => [
  n.id,
  n.chain,
  clientsOf(n.clients),
  n.operator,
  n.region,
  n.state,
  n.height ?? "unknown",
  n.lag ?? "unknown",
];

const CHECK_COLUMNS = ["chain", "rule", "limit", "live", "result"];
/** Shares print as percentages, counts as counts (the rule says which the check holds). */
const figure = (rule: string, x: number) => (rule.startsWith("maxShare.") ? pct(x) : String(x));
const checkRows = (s: FleetStatus) =>
  s.checks.map((c) => [c.scope, c.rule, figure(c.rule, c.limit), figure(c.rule, c.actual), mark(c.ok)]);

/** The rules' summaries name the chain, node or endpoint themselves. */
const alertLine = (a: FleetStatus["alerts"][number]) => `${a.name}: ${a.summary}`;

function verdict(s: FleetStatus, fleet: string): string {
  const unknown = s.nodes.filter((n) => n.state === "unknown").length;
  const live = s.nodes.filter((n) => n.state === "up").length;
  const head = `${fleet}: ${live} of ${s.nodes.length} planned nodes live${unknown ? `, ${unknown} unknown (no data; not counted as live)` : ""}`;
  const breaches = s.checks.filter((c) => !c.ok);
  return breaches.length
    ? `${head}; the live fleet breaks its policy:\n${breaches.map((c) => `  ${c.scope} ${c.rule}: ${c.message}`).join("\n")}`
    : `${head}; the live fleet keeps its policy.`;
}

export function statusTable(s: FleetStatus, fleet: string, source: string): string {
  return [
    `Monitor: ${source}`,
    table(NODE_COLUMNS, s.nodes.map(nodeRow)),
    table(CHECK_COLUMNS, checkRows(s)),
    s.alerts.length ? `Firing alerts:\n${s.alerts.map((a) => `  ${alertLine(a)}`).join("\n")}` : "No alert is firing.",
    verdict(s, fleet),
  ].join("\n");
}

export function statusMarkdown(s: FleetStatus, fleet: string, source: string): string {
  return [
    `# ${fleet}: plan versus reality`,
    `Monitor: \`${source}\``,
    "## Nodes",
    mdTable(NODE_COLUMNS, s.nodes.map(nodeRow)),
    "## Policy over the live nodes",
    mdTable(CHECK_COLUMNS, checkRows(s)),
    "## Firing alerts",
    s.alerts.length ? s.alerts.map((a) => `- ${alertLine(a)}`).join("\n") : "None.",
    verdict(s, fleet),
  ].join("\n\n");
}

export function statusToJson(s: FleetStatus, fleet: string, source: string): object {
  return { kind: "status", fleet, prometheus: source, ok: s.ok, nodes: s.nodes, checks: s.checks, alerts: s.alerts };
}
