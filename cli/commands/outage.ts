import { Command, Option } from "commander";
import { loadCatalog } from "../../core/catalog/load";
import { parseFailure, simulateOutage } from "../../core/outage/simulate";
import { planChecked } from "../../core/planner/checked";
import { outageToJson } from "../../report/json";
import { outageMarkdown } from "../../report/markdown";
import { outageTable } from "../../report/table";
import { asUsage } from "../errors";
import { loadSpec } from "../load";
import {
  EXIT,
  brokenChecksNote,
  deployedFleet,
  deployedOption,
  formatOption,
  outOption,
  specArgument,
  withExamples,
  type OutputOptions,
  type SetExit,
} from "../options";
import { emit } from "../output";

const failOption = () =>
  new Option(
    "--fail <what>",
    "operator=aws | region=us-east-1 | jurisdiction=US | client=geth | legal=cloudAct (every operator within a legal regime's reach; repeatable)",
  )
    .argParser((v: string, acc: string[] = []) => [...acc, v])
    .makeOptionMandatory();

export function outageCommand(setExit: SetExit): Command {
  const command = new Command("outage")
    .addArgument(specArgument())
    .description(
      "plan the fleet, then take down an operator, region, jurisdiction or client and show what is left: nodes and, with gateways, RPC endpoints per chain",
    )
    .addOption(failOption())
    .addOption(formatOption(["table", "json", "md"]))
    .addOption(outOption())
    .addOption(deployedOption())
    .action(async (specPath: string | undefined, opts: OutputOptions & { fail: string[]; deployed?: string }) => {
      const catalog = loadCatalog();
      const failures = asUsage(() => opts.fail.map(parseFailure));
      const { spec, fleet, file } = loadSpec(specPath, catalog);
      const plan = await planChecked(fleet, catalog, deployedFleet(opts.deployed));
      const result = asUsage(() => simulateOutage(plan, spec.policy, failures, spec.gateways?.minSurviving));
      const text =
        opts.format === "json"
          ? JSON.stringify(outageToJson(result, plan), null, 2)
          : opts.format === "md"
            ? outageMarkdown(result, plan)
            : outageTable(result, plan);
      emit(text, opts.out, [file]);
      process.stderr.write(brokenChecksNote(plan));
      // A fleet that survives the outage but whose plan breaks the policy (a client off the chain) is not fine.
      setExit(result.ok && plan.policy.satisfied ? EXIT.ok : EXIT.violated);
    });
  return withExamples(command, [
    ["sovereign outage --fail operator=aws", "what is left of the bundled example when AWS goes down"],
    ["sovereign outage fleet.yaml --fail region=eu-central-1 --fail client=geth", "two failures at once"],
    ["sovereign outage fleet.yaml --fail jurisdiction=US --format md", "a Markdown report of a legal takedown"],
    ["sovereign outage --fail legal=cloudAct", "every operator within the US CLOUD Act's reach stops serving you"],
    [
      "sovereign outage fleet.yaml --fail operator=ovh --deployed deployed.json",
      "the deployed fleet (pulumi stack output --json)",
    ],
  ]);
}
