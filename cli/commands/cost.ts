import { basename } from "node:path";
import { Command, Option } from "commander";
import { loadCatalog } from "../../core/catalog/load";
import { readInputFile } from "../../core/input-file";
import { diffEstimates, parseBaseEstimate } from "../../core/costs/diff";
import { estimateStack } from "../../core/costs/resources";
import { readUsageFile } from "../../core/costs/usage";
import { readPulumiDocument } from "../../core/resources";
import { costTable } from "../../report/cost";
import { costHtml } from "../../report/cost-html";
import { costToJson, type CostReport } from "../../report/cost-json";
import { costMarkdown } from "../../report/cost-markdown";
import { asUsage, UsageError } from "../errors";
import { EXIT, formatOption, outOption, withExamples, type OutputOptions, type SetExit } from "../options";
import { emit } from "../output";

const RENDER: Record<OutputOptions["format"], (report: CostReport) => string> = {
  table: costTable,
  json: (report) => JSON.stringify(costToJson(report), null, 2),
  md: costMarkdown,
  html: costHtml,
};

interface CostOptions extends OutputOptions {
  usage?: string;
  compareTo?: string;
  budget?: number;
}

/** A stack of tens of thousands of resources, with room; not a whole disk by mistake. */
const MAX_STACK_BYTES = 256 * 1024 * 1024;

function readJson(file: string, what: string): unknown {
  let text: string;
  try {
    text = readInputFile(file, MAX_STACK_BYTES);
  } catch (e) {
    throw new UsageError(`cannot read ${what} ${file}: ${(e as Error).message}`);
  }
  try {
    // Tools on Windows (PowerShell's Out-File) start the file with a byte-order mark.
    return JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch (e) {
    throw new UsageError(
      `${file}: not JSON (${(e as Error).message}); ${
        what === "the base estimate"
          ? "write it with `sovereign cost <file> --format json`"
          : "write it with `pulumi preview --json` or `pulumi stack export`"
      }`,
    );
  }
}

function budgetOf(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0)
    throw new UsageError([
      { path: "--budget", message: `'${value}' is not a positive number of USD per month, e.g. --budget 2500` },
    ]);
  return n;
}

export function costCommand(setExit: SetExit): Command {
  const command = new Command("cost")
    .argument("<file>", "`pulumi preview --json` output or a `pulumi stack export`")
    .description(
      "monthly cost of every resource of a Pulumi preview or state, priced from the catalog (Infracost-style)",
    )
    .addOption(formatOption())
    .addOption(outOption())
    .addOption(
      new Option("--usage <file>", "usage file (YAML) with monthly_egress_gb per resource or type, as in Infracost"),
    )
    .addOption(new Option("--compare-to <base.json>", "an earlier `--format json` estimate: show what changed"))
    .addOption(new Option("--budget <usd>", "exit 1 when the monthly total is above this").argParser(budgetOf))
    .action((file: string, opts: CostOptions) => {
      const catalog = loadCatalog();
      const stack = asUsage(() => readPulumiDocument(readJson(file, "the preview or state file"), file));
      const usageFile = opts.usage;
      const usage = usageFile ? asUsage(() => readUsageFile(usageFile)) : undefined;
      const estimate = asUsage(() => estimateStack(stack, catalog, { usage }));
      const report: CostReport = { project: basename(file), estimate, budget: opts.budget };
      const baseFile = opts.compareTo;
      if (baseFile) {
        const base = asUsage(() => parseBaseEstimate(readJson(baseFile, "the base estimate"), baseFile));
        report.diff = diffEstimates(base, estimate);
      }
      emit(RENDER[opts.format](report), opts.out);
      if (opts.budget !== undefined && estimate.totalMonthlyCost > opts.budget) setExit(EXIT.violated);
    });
  return withExamples(command, [
    ["pulumi preview --json > preview.json && sovereign cost preview.json", "what the stack will cost per month"],
    [
      "sovereign cost state.json --format json --out base.json",
      "save an estimate of what runs now (`pulumi stack export > state.json`)",
    ],
    ["sovereign cost preview.json --compare-to base.json --format md", "a pull-request comment with the change"],
    [
      "sovereign cost preview.json --usage usage.yml --budget 2500",
      "with egress from a usage file; exit 1 above $2500/month",
    ],
  ]);
}
