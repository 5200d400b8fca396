/** `sovereign status`: the plan against what a monitor sees and what was deployed, as a table, Markdown or JSON. */
import type { FleetStatus, NodeStatus } from "../core/monitoring/live";
import type { DeployedReleases, MixedChain } from "../core/plan";
import { clientsOf, mark, pct } from "./format";
import { mdTable } from "./markdown";
import { table } from "./table";

/** A fleet's status with where it came from: the monitor read (none: nothing live is known) and the deployed releases. */
export interface StatusView extends FleetStatus {
  /** The Prometheus read; undefined when the deployed stack has no monitor. */
  monitor?: string;
  /** Read from --deployed; undefined without it. */
  releases?: { source: DeployedReleases["source"]; mixed: MixedChain[] };
}

const UNKNOWN = "unknown";

const NODE_COLUMNS = ["node", "chain", "clients", "operator", "region", "release", "state", "height", "lag"];
const nodeRow = (n: NodeStatus) => [
  n.id,
  n.chain,
  clientsOf(n.clients),
  n.operator,
  n.region,
  n.release ?? UNKNOWN,
  n.state,
  n.height ?? UNKNOWN,
  n.lag ?? UNKNOWN,
];

const CHECK_COLUMNS = ["chain", "rule", "limit", "live", "result"];
/** Shares print as percentages, counts as counts (the rule says which the check holds). */
const figure = (rule: string, x: number) => (rule.startsWith("maxShare.") ? pct(x) : String(x));
const checkRows = (s: FleetStatus) =>
  s.checks.map((c) => [c.scope, c.rule, figure(c.rule, c.limit), figure(c.rule, c.actual), mark(c.ok)]);

/** The rules' summaries name the chain, node or endpoint themselves. */
const alertLine = (a: FleetStatus["alerts"][number]) => `${a.name}: ${a.summary}`;

const monitorLine = (s: StatusView) =>
  s.monitor
    ? `Monitor: ${s.monitor}`
    : "Monitor: none (the deployed stack lists no monitor): nothing live is known, every node's state is unknown";

/** Where the release column comes from, and what it cannot show. */
function releaseSource(s: StatusView): string {
  if (!s.releases) return "Releases: unknown (give --deployed with the stack's `pulumi stack export` or outputs)";
  return s.releases.source === "export"
    ? "Releases: what each node last started with, from the stack's state (`pulumi stack export`)"
    : "Releases: from the stack outputs of the last `pulumi up` that completed; a rollout stopped since is not in them (give `pulumi stack export` to --deployed)";
}

/** One line per chain whose nodes run different releases: which nodes run which, and what to do. */
export function mixedLine(m: MixedChain): string {
  const groups = m.releases.map((r) => `${r.release} on ${r.nodes.join(", ")}`);
  if (m.unknown.length) groups.push(`unknown on ${m.unknown.join(", ")}`);
  return (
    `${m.chain} runs ${m.releases.length} releases (a rollout stopped midway, or under way): ${groups.join("; ")}. ` +
    "`pulumi up` continues the rollout from the node it stopped at; if it stopped on a failing health bar, " +
    "the deploy error names that node and the check: fix or re-pin the release, then `pulumi up`."
  );
}

const mixedLines = (s: StatusView) => (s.releases?.mixed ?? []).map(mixedLine);

const NO_ALERTS_KNOWN = "Firing alerts: unknown (no monitor).";

function verdict(s: StatusView, fleet: string): string {
  if (!s.monitor)
    return `${fleet}: ${s.nodes.length} planned nodes; live state unknown (no monitor), no policy verdict.`;
  const unknown = s.nodes.filter((n) => n.state === "unknown").length;
  const live = s.nodes.filter((n) => n.state === "up").length;
  const head = `${fleet}: ${live} of ${s.nodes.length} planned nodes live${unknown ? `, ${unknown} unknown (no data; not counted as live)` : ""}`;
  const breaches = s.checks.filter((c) => !c.ok);
  return breaches.length
    ? `${head}; the live fleet breaks its policy:\n${breaches.map((c) => `  ${c.scope} ${c.rule}: ${c.message}`).join("\n")}`
    : `${head}; the live fleet keeps its policy.`;
}

export function statusTable(s: StatusView, fleet: string): string {
  return [
    monitorLine(s),
    releaseSource(s),
    table(NODE_COLUMNS, s.nodes.map(nodeRow)),
    ...mixedLines(s),
    ...(s.monitor ? [table(CHECK_COLUMNS, checkRows(s))] : []),
    !s.monitor
      ? NO_ALERTS_KNOWN
      : s.alerts.length
        ? `Firing alerts:\n${s.alerts.map((a) => `  ${alertLine(a)}`).join("\n")}`
        : "No alert is firing.",
    verdict(s, fleet),
  ].join("\n");
}

export function statusMarkdown(s: StatusView, fleet: string): string {
  const mixed = mixedLines(s);
  return [
    `# ${fleet}: plan versus reality`,
    s.monitor ? `Monitor: \`${s.monitor}\`` : monitorLine(s),
    releaseSource(s),
    "## Nodes",
    mdTable(NODE_COLUMNS, s.nodes.map(nodeRow)),
    ...(mixed.length ? ["## Mixed releases", mixed.map((l) => `- ${l}`).join("\n")] : []),
    ...(s.monitor ? ["## Policy over the live nodes", mdTable(CHECK_COLUMNS, checkRows(s))] : []),
    "## Firing alerts",
    !s.monitor ? NO_ALERTS_KNOWN : s.alerts.length ? s.alerts.map((a) => `- ${alertLine(a)}`).join("\n") : "None.",
    verdict(s, fleet),
  ].join("\n\n");
}

export function statusToJson(s: StatusView, fleet: string): object {
  return {
    kind: "status",
    fleet,
    prometheus: s.monitor ?? null,
    // No monitor, no verdict: never "ok" without data.
    ok: s.monitor ? s.ok : null,
    nodes: s.nodes.map((n) => ({ ...n, release: n.release ?? UNKNOWN })),
    releases: s.releases
      ? { source: s.releases.source, mixed: s.releases.mixed.map((m) => ({ ...m, message: mixedLine(m) })) }
      : null,
    checks: s.checks,
    alerts: s.monitor ? s.alerts : null,
  };
}
