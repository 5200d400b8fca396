/** `sovereign doctor`: each bare-metal host against what the deploy left on it, as a table, Markdown or JSON. */
import type { Finding } from "../core/drift/check";
import { JSON_SCHEMA_VERSION } from "../core/plan/file";
import { mdTable } from "./markdown";
import { table } from "./table";

const COLUMNS = ["host", "workload", "check", "subject", "result", "what differs", "pulumi up --refresh"];
const row = (f: Finding) => [f.host, f.workload, f.check, f.subject, f.status, f.detail || "-", f.repair || "-"];

/** Findings that are not ok, then a line per host; the repair path once. */
function verdict(findings: readonly Finding[]): string {
  const hosts = [...new Set(findings.map((f) => f.host))];
  const lines = hosts.map((h) => {
    const of = findings.filter((f) => f.host === h);
    const drift = of.filter((f) => f.status === "drift");
    const unknown = of.filter((f) => f.status === "unknown");
    if (drift.length)
      return `${h}: DRIFT: ${drift.map((f) => `${f.workload} ${f.check} ${f.subject}: ${f.detail}`).join("; ")}`;
    if (unknown.length) return `${h}: unknown: ${unknown[0].detail}`;
    return `${h}: ok (${of.length} checks)`;
  });
  const drifted = findings.some((f) => f.status === "drift");
  if (drifted)
    lines.push(
      "Repair: pulumi up --refresh (or pulumi refresh, then pulumi up) runs the drifted workloads' commands again.",
    );
  return lines.join("\n");
}

/** Only what is not ok, unless every check is wanted (`--all`). */
const shown = (findings: readonly Finding[], all: boolean) =>
  all ? findings : findings.filter((f) => f.status !== "ok");

export function doctorTable(findings: readonly Finding[], stack: string, all = false): string {
  const rows = shown(findings, all).map(row);
  return [`Stack: ${stack}`, ...(rows.length ? [table(COLUMNS, rows)] : []), verdict(findings)].join("\n");
}

export function doctorMarkdown(findings: readonly Finding[], stack: string, all = false): string {
  const rows = shown(findings, all).map(row);
  return [
    `# ${stack}: hosts against the deployed state`,
    ...(rows.length ? [mdTable(COLUMNS, rows)] : []),
    verdict(findings),
  ].join("\n\n");
}

/** Stable JSON (docs/json-output.md): every check, with a summary per status. */
export function doctorToJson(findings: readonly Finding[], stack: string) {
  const count = (s: Finding["status"]) => findings.filter((f) => f.status === s).length;
  return {
    schemaVersion: JSON_SCHEMA_VERSION,
    kind: "doctor",
    stack,
    summary: { ok: count("ok"), drift: count("drift"), unknown: count("unknown") },
    hosts: [...new Set(findings.map((f) => f.host))].map((host) => {
      const of = findings.filter((f) => f.host === host);
      const status = of.some((f) => f.status === "drift")
        ? "drift"
        : of.some((f) => f.status === "unknown")
          ? "unknown"
          : "ok";
      return { host, status, checks: of.map(({ host: _h, ...f }) => f) };
    }),
  };
}
