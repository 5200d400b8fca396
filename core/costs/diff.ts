/**
 * `--compare-to base.json`: the change in monthly cost against an earlier estimate in Infracost's
 * JSON format (ours, or one Infracost wrote), resource by resource.
 */
import { SpecError } from "../errors";
import type { CostEstimate } from "./resources";

export interface BaseEstimate {
  totalMonthlyCost: number;
  resources: Map<string, number | null>;
}

export interface ResourceDiff {
  name: string;
  change: "added" | "removed" | "changed";
  before: number | null;
  after: number | null;
  delta: number;
}

export interface CostDiff {
  pastTotalMonthlyCost: number;
  diffTotalMonthlyCost: number;
  resources: ResourceDiff[];
}

const decimal = (v: unknown): number | null => {
  if (v === null || v === undefined || v === "") return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
};
const round = (n: number) => Math.round(n * 100) / 100;

/** Reads Infracost JSON (`projects[].breakdown.resources[]`); `file` names it in errors. */
export function parseBaseEstimate(doc: unknown, file: string): BaseEstimate {
  const projects = (doc as { projects?: unknown })?.projects;
  if (!Array.isArray(projects)) {
    throw new SpecError(
      [
        {
          path: "projects",
          message: "not an Infracost-format JSON estimate: write one with `sovereign cost <file> --format json`",
        },
      ],
      file,
    );
  }
  const resources = new Map<string, number | null>();
  projects.forEach((p, i) => {
    const list = p?.breakdown?.resources;
    if (!Array.isArray(list))
      throw new SpecError(
        [{ path: `projects[${i}].breakdown.resources`, message: "missing: each project needs its resource breakdown" }],
        file,
      );
    for (const r of list) if (typeof r?.name === "string") resources.set(r.name, decimal(r.monthlyCost));
  });
  const total =
    decimal((doc as { totalMonthlyCost?: unknown }).totalMonthlyCost) ??
    [...resources.values()].reduce<number>((a, b) => a + (b ?? 0), 0);
  return { totalMonthlyCost: total, resources };
}

export function diffEstimates(base: BaseEstimate, now: CostEstimate): CostDiff {
  const diffs: ResourceDiff[] = [];
  const seen = new Set<string>();
  for (const r of now.resources) {
    seen.add(r.name);
    if (!base.resources.has(r.name)) {
      if (r.monthlyCost)
        diffs.push({ name: r.name, change: "added", before: null, after: r.monthlyCost, delta: r.monthlyCost });
      continue;
    }
    const before = base.resources.get(r.name) ?? null;
    const delta = round((r.monthlyCost ?? 0) - (before ?? 0));
    if (delta !== 0) diffs.push({ name: r.name, change: "changed", before, after: r.monthlyCost, delta });
  }
  for (const [name, before] of base.resources) {
    if (!seen.has(name) && before) diffs.push({ name, change: "removed", before, after: null, delta: -before });
  }
  diffs.sort((a, b) => Math.abs(b.delta) - Math.abs(a.delta) || a.name.localeCompare(b.name));
  return {
    pastTotalMonthlyCost: round(base.totalMonthlyCost),
    diffTotalMonthlyCost: round(now.totalMonthlyCost - base.totalMonthlyCost),
    resources: diffs,
  };
}
