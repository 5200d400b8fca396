import { Command } from "commander";
import { loadCatalog } from "../../core/catalog/load";
import { compareScenarios, type Comparison } from "../../core/compare/scenarios";
import { comparisonHtml } from "../../report/html";
import { comparisonToJson } from "../../report/json";
import { comparisonMarkdown } from "../../report/markdown";
import { comparisonTable } from "../../report/table";
import { loadSpec } from "../load";
import {
  deployedFleet,
  deployedOption,
  formatOption,
  outOption,
  specArgument,
  withExamples,
  type OutputOptions,
} from "../options";
import { emit } from "../output";

const RENDER: Record<OutputOptions["format"], (comparison: Comparison) => string> = {
  table: comparisonTable,
  json: (comparison) => JSON.stringify(comparisonToJson(comparison), null, 2),
  md: comparisonMarkdown,
  html: comparisonHtml,
};

export function compareCommand(): Command {
  const command = new Command("compare")
    .addArgument(specArgument())
    .description(
      "cost versus sovereignty: single cloud, multi-region, your policy and a sweep of operator caps, " +
        "each solved optimally",
    )
    .addOption(formatOption())
    .addOption(outOption())
    .addOption(deployedOption())
    .action(async (specPath: string | undefined, opts: OutputOptions & { deployed?: string }) => {
      const catalog = loadCatalog();
      const { spec, file } = loadSpec(specPath, catalog);
      const deployed = deployedFleet(opts.deployed);
      emit(RENDER[opts.format](await compareScenarios(spec, catalog, deployed)), opts.out, [file]);
    });
  return withExamples(command, [
    ["sovereign compare", "what the bundled example's policy costs against cheaper, less diverse fleets"],
    ["sovereign compare fleet.yaml --format html --out compare.html", "a self-contained page with charts"],
    ["sovereign compare fleet.yaml --deployed deployed.json", "each scenario starting from the deployed fleet"],
  ]);
}
