/**
 * The bad-input corpus through the real CLI: every file in test/fixtures/bad-specs/ must make
 * `validate` and `plan` exit 2, name the field (the `# expect:` line) on stderr, print no stack
 * trace and nothing on stdout. Controls check the harness can tell success and infeasibility apart.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";

const ROOT = join(__dirname, "..", "..");
const CLI = join(ROOT, "bin", "sovereign.js");
const FIXTURES = join(ROOT, "test", "fixtures");
const BAD = join(FIXTURES, "bad-specs");

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function sovereign(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { cwd: ROOT, timeout: 60_000, env: { ...process.env, SOVEREIGN_DEBUG: "" } },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : null) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const STACK_LINE = /^ {4}at /m;

const files = readdirSync(BAD)
  .filter((f) => f.endsWith(".yaml"))
  .sort();

test("the corpus has at least 30 files, each with an `# expect:` first line", () => {
  assert.ok(files.length >= 30, `only ${files.length} bad specs`);
  for (const f of files) assert.match(readFileSync(join(BAD, f), "utf8"), /^# expect: \S.*\n/, f);
});

describe("every bad spec is refused with exit 2, naming the field", { concurrency: 4 }, () => {
  for (const f of files) {
    const expect = /^# expect: (.*)$/m.exec(readFileSync(join(BAD, f), "utf8"))![1].trim();
    const file = relative(ROOT, join(BAD, f));
    for (const command of ["validate", "plan"]) {
      test(`${command} ${f}`, async () => {
        const r = await sovereign(command, file);
        assert.equal(r.code, 2, `exit ${r.code}; stderr:\n${r.stderr}`);
        assert.ok(r.stderr.includes(expect), `stderr does not name '${expect}':\n${r.stderr}`);
        assert.ok(r.stderr.includes(file), `stderr does not name the file:\n${r.stderr}`);
        assert.doesNotMatch(r.stderr, STACK_LINE, "stack trace on stderr");
        assert.doesNotMatch(r.stderr, /internal error/);
        assert.equal(r.stdout, "", "nothing on stdout");
      });
    }
  }
});

describe("controls", { concurrency: 3 }, () => {
  test("the spec the corpus breaks is itself valid (exit 0, result on stdout)", async () => {
    const r = await sovereign("validate", "test/fixtures/good-spec.yaml");
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /valid; 5 nodes can be placed/);
  });

  test("the issue's verbatim fleet is well-formed but infeasible: exit 3 with reasons, no stack", async () => {
    const r = await sovereign("validate", "test/fixtures/issue-fleet.yaml");
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /no plan keeps every rule/);
    assert.match(r.stderr, /maxNodes caps \(host fra-1: 1\)/);
    assert.doesNotMatch(r.stderr, STACK_LINE);
    assert.equal(r.stdout, "");
  });

  test("a missing file and an unknown format are bad input too", async () => {
    const missing = await sovereign("validate", "test/fixtures/no-such-spec.yaml");
    assert.equal(missing.code, 2, missing.stderr);
    assert.match(missing.stderr, /no-such-spec\.yaml/);
    assert.doesNotMatch(missing.stderr, STACK_LINE);
    const format = await sovereign("plan", "test/fixtures/good-spec.yaml", "--format", "pdf");
    assert.equal(format.code, 2, format.stderr);
    assert.equal(format.stdout, "");
  });

  test("plan --format json of a bad spec still prints nothing on stdout", async () => {
    const r = await sovereign("plan", "test/fixtures/bad-specs/typo-policy.yaml", "--format", "json");
    assert.equal(r.code, 2);
    assert.equal(r.stdout, "");
    assert.match(r.stderr, /did you mean 'policy'/);
  });
});
