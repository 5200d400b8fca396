import { Command, Option } from "commander";
import { loadCatalog } from "../../core/catalog/load";
import { readinessChecks } from "../../core/catalog/readiness";
import type { PolicyCheck } from "../../core/diversity";
import { checkSavedPlan, readSavedPlan } from "../../core/plan";
import { planChecked } from "../../core/planner/checked";
import { checkResult } from "../../report/format";
import { loadSpec } from "../load";
import {
  EXIT,
  deployedFleet,
  deployedOption,
  specArgument,
  stabilityNote,
  upgradeWindowOption,
  withExamples,
  type SetExit,
} from "../options";

function printChecks(checks: readonly PolicyCheck[]) {
  for (const c of checks) process.stdout.write(`${checkResult(c).padEnd(6)} ${c.rule} ${c.scope}: ${c.message}\n`);
}

export function validateCommand(setExit: SetExit): Command {
  const command = new Command("validate")
    .addArgument(specArgument())
    .description(
      "check a spec against the schema and the catalog and that a plan exists; " +
        "with --plan, check a saved plan against the spec's policy",
    )
    .addOption(new Option("--plan <file>", "a plan saved with `plan --format json` to check against the policy"))
    .addOption(upgradeWindowOption())
    .addOption(deployedOption())
    .action(async (specPath: string | undefined, opts: { plan?: string; upgradeWindow: number; deployed?: string }) => {
      const catalog = loadCatalog();
      const { fleet, file } = loadSpec(specPath, catalog);
      const readiness = { now: new Date(), windowDays: opts.upgradeWindow };
      if (!opts.plan) {
        const plan = await planChecked(fleet, catalog, deployedFleet(opts.deployed), readiness);
        process.stderr.write(stabilityNote(plan) ?? "");
        if (plan.policy.satisfied) {
          const gateways = plan.gateways.length ? ` and ${plan.gateways.length} gateways` : "";
          process.stdout.write(
            `${file}: valid; ${plan.nodes.length} nodes${gateways} can be placed for ` +
              `$${plan.totals.monthlyUsd.toFixed(2)}/month keeping every rule\n`,
          );
          // Passing is not the same as fine: an upgrade due soon or a check without data is still said.
          printChecks(plan.policy.checks.filter((c) => c.status));
          return;
        }
        // The checks are the judge: a plan that breaks one is never reported as valid.
        process.stdout.write(`${file}: the plan found breaks the policy\n`);
        printChecks(plan.policy.checks.filter((c) => !c.ok));
        setExit(EXIT.violated);
        return;
      }
      const saved = readSavedPlan(opts.plan, catalog);
      const checks = [...checkSavedPlan(fleet, catalog, saved), ...readinessChecks(catalog, saved.nodes, readiness)];
      printChecks(checks);
      setExit(checks.every((c) => c.ok) ? EXIT.ok : EXIT.violated);
    });
  return withExamples(command, [
    ["sovereign validate fleet.yaml", "the spec is valid and a plan keeping every rule exists"],
    ["sovereign validate fleet.yaml --plan plan.json", "a saved (or hand-edited) plan still keeps the policy"],
    ["sovereign validate fleet.yaml --deployed deployed.json", "the changed spec can be applied to the deployed fleet"],
  ]);
}
