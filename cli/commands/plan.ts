import { Command } from "commander";
import { loadCatalog } from "../../core/catalog/load";
import { planToJson, type Plan } from "../../core/plan";
import { planChecked } from "../../core/planner/checked";
import { planHtml } from "../../report/html";
import { planMarkdown } from "../../report/markdown";
import { planTable } from "../../report/table";
import { loadSpec } from "../load";
import {
  EXIT,
  deployedFleet,
  deployedOption,
  formatOption,
  outOption,
  specArgument,
  stabilityNote,
  upgradeWindowOption,
  withExamples,
  type OutputOptions,
  type SetExit,
} from "../options";
import { emit } from "../output";

const RENDER: Record<OutputOptions["format"], (plan: Plan) => string> = {
  table: planTable,
  json: (plan) => JSON.stringify(planToJson(plan), null, 2),
  md: planMarkdown,
  html: planHtml,
};

export function planCommand(setExit: SetExit): Command {
  const command = new Command("plan")
    .addArgument(specArgument())
    .description("place every node at least monthly cost while keeping every rule of the policy")
    .addOption(formatOption())
    .addOption(outOption())
    .addOption(upgradeWindowOption())
    .addOption(deployedOption())
    .action(
      async (specPath: string | undefined, opts: OutputOptions & { upgradeWindow: number; deployed?: string }) => {
        const catalog = loadCatalog();
        const { fleet, file } = loadSpec(specPath, catalog);
        const plan = await planChecked(fleet, catalog, deployedFleet(opts.deployed), {
          now: new Date(),
          windowDays: opts.upgradeWindow,
        });
        emit(RENDER[opts.format](plan), opts.out, [file]);
        const note = stabilityNote(plan);
        if (note) process.stderr.write(note);
        setExit(plan.policy.satisfied ? EXIT.ok : EXIT.violated);
      },
    );
  return withExamples(command, [
    ["sovereign plan", "plan the bundled example fleet and print a table"],
    ["sovereign plan fleet.yaml --format json --out plan.json", "save a plan to check later with `validate --plan`"],
    ["sovereign plan fleet.yaml --format md >> $GITHUB_STEP_SUMMARY", "a Markdown report for a pull request"],
    [
      "sovereign plan fleet.yaml --deployed deployed.json",
      "what `pulumi up` will do to the deployed fleet (deployed.json: `pulumi stack output --json`)",
    ],
  ]);
}
