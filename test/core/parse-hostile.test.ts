/**
 * Hostile and odd input through parse and resolve (and plan, where the input is valid): each class
 * ends in a SpecError naming the field, never another error, never a hang. These are what the CLI
 * (exit 2) and the Pulumi program (a RunError) see.
 */
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SpecError } from "../../core/errors";
import { MAX_YAML_ALIASES, parseFleetFile, parseFleetYaml, validateFleetObject } from "../../core/fleet-spec/parse";
import { resolveFleet } from "../../core/fleet-spec/resolve";
import { planFleet } from "../../core/planner/plan";
import { catalog } from "./helpers";

const HOSTS = (operator = "hetzner", region = "fsn1") =>
  [
    "  baremetal:",
    "    hosts:",
    `      - { name: h1, address: 203.0.113.1, operator: ${operator}, country: DE, region: "${region}", monthlyUsd: 50, cpu: 32, memoryGb: 128, diskGb: 8000 }`,
    "      - { name: h2, address: 203.0.113.2, operator: other, country: FR, monthlyUsd: 50, cpu: 32, memoryGb: 128, diskGb: 8000 }",
  ].join("\n");

/** A small valid spec: two bitcoin nodes on two bare-metal hosts; `entry` lines go under the chain entry. */
const spec = (o: { chain?: string; entry?: string[]; sites?: string; top?: string } = {}) =>
  [
    "name: hostile",
    "chains:",
    `  - chain: ${o.chain ?? "bitcoin"}`,
    "    count: 2",
    ...(o.entry ?? []).map((l) => `    ${l}`),
    "sites:",
    o.sites ?? HOSTS(),
    o.top ?? "",
  ].join("\n");

function problems(fn: () => unknown): Array<{ path: string; message: string }> {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof SpecError, `expected SpecError, got ${(e as Error).name}: ${(e as Error).message}`);
    return e.problems;
  }
  assert.fail("expected a SpecError");
}

const resolved = (text: string) => resolveFleet(parseFleetYaml(text, "hostile.yaml"), catalog(), "hostile.yaml");
const problemAt = (text: string, path: string, message: RegExp) => {
  const list = problems(() => resolved(text));
  const p = list.find((x) => x.path === path);
  assert.ok(p, `no problem at ${path}: ${JSON.stringify(list)}`);
  assert.match(p.message, message);
  return p;
};

describe("YAML aliases", () => {
  test("a billion-laughs document is refused as too many aliases", () => {
    const levels = ["a: &a [x, x, x, x, x, x, x, x, x]"];
    for (const [prev, name] of [
      ["a", "b"],
      ["b", "c"],
      ["c", "d"],
      ["d", "e"],
    ])
      levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(", ")}]`);
    const [p] = problems(() => parseFleetYaml(levels.join("\n"), "bomb.yaml"));
    assert.match(p.message, new RegExp(`too many aliases.*more than ${MAX_YAML_ALIASES}`));
  });

  test("an alias to no anchor is invalid YAML", () => {
    const [p] = problems(() => parseFleetYaml(spec({ entry: ["role: *nowhere"] }), "x.yaml"));
    assert.match(p.message, /invalid YAML: Unresolved alias/);
  });

  test("a few aliases are fine", () => {
    const text = spec({ top: "x-defaults: &d 1" }).replace("count: 2", "count: 2");
    assert.doesNotThrow(() => parseFleetYaml(text.replace("x-defaults: &d 1", ""), "x.yaml"));
  });
});

describe("names that are JavaScript object keys", () => {
  for (const name of ["constructor", "toString", "hasOwnProperty", "valueOf"]) {
    test(`'${name}' as a chain, network, role, layer or client is unknown, not found on Object.prototype`, () => {
      problemAt(spec({ chain: name }), "chains[0].chain", /unknown chain/);
      problemAt(spec({ entry: [`network: ${name}`] }), "chains[0].network", /has no network/);
      problemAt(spec({ entry: [`role: ${name}`] }), "chains[0].role", /has no role/);
      problemAt(
        spec({ chain: "ethereum", entry: [`clients: { ${name}: [geth] }`] }),
        `chains[0].clients.${name}`,
        /has no client layer/,
      );
      problemAt(
        spec({ chain: "ethereum", entry: [`clients: { execution: [${name}] }`] }),
        "chains[0].clients.execution[0]",
        /is not a execution client/,
      );
    });
  }

  test("'__proto__' as a key is refused by name (zod would drop it without a word)", () => {
    const list = problems(() => resolved(spec({ chain: "ethereum", entry: ["clients: { __proto__: [geth] }"] })));
    assert.deepEqual(
      list.map((p) => p.path),
      ["chains[0].clients.__proto__"],
    );
    assert.match(list[0].message, /__proto__.*rename it/);
    assert.ok(
      problems(() => validateFleetObject(JSON.parse('{"name":"x","__proto__":{"a":1}}'))).some(
        (p) => p.path === "__proto__" && /rename/.test(p.message),
      ),
    );
  });

  test("an operator or region named like an Object.prototype key plans like any other name", async () => {
    for (const [operator, region] of [
      ["constructor", "__proto__"],
      ["tostring", "toString"],
      ["valueof", "hasOwnProperty"],
    ]) {
      const fleet = resolved(spec({ sites: HOSTS(operator, region) }));
      const plan = await planFleet(fleet, catalog());
      assert.equal(plan.policy.satisfied, true);
      assert.deepEqual(plan.totals.byOperator, { [operator]: 50, other: 50 });
      assert.equal(plan.totals.monthlyUsd, 100);
      assert.ok(plan.nodes.some((n) => n.region === region));
    }
  });
});

describe("numbers the solver cannot take", () => {
  const host = (field: string, value: string) =>
    spec({
      sites: HOSTS().replace(
        /monthlyUsd: 50, cpu: 32, memoryGb: 128, diskGb: 8000/,
        `monthlyUsd: 50, cpu: 32, memoryGb: 128, diskGb: 8000, ${field}: ${value}`.replace(
          new RegExp(`${field}: \\d+, `),
          "",
        ),
      ),
    });
  const cases: Array<[string, string, string, RegExp]> = [
    ["count 1e15", spec().replace("count: 2", "count: 1e15"), "chains[0].count", /at most 10,000/],
    ["count .nan", spec().replace("count: 2", "count: .nan"), "chains[0].count", /NaN \(not a finite number\)/],
    ["count .inf", spec().replace("count: 2", "count: .inf"), "chains[0].count", /Infinity \(not a finite number\)/],
    ["count -.inf", spec().replace("count: 2", "count: -.inf"), "chains[0].count", /-Infinity \(not a finite number\)/],
    [
      "host price 1e15",
      host("monthlyUsd", "1e15"),
      "sites.baremetal.hosts[0].monthlyUsd",
      /at most 1,000,000 \$\/month/,
    ],
    ["host memory 1e300", host("memoryGb", "1e300"), "sites.baremetal.hosts[0].memoryGb", /at most 65,536 GB/],
    ["host memory 1e-300", host("memoryGb", "1e-300"), "sites.baremetal.hosts[0].memoryGb", /at least 0.5/],
    ["host disk .nan", host("diskGb", ".nan"), "sites.baremetal.hosts[0].diskGb", /not a finite number/],
    ["host cpu 1e15", host("cpu", "1e15"), "sites.baremetal.hosts[0].cpu", /at most 4,096/],
    ["budget 1e15", spec({ top: "budget: { monthlyUsd: 1e15 }" }), "budget.monthlyUsd", /at most 1,000,000,000/],
    ["budget .inf", spec({ top: "budget: { monthlyUsd: .inf }" }), "budget.monthlyUsd", /not a finite number/],
    [
      "minNodes 1e15",
      spec({ top: "policy: { survive: { operatorLoss: 1, minNodes: 1e15 } }" }),
      "policy.survive.minNodes",
      /at most 10,000/,
    ],
  ];
  for (const [name, text, path, message] of cases) {
    test(name, () => {
      problemAt(text, path, message);
    });
  }
});

describe("error messages quote a short excerpt of the value", () => {
  test("a megabyte chain name, key and client are cut to a few dozen characters", () => {
    const long = "x".repeat(1_000_000);
    for (const text of [
      spec({ chain: long }),
      spec({ entry: [`role: "${long}"`] }),
      spec().replace("count: 2", `count: "${long}"`),
      spec({ chain: "ethereum", entry: [`clients: { execution: [${long}] }`] }),
    ]) {
      const err = (() => {
        try {
          resolved(text);
        } catch (e) {
          return e as Error;
        }
        return undefined;
      })();
      assert.ok(err instanceof SpecError);
      assert.ok(err.message.length < 1000, `message of ${err.message.length} characters`);
    }
    assert.match(
      problemAt(spec().replace("count: 2", `count: "${long}"`), "chains[0].count", /expected number/).message,
      /got string "x{60}… \(1000000 characters\)"/,
    );
    const key = problems(() => parseFleetYaml(spec({ top: `${"k".repeat(1000)}: 1` }), "x.yaml"));
    assert.ok(
      key.every((p) => p.path.length < 100 && p.message.length < 1000),
      JSON.stringify(key).slice(0, 300),
    );
  });

  test("control characters in a value are shown escaped", () => {
    const p = problemAt(spec({ chain: '"bit\\u001b[31mcoin"' }), "chains[0].chain", /unknown chain/);
    assert.ok(!p.message.includes("\u001b"), p.message);
    assert.match(p.message, /\\u001b/);
  });
});

describe("spec files that are not regular files", () => {
  const dir = mkdtempSync(join(tmpdir(), "sovereign-hostile-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const cannotRead = (file: string, why: RegExp) => {
    const [p] = problems(() => parseFleetFile(file));
    assert.match(p.message, /^cannot read the spec: /);
    assert.match(p.message, why);
    assert.doesNotMatch(p.message, /E[A-Z]{3,}|errno|\n\s+at /, "a raw system error");
  };

  test("a FIFO with no writer is refused at once, without blocking", { timeout: 10_000 }, () => {
    const fifo = join(dir, "fifo.yaml");
    execFileSync("mkfifo", [fifo]);
    cannotRead(fifo, /not a regular file \(a named pipe\)/);
  });

  test("a device is refused without reading it", { timeout: 10_000 }, () => {
    cannotRead("/dev/zero", /not a regular file \(a character device\)/);
    cannotRead("/dev/null", /not a regular file/);
  });

  test("a file larger than the limit is refused before reading it", () => {
    const big = join(dir, "big.yaml");
    writeFileSync(big, "");
    truncateSync(big, 64 * 1024 * 1024);
    cannotRead(big, /larger than 16 MB/);
  });

  test("a symlink loop, a too-long path, a directory, a missing file: plain words", () => {
    symlinkSync(join(dir, "b"), join(dir, "a"));
    symlinkSync(join(dir, "a"), join(dir, "b"));
    cannotRead(join(dir, "a"), /too many symbolic links/);
    cannotRead(join(dir, "n".repeat(5000)), /the path is too long/);
    mkdirSync(join(dir, "folder.yaml"));
    cannotRead(join(dir, "folder.yaml"), /it is a directory/);
    cannotRead(join(dir, "missing.yaml"), /no such file/);
  });
});
