import { renameSync, rmSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Command } from "commander";
import { loadCatalog, type Catalog } from "../core/catalog/load";
import { compareScenarios } from "../core/compare/scenarios";
import { parseFailure, simulateOutage } from "../core/outage/simulate";
import { planFleet } from "../core/planner/plan";
import { parseFleetFile } from "../core/fleet-spec/parse";
import { resolveFleet } from "../core/fleet-spec/resolve";
import { didYouMean } from "../core/fleet-spec/suggest";
import { fleetJsonSchema } from "../core/fleet-spec/schema";
import { catalogJson, catalogTable, CATALOG_SECTIONS, type CatalogSection } from "../report/catalog";
import { comparisonHtml, planHtml } from "../report/html";
import { comparisonToJson, outageToJson, planToJson } from "../report/json";
import { comparisonMarkdown, outageMarkdown, planMarkdown } from "../report/markdown";
import { comparisonTable, outageTable, planTable } from "../report/table";
import { asUsage, UsageError } from "./errors";
import { EXIT, formatOption } from "./options";
import { checkSavedPlan, readPlanFile } from "./plan-file";

/** The spec used when none is given: the bundled example fleet. */
export const EXAMPLE_SPEC = resolve(__dirname, "..", "examples", "fleet.yaml");

type Format = "table" | "json" | "md" | "html";
interface Output { format: Format; out?: string }

/** Writes to --out atomically (a half-written report never replaces a good one), else to stdout. */
function emit(report: string, out?: string) {
  // The same bytes either way: a file ends with a newline like stdout does.
  const text = report.endsWith("\n") ? report : `${report}\n`;
  if (!out) { process.stdout.write(text); return; }
  const tmp = `${out}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, out);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new UsageError(`cannot write --out ${out}: ${writeProblem(e as NodeJS.ErrnoException)}`);
  }
  process.stderr.write(`wrote ${out}\n`);
}

function writeProblem(e: NodeJS.ErrnoException): string {
  switch (e.code) {
    case "ENOENT": return "no such directory";
    case "ENOTDIR": return "a part of the path is not a directory";
    case "EISDIR": return "it is a directory";
    case "EACCES": case "EPERM": return "permission denied";
    case "EROFS": return "read-only file system";
    case "ENOSPC": return "no space left on the device";
    default: return e.message;
  }
}

async function load(specPath: string | undefined, catalog: Catalog) {
  const file = specPath ?? EXAMPLE_SPEC;
  const spec = parseFleetFile(file);
  return { spec, fleet: resolveFleet(spec, catalog, file), file };
}

export function registerCommands(program: Command, setExit: (code: number) => void) {
  const outOption = ["-o, --out <file>", "write to a file instead of stdout"] as const;

  program.command("plan").argument("[spec]", "fleet spec YAML (default: the bundled example)")
    .description("place every node at least monthly cost while keeping every rule of the policy")
    .addOption(formatOption()).option(...outOption)
    .action(async (specPath: string | undefined, opts: Output) => {
      const catalog = loadCatalog();
      const { fleet } = await load(specPath, catalog);
      const plan = await planFleet(fleet, catalog);
      const render = { table: planTable, json: (p: typeof plan) => JSON.stringify(planToJson(p), null, 2), md: planMarkdown, html: planHtml }[opts.format];
      emit(render(plan), opts.out);
      setExit(plan.policy.satisfied ? EXIT.ok : EXIT.violated);
    });

  program.command("compare").argument("[spec]", "fleet spec YAML (default: the bundled example)")
    .description("cost versus sovereignty: single cloud, multi-region, your policy and a sweep of operator caps, each solved optimally")
    .addOption(formatOption()).option(...outOption)
    .action(async (specPath: string | undefined, opts: Output) => {
      const catalog = loadCatalog();
      const { spec } = await load(specPath, catalog);
      const comparison = await compareScenarios(spec, catalog);
      const render = { table: comparisonTable, json: (c: typeof comparison) => JSON.stringify(comparisonToJson(c), null, 2), md: comparisonMarkdown, html: comparisonHtml }[opts.format];
      emit(render(comparison), opts.out);
    });

  program.command("outage").argument("[spec]", "fleet spec YAML (default: the bundled example)")
    .description("plan the fleet, then take down an operator, region, jurisdiction or client and show what is left")
    .requiredOption("--fail <what>", "operator=aws | region=us-east-1 | jurisdiction=US | client=geth (repeatable)", (v: string, acc: string[] = []) => [...acc, v])
    .addOption(formatOption().choices(["table", "json", "md"])).option(...outOption)
    .action(async (specPath: string | undefined, opts: Output & { fail: string[] }) => {
      const catalog = loadCatalog();
      const failures = asUsage(() => opts.fail.map(parseFailure));
      const { spec, fleet } = await load(specPath, catalog);
      const plan = await planFleet(fleet, catalog);
      const result = asUsage(() => simulateOutage(plan, spec.policy, failures));
      const text = opts.format === "json" ? JSON.stringify(outageToJson(result, plan), null, 2) : opts.format === "md" ? outageMarkdown(result, plan) : outageTable(result, plan);
      emit(text, opts.out);
      setExit(result.ok ? EXIT.ok : EXIT.violated);
    });

  program.command("validate").argument("[spec]", "fleet spec YAML (default: the bundled example)")
    .description("check a spec against the schema and the catalog and that a plan exists; with --plan, check a saved plan against the spec's policy")
    .option("--plan <file>", "a plan saved with `plan --format json` to check against the policy")
    .action(async (specPath: string | undefined, opts: { plan?: string }) => {
      const catalog = loadCatalog();
      const { fleet, file } = await load(specPath, catalog);
      if (!opts.plan) {
        const plan = await planFleet(fleet, catalog);
        process.stdout.write(`${file}: valid; ${plan.nodes.length} nodes can be placed for $${plan.totals.monthlyUsd.toFixed(2)}/month keeping every rule\n`);
        return;
      }
      const checks = checkSavedPlan(fleet, catalog, readPlanFile(opts.plan));
      for (const c of checks) process.stdout.write(`${c.ok ? "ok    " : "BREACH"} ${c.rule} ${c.scope}: ${c.message}\n`);
      setExit(checks.every((c) => c.ok) ? EXIT.ok : EXIT.violated);
    });

  program.command("catalog").argument("[section]", `one of ${CATALOG_SECTIONS.join(", ")}`, "chains")
    .description("list what the catalog knows: chains, clients, providers and regions, prices (with sources and dates)")
    .addOption(formatOption().choices(["table", "json"]))
    .action((section: string, opts: Output) => {
      if (!CATALOG_SECTIONS.includes(section as CatalogSection)) {
        throw new UsageError([{ path: "catalog", message: `unknown section '${section}'${didYouMean(section, CATALOG_SECTIONS)}; use one of ${CATALOG_SECTIONS.join(", ")}` }]);
      }
      const catalog = loadCatalog();
      emit(opts.format === "json" ? JSON.stringify(catalogJson(catalog, section as CatalogSection), null, 2) : catalogTable(catalog, section as CatalogSection));
    });

  program.command("schema").description("print the JSON Schema of the fleet spec (for editor completion)")
    .action(() => emit(JSON.stringify(fleetJsonSchema(), null, 2)));
}
