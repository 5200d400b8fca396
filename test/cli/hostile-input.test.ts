/**
 * Hostile input through the real CLI: odd files, alias bombs, prototype names, tampered saved
 * plans and --out targets each end in a plain message and the README's exit code, never 70, a
 * stack trace or a hang (every run has a timeout).
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import { lstatSync, mkdtempSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const ROOT = join(__dirname, "..", "..");
const CLI = join(ROOT, "bin", "sovereign.js");
const EXAMPLE = join(ROOT, "examples", "fleet.yaml");

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
      { cwd: ROOT, timeout: 60_000, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, SOVEREIGN_DEBUG: "" } },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === "number" ? error.code : null) : 0, stdout, stderr }),
    );
  });
}

function assertExit(r: Run, code: number, stderr?: RegExp) {
  assert.equal(r.code, code, `exit ${r.code}; stderr:\n${r.stderr}`);
  if (stderr) assert.match(r.stderr, stderr);
  assert.doesNotMatch(r.stderr, /^ {4}at /m, "stack trace");
  assert.doesNotMatch(r.stderr, /internal error/);
}

const dir = mkdtempSync(join(tmpdir(), "sovereign-hostile-cli-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const write = (name: string, text: string) => {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
};

const SMALL = [
  "name: small",
  "chains:",
  "  - chain: bitcoin",
  "    count: 2",
  "sites:",
  "  baremetal:",
  "    hosts:",
  "      - { name: h1, address: 203.0.113.1, operator: a, country: DE, monthlyUsd: 50, cpu: 32, memoryGb: 128, diskGb: 8000 }",
  "      - { name: h2, address: 203.0.113.2, operator: b, country: FR, monthlyUsd: 50, cpu: 32, memoryGb: 128, diskGb: 8000 }",
].join("\n");

describe("input files", { concurrency: 4 }, () => {
  test("a FIFO as the spec: exit 2 at once (no writer, no hang)", async () => {
    const fifo = join(dir, "spec.fifo");
    execFileSync("mkfifo", [fifo]);
    assertExit(await sovereign("validate", fifo), 2, /cannot read the spec: not a regular file \(a named pipe\)/);
  });

  test("/dev/zero as --plan: exit 2, nothing read", async () => {
    assertExit(
      await sovereign("validate", "--plan", "/dev/zero"),
      2,
      /cannot read the plan: not a regular file \(a character device\)/,
    );
  });

  test("a YAML alias bomb: exit 2, too many aliases", async () => {
    const lines = ["a: &a [x, x, x, x, x, x, x, x, x]"];
    for (const [p, n] of [
      ["a", "b"],
      ["b", "c"],
      ["c", "d"],
      ["d", "e"],
      ["e", "f"],
    ])
      lines.push(`${n}: &${n} [${Array(9).fill(`*${p}`).join(", ")}]`);
    assertExit(await sovereign("plan", write("bomb.yaml", lines.join("\n"))), 2, /too many aliases/);
  });

  test("role: constructor and NaN counts: exit 2 naming the field", async () => {
    // The schema (count) is checked before the catalog (role): two specs.
    assertExit(
      await sovereign("plan", write("proto.yaml", SMALL.replace("count: 2", "count: 2\n    role: constructor"))),
      2,
      /chains\[0\]\.role: bitcoin has no role 'constructor'/,
    );
    assertExit(
      await sovereign("plan", write("nan.yaml", SMALL.replace("count: 2", "count: .nan"))),
      2,
      /chains\[0\]\.count: .*NaN \(not a finite number\)/,
    );
  });
});

describe("saved plans", { concurrency: 4 }, () => {
  let saved: { nodes: Array<Record<string, any>> };
  let spec: string;
  before(async () => {
    spec = write("small.yaml", SMALL);
    const r = await sovereign("plan", spec, "--format", "json");
    assert.equal(r.code, 0, r.stderr);
    saved = JSON.parse(r.stdout);
  });
  const tampered = (name: string, edit: (p: typeof saved) => void) => {
    const p = JSON.parse(JSON.stringify(saved));
    edit(p);
    return write(name, JSON.stringify(p));
  };

  test("a client layer named constructor or toString is a breach, not a crash", async () => {
    for (const layer of ["constructor", "toString"]) {
      const file = tampered(`${layer}.json`, (p) => {
        p.nodes[0].clients = { [layer]: "bitcoind" };
      });
      const r = await sovereign("validate", spec, "--plan", file);
      assertExit(r, 1);
      assert.match(r.stdout, /^BREACH clients /m);
    }
  });

  test("a __proto__ key is refused by name", async () => {
    const file = write("proto.json", JSON.stringify(saved).replace('"clients":{', '"clients":{"__proto__":"x",'));
    assertExit(
      await sovereign("validate", spec, "--plan", file),
      2,
      /nodes\[0\]\.clients\.__proto__: '__proto__' cannot be a key/,
    );
  });

  test("a price of 1e400 (Infinity in JSON) is bad input", async () => {
    const file = write("inf.json", JSON.stringify(saved).replace(/"monthlyUsd":[0-9.]+/, '"monthlyUsd":1e400'));
    assertExit(await sovereign("validate", spec, "--plan", file), 2, /nodes\[0\]\.monthlyUsd: .*not a finite number/);
  });
});

describe("validate and plan agree with the policy checks", () => {
  test("on a budget edge, validate exits 1 exactly when the plan found breaks the policy; plan uses README codes", async () => {
    const edge = write(
      "edge.yaml",
      SMALL.replace("count: 2", "count: 1").replace(/monthlyUsd: 50/g, "monthlyUsd: 150.125") +
        "\nbudget: { monthlyUsd: 150.125 }\n",
    );
    const planned = await sovereign("plan", edge, "--format", "json");
    assert.ok([0, 1].includes(planned.code!), `plan exit ${planned.code}: ${planned.stderr}`);
    const satisfied: boolean = JSON.parse(planned.stdout).policy.satisfied;
    assert.equal(planned.code, satisfied ? 0 : 1);
    const validated = await sovereign("validate", edge);
    assert.equal(validated.code, satisfied ? 0 : 1, validated.stdout + validated.stderr);
    assert.equal(/valid; /.test(validated.stdout), satisfied, validated.stdout);
  });
});

describe("--out", { concurrency: 4 }, () => {
  test("never overwrites the spec it read (also through another name)", async () => {
    const spec = write("own.yaml", SMALL);
    const r = await sovereign("plan", spec, "--out", spec);
    assertExit(r, 2, /cannot write --out .*own\.yaml: it is the file this command read/);
    assert.equal(readFileSync(spec, "utf8"), SMALL);
    const alias = join(dir, "alias-dir");
    symlinkSync(dir, alias);
    assertExit(await sovereign("plan", spec, "--out", join(alias, "own.yaml")), 2, /the file this command read/);
    assert.equal(readFileSync(spec, "utf8"), SMALL);
  });

  test("refuses a symlink, a FIFO and a device instead of replacing them", async () => {
    const target = write("target.txt", "keep");
    const link = join(dir, "link.txt");
    symlinkSync(target, link);
    assertExit(await sovereign("plan", EXAMPLE, "--out", link), 2, /it is a symbolic link/);
    assert.ok(lstatSync(link).isSymbolicLink());
    assert.equal(readlinkSync(link), target);
    assert.equal(readFileSync(target, "utf8"), "keep");
    const fifo = join(dir, "out.fifo");
    execFileSync("mkfifo", [fifo]);
    assertExit(await sovereign("plan", EXAMPLE, "--out", fifo), 2, /not a regular file \(a named pipe\)/);
    assert.ok(lstatSync(fifo).isFIFO());
    assertExit(await sovereign("plan", EXAMPLE, "--out", "/dev/null"), 2, /not a regular file \(a device\)/);
  });

  test("replaces a regular file atomically", async () => {
    const out = write("report.txt", "old");
    const r = await sovereign("plan", EXAMPLE, "--format", "json", "--out", out);
    assertExit(r, 0, /wrote /);
    assert.equal(JSON.parse(readFileSync(out, "utf8")).kind, "plan");
  });
});
