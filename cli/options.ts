/** What every command shares: exit codes, the spec argument, --format, --out and the examples block of `--help`. */
import { Argument, Option, type Command } from "commander";

/** Exit codes, part of the CLI's contract (README). */
export const EXIT = { ok: 0, violated: 1, badInput: 2, infeasible: 3, internal: 70 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** How a command reports an exit code other than 0 without throwing (a violated policy is not an error). */
export type SetExit = (code: ExitCode) => void;

export type Format = "table" | "json" | "md" | "html";
export interface OutputOptions { format: Format; out?: string }

export const specArgument = () => new Argument("[spec]", "fleet spec YAML (default: the bundled example)");

export const formatOption = (choices: readonly Format[] = ["table", "json", "md", "html"]) =>
  new Option("-f, --format <format>", "output format").choices(choices).default("table");

export const outOption = () => new Option("-o, --out <file>", "write to a file instead of stdout");

/** Adds an `Examples:` section to the command's `--help`. */
export function withExamples(command: Command, examples: ReadonlyArray<readonly [command: string, what: string]>): Command {
  const lines = examples.flatMap(([cmd, what]) => [`  # ${what}`, `  $ ${cmd}`]);
  return command.addHelpText("after", `\nExamples:\n${lines.join("\n")}\n`);
}
