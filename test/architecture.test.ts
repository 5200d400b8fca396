/**
 * The import map holds: dependency-cruiser, with the rules .dependency-cruiser.cjs generates from the
 * table in docs/architecture.md, over every source folder. Fails on an import the table does not
 * allow, on a circle across folders, on a source file no row covers, and on a table that is not one
 * order (a circle in the table would allow one in the code).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { before, describe, it } from "node:test";

const ROOT = join(__dirname, "..");
const SOURCES = ["core", "components", "cli", "report", "program", "policy", "index.ts"];

interface Row {
  folders: string[];
  imports: string[];
  packages: string[];
}
interface Dependency {
  resolved: string;
  coreModule: boolean;
  couldNotResolve: boolean;
}
interface Violation {
  from: string;
  to: string;
  rule: { name: string };
}
interface CruiseResult {
  modules: { source: string; coreModule?: boolean; couldNotResolve?: boolean; dependencies: Dependency[] }[];
  summary: { violations: Violation[]; ruleSetUsed: { forbidden: { name: string; comment: string }[] } };
}

/** The table as the config read it (CommonJS, for the depcruise CLI). */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the table lives in the CommonJS config dependency-cruiser reads
const TABLE: Row[] = require("../.dependency-cruiser.cjs").architectureTable;

/** Whether a table name (`core/costs`, `core/*`, `core/*.ts`, `components/`, `index.ts`) covers a source path. */
function covers(name: string, path: string): boolean {
  if (name.endsWith("/*.ts"))
    return path.startsWith(name.slice(0, -4)) && /^[^/]+\.ts$/.test(path.slice(name.length - 4));
  if (name.endsWith("/*")) return path.startsWith(name.slice(0, -1));
  if (/\.(ts|json)$/.test(name)) return path === name;
  return path.startsWith(`${name.replace(/\/$/, "")}/`);
}

/** Whether a table name of the "may import" column names a table folder (`core/*` names `core/costs`). */
function names(name: string, folder: string): boolean {
  if (name.endsWith("/*")) return folder.startsWith(name.slice(0, -1));
  return name.replace(/\/$/, "") === folder.replace(/\/$/, "");
}

/** The table folder a source file belongs to, if a row covers it. */
const folderOf = (path: string) => TABLE.flatMap((r) => r.folders).find((f) => covers(f, path));

/** A circle in a graph of names, as the names along it, or undefined. */
function findCircle(edges: Map<string, Set<string>>): string[] | undefined {
  const state = new Map<string, "open" | "done">();
  const trail: string[] = [];
  const visit = (node: string): string[] | undefined => {
    if (state.get(node) === "done") return undefined;
    if (state.get(node) === "open") return [...trail.slice(trail.indexOf(node)), node];
    state.set(node, "open");
    trail.push(node);
    for (const next of edges.get(node) ?? []) {
      const circle = visit(next);
      if (circle) return circle;
    }
    trail.pop();
    state.set(node, "done");
    return undefined;
  };
  for (const node of edges.keys()) {
    const circle = visit(node);
    if (circle) return circle;
  }
  return undefined;
}

describe("architecture: the imports follow docs/architecture.md", () => {
  let cruised: CruiseResult;
  before(() => {
    const bin = join(ROOT, "node_modules", "dependency-cruiser", "bin", "dependency-cruise.mjs");
    const run = spawnSync(
      process.execPath,
      [bin, "--config", ".dependency-cruiser.cjs", "--output-type", "json", ...SOURCES],
      { cwd: ROOT, encoding: "utf8", maxBuffer: 64 * 1024 * 1024, timeout: 120_000 },
    );
    assert.ok(run.stdout, `depcruise printed nothing (exit ${run.status}): ${run.stderr}`);
    cruised = JSON.parse(run.stdout) as CruiseResult;
  });

  it("the table is one order: no circle among the folders its rows may import", () => {
    const edges = new Map<string, Set<string>>();
    for (const row of TABLE)
      for (const folder of row.folders) {
        const targets = TABLE.flatMap((r) => r.folders).filter(
          (f) => !row.folders.includes(f) && row.imports.some((name) => names(name, f)),
        );
        edges.set(folder, new Set(targets));
      }
    assert.equal(findCircle(edges), undefined);
  });

  it("every source file belongs to a row of the table", () => {
    const sources = cruised.modules
      .filter((m) => !m.coreModule && !m.couldNotResolve && /\.(ts|js|cjs|mjs)$/.test(m.source))
      .map((m) => m.source);
    assert.ok(sources.length > 100, `cruised only ${sources.length} source files`);
    const uncovered = sources.filter((s) => !s.includes("node_modules") && !folderOf(s));
    assert.deepEqual(uncovered, [], "add a row to the table in docs/architecture.md");
  });

  it("no import breaks the table's rules (folders, packages) and no module needs itself at run time", () => {
    const rules = new Map(cruised.summary.ruleSetUsed.forbidden.map((r) => [r.name, r.comment]));
    const broken = cruised.summary.violations.map(
      (v) => `${v.from} → ${v.to}: ${rules.get(v.rule.name) ?? v.rule.name}`,
    );
    assert.deepEqual(broken, []);
  });

  it("no circle across folders", () => {
    const edges = new Map<string, Set<string>>();
    for (const m of cruised.modules) {
      const from = folderOf(m.source);
      if (!from) continue;
      for (const d of m.dependencies) {
        const to = d.coreModule || d.couldNotResolve ? undefined : folderOf(d.resolved);
        if (!to || to === from) continue;
        if (!edges.has(from)) edges.set(from, new Set());
        edges.get(from)!.add(to);
      }
    }
    assert.equal(findCircle(edges)?.join(" → "), undefined);
  });
});
