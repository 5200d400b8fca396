/**
 * Drift of a bare-metal host: what a deploy left on it (files and their hashes, containers with
 * their image and labels, the nftables table with its rules, processes) against what the host has
 * now. The deploy records an {@link ExpectedWorkload} per workload in the state (a drift probe,
 * components/baremetal/drift.ts); `pulumi refresh` and `sovereign doctor` run {@link checkScript}
 * on the host over SSH and compare its report with {@link compareHost}. Pure: the caller runs SSH.
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import { nftTableName } from "../workload/nftables";
import type { Workload, WorkloadFile } from "../workload/render";

/** What one workload (node or gateway) on a bare-metal host looks like right after a deploy. */
export interface ExpectedWorkload {
  /** Node or gateway id. */
  workload: string;
  fleet: string;
  /** docker compose project. */
  project: string;
  /** sha256 of each file the deploy wrote, by path; secret files (.env, keys) are left out. */
  files: Record<string, string>;
  /** Containers of the project: long-running ones must run, one-shot ones (init) must have exited 0. */
  containers: Array<{ name: string; image: string; labels: Record<string, string>; oneShot: boolean }>;
  /** The host firewall table and how many rules (accept/drop) its chains hold. */
  nftables?: { table: string; rules: number };
  /** Processes that must run (e.g. `knotd`, `wireguard-go`), by exact name. @default none */
  processes?: string[];
}

export const ExpectedWorkloadSchema = z.object({
  workload: z.string().regex(/^[A-Za-z0-9._-]+$/),
  fleet: z.string().regex(/^[A-Za-z0-9._-]+$/),
  project: z.string().regex(/^[A-Za-z0-9._-]+$/),
  files: z.record(z.string().regex(/^\/[A-Za-z0-9._/-]+$/), z.string().regex(/^[0-9a-f]{64}$/)),
  containers: z.array(
    z.object({
      name: z.string().regex(/^[A-Za-z0-9._-]+$/),
      image: z.string(),
      labels: z.record(z.string(), z.string()),
      oneShot: z.boolean(),
    }),
  ),
  nftables: z.object({ table: z.string().regex(/^[A-Za-z0-9_-]+$/), rules: z.number().int().nonnegative() }).optional(),
  processes: z.array(z.string().regex(/^[A-Za-z0-9._-]{1,15}$/)).optional(),
});

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/** The rules (accept or drop) of an nftables table's chains, in a rendered ruleset or `nft list table`. */
export function nftRuleCount(ruleset: string): number {
  return ruleset.split("\n").filter((l) => /\b(accept|drop)\b/.test(l) && !/\bpolicy\b/.test(l)).length;
}

/** The expected state of a rendered workload: its non-secret files, containers and firewall table. */
export function expectedWorkload(w: Workload, files: readonly WorkloadFile[], nftRuleset: string): ExpectedWorkload {
  return {
    workload: w.node,
    fleet: w.fleet,
    project: w.project,
    files: Object.fromEntries(files.filter((f) => !f.secret).map((f) => [f.path, sha256(f.content)])),
    containers: Object.values(w.compose.services).map((s) => ({
      name: s.container_name,
      image: s.image,
      labels: s.labels,
      oneShot: s.labels["sovereign.once"] === "true",
    })),
    nftables: { table: nftTableName(w.node, w.fleet), rules: nftRuleCount(nftRuleset) },
  };
}

const END = "sovereign-drift-end";
const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * A POSIX sh script that reports, one tab-separated line each, every file's sha256, every
 * container's image, state and labels, every table's rule count and every process count of the
 * workloads; it changes nothing. The last line marks a complete report (a cut one is "unknown").
 */
export function checkScript(expected: readonly ExpectedWorkload[]): string {
  const lines = [
    `inspect() { docker inspect -f '{"image":{{json .Config.Image}},"status":{{json .State.Status}},"exitCode":{{.State.ExitCode}},"health":{{if .State.Health}}{{json .State.Health.Status}}{{else}}""{{end}},"labels":{{json .Config.Labels}}}' "$1" 2>/dev/null || echo missing; }`,
    `file() { if [ -f "$1" ]; then sha256sum "$1" | cut -d' ' -f1; else echo missing; fi; }`,
    `table() { if out=$(nft list table inet "$1" 2>/dev/null); then printf '%s\\n' "$out" | grep -E '\\b(accept|drop)\\b' | grep -vc '\\bpolicy\\b'; else echo missing; fi; }`,
  ];
  for (const e of expected) {
    for (const path of Object.keys(e.files)) lines.push(`printf 'file\\t%s\\t%s\\n' ${q(path)} "$(file ${q(path)})"`);
    for (const c of e.containers)
      lines.push(`printf 'container\\t%s\\t%s\\n' ${q(c.name)} "$(inspect ${q(c.name)} | head -n 1)"`);
    if (e.nftables)
      lines.push(`printf 'nftables\\t%s\\t%s\\n' ${q(e.nftables.table)} "$(table ${q(e.nftables.table)})"`);
    for (const p of e.processes ?? [])
      lines.push(`printf 'process\\t%s\\t%s\\n' ${q(p)} "$(pgrep -xc ${q(p)} || true)"`);
  }
  lines.push(`echo ${END}`);
  return `${lines.join("\n")}\n`;
}

/** A host's answer to {@link checkScript}: per kind, subject -> what was found. */
export interface HostReport {
  file: Map<string, string>;
  container: Map<string, string>;
  nftables: Map<string, string>;
  process: Map<string, string>;
}

/** The report in a check script's output; undefined when it is cut short (the host's answer is unknown). */
export function parseReport(stdout: string): HostReport | undefined {
  const lines = stdout.split("\n");
  if (!lines.some((l) => l.trim() === END)) return undefined;
  const report: HostReport = { file: new Map(), container: new Map(), nftables: new Map(), process: new Map() };
  for (const line of lines) {
    const [kind, subject, value] = line.split("\t");
    if (value !== undefined && Object.hasOwn(report, kind)) report[kind as keyof HostReport].set(subject, value.trim());
  }
  return report;
}

const Inspected = z.object({
  image: z.string(),
  status: z.string(),
  exitCode: z.number(),
  health: z.string(),
  labels: z.record(z.string(), z.string()).nullable(),
});

export type FindingStatus = "ok" | "drift" | "unknown";

/** One check of one workload on one host. */
export interface Finding {
  host: string;
  workload: string;
  check: "file" | "container" | "nftables" | "process";
  subject: string;
  status: FindingStatus;
  /** What differs (or why it is unknown); "" when ok. */
  detail: string;
  /** What `pulumi up --refresh` does about it; "" when ok. */
  repair: string;
}

export const REPAIR = {
  file: "rewrites the workload's files and starts its project again",
  container: "starts the project again (docker compose up) and waits for its health checks",
  nftables: "loads the workload's nftables table again",
  process: "restarts it",
} as const;

/** Every check of `expected` against a host's report; all `unknown` (with `why`) when there is no report. */
export function compareHost(
  host: string,
  expected: readonly ExpectedWorkload[],
  report: HostReport | undefined,
  why = "the host did not answer",
): Finding[] {
  const findings: Finding[] = [];
  for (const e of expected) {
    const add = (check: Finding["check"], subject: string, problem: string | undefined) =>
      findings.push({
        host,
        workload: e.workload,
        check,
        subject,
        status: report === undefined ? "unknown" : problem ? "drift" : "ok",
        detail: report === undefined ? why : (problem ?? ""),
        repair: report !== undefined && problem ? REPAIR[check] : "",
      });
    for (const [path, hash] of Object.entries(e.files)) add("file", path, fileProblem(hash, report?.file.get(path)));
    for (const c of e.containers) add("container", c.name, containerProblem(c, report?.container.get(c.name)));
    if (e.nftables)
      add("nftables", e.nftables.table, tableProblem(e.nftables.rules, report?.nftables.get(e.nftables.table)));
    for (const p of e.processes ?? []) add("process", p, processProblem(report?.process.get(p)));
  }
  return findings;
}

function fileProblem(hash: string, found: string | undefined): string | undefined {
  if (found === undefined || found === "missing") return "missing";
  if (found !== hash) return `edited since the deploy (sha256 ${found.slice(0, 12)}…, deployed ${hash.slice(0, 12)}…)`;
  return undefined;
}

function containerProblem(c: ExpectedWorkload["containers"][number], found: string | undefined): string | undefined {
  if (found === undefined || found === "missing") return "no such container";
  let parsed: z.infer<typeof Inspected>;
  try {
    const checked = Inspected.safeParse(JSON.parse(found));
    if (!checked.success) return `docker inspect answered something else: ${checked.error.issues[0]?.message}`;
    parsed = checked.data;
  } catch {
    return "docker inspect answered something that is not JSON";
  }
  if (parsed.image !== c.image) return `runs image ${parsed.image}, deployed ${c.image}`;
  const labels = parsed.labels ?? {};
  const changed = Object.entries(c.labels).filter(([k, v]) => labels[k] !== v);
  if (changed.length)
    return `labels differ: ${changed.map(([k, v]) => `${k}=${labels[k] ?? "(none)"}, deployed ${v}`).join("; ")}`;
  if (c.oneShot)
    return parsed.status === "exited" && parsed.exitCode === 0
      ? undefined
      : `init step ${parsed.status} (exit ${parsed.exitCode})`;
  if (parsed.status !== "running") return `${parsed.status} (exit ${parsed.exitCode})`;
  if (parsed.health === "unhealthy") return "running but unhealthy";
  return undefined;
}

function tableProblem(rules: number, found: string | undefined): string | undefined {
  if (found === undefined || found === "missing") return "table missing";
  const n = Number(found);
  if (!Number.isInteger(n)) return `nft answered '${found}'`;
  return n === rules ? undefined : `${n} rule(s), deployed ${rules} (flushed or edited)`;
}

function processProblem(found: string | undefined): string | undefined {
  const n = Number(found);
  return found !== undefined && Number.isInteger(n) && n > 0 ? undefined : "not running";
}
