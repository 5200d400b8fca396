/** `--help` of the program and of every command ends with an `Examples:` section of runnable command lines. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { join } from "node:path";

const CLI = join(__dirname, "..", "..", "bin", "sovereign.js");
const help = (...args: string[]) => execFileSync(process.execPath, [CLI, ...args, "--help"], { encoding: "utf8" });

const COMMANDS = ["plan", "compare", "outage", "validate", "catalog", "schema"];

test("the program lists every command and has examples", () => {
  const text = help();
  for (const c of COMMANDS) assert.match(text, new RegExp(`^  ${c} `, "m"), `${c} is not listed`);
  assert.match(text, /\nExamples:\n/);
});

for (const command of COMMANDS) {
  test(`${command} --help has examples of ${command}`, () => {
    const text = help(command);
    const examples = text.split("\nExamples:\n")[1];
    assert.ok(examples, `no Examples: section in\n${text}`);
    const lines = examples.split("\n").filter((l) => l.startsWith("  $ "));
    assert.ok(lines.length >= 1, examples);
    for (const l of lines) assert.ok(l.startsWith(`  $ sovereign ${command}`), `example of another command: ${l}`);
    // Every example explains itself on the line above.
    assert.equal(examples.split("\n").filter((l) => l.startsWith("  # ")).length, lines.length);
  });
}
