import { Command, CommanderError } from "commander";
import { CatalogError } from "../core/catalog/load";
import { InfeasibleError, SavedPlanError, SourceError, SpecError, terminalLines } from "../core/errors";
import { commands } from "./commands";
import { UsageError } from "./errors";
import { EXIT, withExamples } from "./options";

async function main(argv: string[]): Promise<number> {
  const program = new Command("sovereign")
    .description(
      "Plan blockchain node fleets across clouds, Akash and bare metal under a diversity policy, at least cost.",
    )
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- package.json sits outside the compiled sources
    .version(require("../package.json").version)
    .exitOverride()
    .configureOutput({ writeErr: say })
    .showHelpAfterError("(add --help for usage)");
  withExamples(program, [
    ["sovereign plan examples/fleet.yaml", "the cheapest placement that keeps the spec's policy"],
    ["sovereign compare examples/fleet.yaml", "what the policy costs against less diverse fleets"],
    ["sovereign outage examples/fleet.yaml --fail operator=aws", "what is left when one operator goes down"],
    ["sovereign plan --help", "every command has its own options and examples"],
  ]);
  let code: number = EXIT.ok;
  // Subcommands made with `new Command` inherit --help handling and output only when told to.
  for (const command of commands((c) => {
    code = c;
  }))
    program.addCommand(command.copyInheritedSettings(program));
  try {
    await program.parseAsync(argv);
    return code;
  } catch (e) {
    return reportError(e);
  }
}

/** Every message to stderr: escape codes and bidi characters from a value are shown, never acted on. */
function say(text: string) {
  process.stderr.write(terminalLines(text));
}

function reportError(e: unknown): number {
  if (e instanceof CommanderError) {
    // --help and --version end here too, with code 0.
    return e.exitCode === 0 ? EXIT.ok : EXIT.badInput;
  }
  if (e instanceof UsageError) {
    const lines = e.message.split("\n");
    say(
      e.options.header
        ? `error: ${e.options.header}:\n${lines.map((l) => `  ${l}`).join("\n")}\n`
        : lines.map((l) => `error: ${l}\n`).join(""),
    );
    return EXIT.badInput;
  }
  if (e instanceof SavedPlanError) {
    say(
      `error: the saved plan is not valid:\n${e.message
        .split("\n")
        .map((l) => `  ${l}`)
        .join("\n")}\n`,
    );
    return EXIT.badInput;
  }
  if (e instanceof SpecError) {
    say(
      `error: the fleet spec is not valid:\n${e.message
        .split("\n")
        .map((l) => `  ${l}`)
        .join("\n")}\n`,
    );
    return EXIT.badInput;
  }
  if (e instanceof InfeasibleError) {
    say(`error: ${e.message}\n`);
    return EXIT.infeasible;
  }
  if (e instanceof SourceError) {
    process.stderr.write(`error: ${e.message}\n`);
    return EXIT.sourceUnavailable;
  }
  if (e instanceof CatalogError) {
    say(`error: ${e.message}\n`);
    return EXIT.internal;
  }
  say(`internal error: ${e instanceof Error ? e.message : String(e)}\n`);
  if (process.env.SOVEREIGN_DEBUG && e instanceof Error) say(`${e.stack}\n`);
  return EXIT.internal;
}

main(process.argv).then((code) => {
  process.exitCode = code;
});
