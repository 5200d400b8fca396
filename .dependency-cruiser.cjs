/**
 * dependency-cruiser rules generated from the table "Layers and what each folder may import" in
 * docs/architecture.md, so the map and the rules are one text: every row's folder may import only
 * itself, what its "may import" column names (before any "never") and Node built-ins; `core/*.ts`
 * is open to every `core/` folder. test/architecture.test.ts runs these rules.
 *
 *   npx depcruise --config .dependency-cruiser.cjs core components cli report program policy index.ts
 */
const { readFileSync } = require("node:fs");
const { join } = require("node:path");

const INTERNAL = /^(core|components|cli|report|program|policy)(\/|$)|^(index\.ts|package\.json)$/;
const escapeRegex = (s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&");

/** The regex of the source paths a table name covers: `core/costs`, `core/*`, `core/*.ts`, `components/`, `index.ts`. */
function pathPattern(name) {
  if (name.endsWith("/*.ts")) return `^${escapeRegex(name.slice(0, -"*.ts".length))}[^/]+\\.ts$`;
  if (name.endsWith("/*")) return `^${escapeRegex(name.slice(0, -1))}`;
  if (/\.(ts|json)$/.test(name)) return `^${escapeRegex(name)}$`;
  return `^${escapeRegex(name.replace(/\/$/, ""))}/`;
}

/** An npm name of the table (`zod`, `@pulumi/*`) as the regex of its resolved or unresolved paths. */
function packagePattern(name) {
  const pkg = name.endsWith("/*") ? `${escapeRegex(name.slice(0, -1))}[^/]+` : escapeRegex(name);
  return `(^|node_modules/)${pkg}(/|$)`;
}

const backticked = (cell) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]);

/** The table's rows: the folders each covers, the folders and packages each may import. */
function readArchitectureTable(file = join(__dirname, "docs", "architecture.md")) {
  const text = readFileSync(file, "utf8");
  const start = text.indexOf("| folder | what | may import |");
  if (start < 0) throw new Error(`${file}: no table "| folder | what | may import |"`);
  const lines = text.slice(start).split("\n");
  const rows = [];
  for (const line of lines.slice(2)) {
    if (!line.startsWith("|")) break;
    const [folders, , mayImport] = line.split("|").slice(1, -1);
    const allowed = backticked(mayImport.split(/\bnever\b/)[0]);
    const row = {
      folders: backticked(folders),
      imports: allowed.filter((n) => INTERNAL.test(n)),
      packages: allowed.filter((n) => !INTERNAL.test(n)),
    };
    if (row.folders.some((f) => f.startsWith("core/"))) row.imports.push("core/*.ts");
    rows.push(row);
  }
  return rows;
}

const rows = readArchitectureTable();

const forbidden = [
  {
    name: "no-circular",
    severity: "error",
    comment: "no module needs itself at run time (type-only back edges inside a folder are allowed)",
    from: {},
    to: { circular: true, viaOnly: { dependencyTypesNot: ["type-only"] } },
  },
];
for (const row of rows) {
  const from = { path: row.folders.map(pathPattern) };
  const label = row.folders.join(", ");
  forbidden.push(
    {
      name: `only-table-imports:${label}`,
      severity: "error",
      comment: `${label} may import ${row.imports.join(", ") || "no other folder"} (docs/architecture.md)`,
      from,
      to: { path: INTERNAL.source, pathNot: ["node_modules/", ...from.path, ...row.imports.map(pathPattern)] },
    },
    {
      name: `only-table-packages:${label}`,
      severity: "error",
      comment: `${label} may import the packages ${row.packages.join(", ") || "none"} (docs/architecture.md)`,
      from,
      to: { dependencyTypesNot: ["core", "local"], pathNot: row.packages.map(packagePattern) },
    },
  );
}

module.exports = {
  forbidden,
  options: {
    tsConfig: { fileName: "tsconfig.json" },
    tsPreCompilationDeps: true,
    doNotFollow: { path: "node_modules" },
  },
};
Object.defineProperty(module.exports, "architectureTable", { value: rows, enumerable: false });
