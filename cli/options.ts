/** What every command shares: exit codes, the spec argument, --format, --out and the examples block of `--help`. */
import { Argument, Option, type Command } from "commander";
import { DEFAULT_UPGRADE_WINDOW_DAYS } from "../core/catalog/upgrades";
import { NOTHING_DEPLOYED, readDeployedState, type DeployedFleet, type Plan } from "../core/plan";
import { UsageError, asUsage } from "./errors";

/** Exit codes, part of the CLI's contract (README). */
export const EXIT = { ok: 0, violated: 1, badInput: 2, infeasible: 3, sourceUnavailable: 4, internal: 70 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** How a command reports an exit code other than 0 without throwing (a violated policy is not an error). */
export type SetExit = (code: ExitCode) => void;

export type Format = "table" | "json" | "md" | "html";
export interface OutputOptions {
  format: Format;
  out?: string;
}

export const specArgument = () => new Argument("[spec]", "fleet spec YAML (default: the bundled example)");

export const formatOption = (choices: readonly Format[] = ["table", "json", "md", "html"]) =>
  new Option("-f, --format <format>", "output format").choices(choices).default("table");

/** Days ahead in which a network upgrade counts as due for the image readiness check. */
export const upgradeWindowOption = () =>
  new Option("--upgrade-window <days>", "days ahead in which a network upgrade counts as due (image readiness)")
    .argParser(parseWholeDays)
    .default(DEFAULT_UPGRADE_WINDOW_DAYS);

function parseWholeDays(value: string): number {
  const n = Number(value);
  if (!/^\d{1,4}$/.test(value.trim()) || n > 3650) {
    throw new UsageError([
      {
        path: "--upgrade-window",
        message: `must be a whole number of days from 0 to 3650, got '${value.slice(0, 20)}'`,
      },
    ]);
  }
  return n;
}

/** `--deployed FILE`: plan from what is deployed, as `pulumi up` does (the program passes its own stack's outputs). */
export const deployedOption = () =>
  new Option(
    "--deployed <file>",
    "the deployed stack (`pulumi stack output --json` or `pulumi stack export`, saved to a file): its nodes and gateways keep their place, as in `pulumi up`",
  );

/** The deployed fleet of `--deployed`, or nothing deployed; a bad file is bad input (exit 2). */
export function deployedFleet(file: string | undefined): DeployedFleet {
  return file === undefined ? NOTHING_DEPLOYED : asUsage(() => readDeployedState(file));
}

/** What `--deployed` changed, for stderr: how many deployed nodes and gateways keep their place. */
export function stabilityNote(plan: Plan): string | undefined {
  const s = plan.stability;
  if (!s) return undefined;
  const gateways = s.gateways ? `, ${s.gateways.kept} of ${s.gateways.previous} deployed gateways keep their site` : "";
  const moved = s.moved
    ? " (the current spec does not let them all stay: the others move or change clients and resync)"
    : "";
  return `${s.kept} of ${s.previous} deployed nodes keep their site and clients${gateways}${moved}\n`;
}

/**
 * The checks the plan breaks, for stderr of a command whose own answer is about something else
 * (outage, render): a client off the chain is said there as `plan` says it.
 */
export function brokenChecksNote(plan: Plan): string {
  return plan.policy.checks
    .filter((c) => !c.ok)
    .map((c) => `the plan breaks ${c.rule} (${c.scope}): ${c.message}\n`)
    .join("");
}

export const outOption = () => new Option("-o, --out <file>", "write to a file instead of stdout");

/** Adds an `Examples:` section to the command's `--help`. */
export function withExamples(
  command: Command,
  examples: ReadonlyArray<readonly [command: string, what: string]>,
): Command {
  const lines = examples.flatMap(([cmd, what]) => [`  # ${what}`, `  $ ${cmd}`]);
  return command.addHelpText("after", `\nExamples:\n${lines.join("\n")}\n`);
}
