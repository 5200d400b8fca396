/**
 * `sovereign cost` on hostile previews and exports through the real CLI: malformed shapes, type
 * names like Object.prototype members, impossible quantities and escape codes each end in exit 2
 * naming the field (or a shown escape), never exit 70, a negative bill or "$∞".
 */
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const CLI = join(__dirname, "..", "..", "bin", "sovereign.js");
interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}
const sovereign = (...args: string[]) =>
  new Promise<Run>((resolve) =>
    execFile(process.execPath, [CLI, ...args], { timeout: 60_000, maxBuffer: 64 << 20 }, (e, stdout, stderr) =>
      resolve({ code: e ? (typeof e.code === "number" ? e.code : null) : 0, stdout, stderr }),
    ),
  );

const dir = mkdtempSync(join(tmpdir(), "sovereign-hostile-cost-"));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const file = (doc: unknown) => {
  const f = join(dir, `doc-${n++}.json`);
  writeFileSync(f, typeof doc === "string" ? doc : JSON.stringify(doc));
  return f;
};

const PROVIDER = "urn:pulumi:dev::hand::pulumi:providers:aws::frankfurt::p-1";
const step = (type: string, name: string, inputs: object, provider?: string) => {
  const urn = `urn:pulumi:dev::hand::${type}::${name}`;
  return { op: "create", urn, provider, newState: { urn, custom: true, type, inputs, provider } };
};
const preview = (...steps: object[]) => ({
  config: {},
  steps: [step("pulumi:providers:aws", "frankfurt", { region: "eu-central-1" }), ...steps],
});
const volume = (size: unknown, name = "chain") =>
  step("aws:ebs/volume:Volume", name, { availabilityZone: "eu-central-1b", type: "gp3", size }, PROVIDER);
const bareMetal = (monthlyUsd: string) =>
  step("command:local:Command", "n1", {
    environment: {
      "sovereign:node": "n1",
      "sovereign:provider": "baremetal",
      "sovereign:chain": "bitcoin",
      "sovereign:operator": "a",
      "sovereign:monthlyUsd": monthlyUsd,
    },
  });

function assertBadInput(r: Run, message: RegExp) {
  assert.equal(r.code, 2, `exit ${r.code}: ${r.stderr}`);
  assert.match(r.stderr, message);
  assert.doesNotMatch(r.stderr, /internal error|^ {4}at /m);
}

describe("cost: malformed previews and exports are bad input (exit 2), naming the field", { concurrency: 4 }, () => {
  for (const [what, doc, message] of [
    ["steps: [null]", { steps: [null] }, /steps\[0\]: .*expected object, received null/],
    ["newState: 5", { steps: [{ op: "create", newState: 5 }] }, /steps\[0\]\.newState: .*received number/],
    ["a missing urn", { steps: [{ op: "create", newState: { type: "x:y:Z" } }] }, /steps\[0\]\.newState\.urn: /],
    ["a numeric type", { steps: [{ op: "create", newState: { urn: "u::n", type: 7 } }] }, /newState\.type: /],
    ["deployment.resources as an object", { deployment: { resources: {} } }, /deployment\.resources: .*expected array/],
    ["deployment.resources as a string", { deployment: { resources: "x" } }, /deployment\.resources: .*expected array/],
  ] as const)
    test(what, async () => assertBadInput(await sovereign("cost", file(doc)), message));
});

describe("cost: user-given names meet own-property lookups", () => {
  test("resource types named constructor, toString, hasOwnProperty are listed as not priced (exit 0)", async () => {
    const doc = preview(step("constructor", "a", {}), step("toString", "b", {}), step("hasOwnProperty", "c", {}));
    const r = await sovereign("cost", file(doc), "--format", "json");
    assert.equal(r.code, 0, r.stderr);
    const unpriced = JSON.parse(r.stdout).projects[0].metadata.unpricedResources;
    const names = unpriced.map((x: { name: string }) => x.name);
    for (const name of ["a", "b", "c"]) assert.ok(names.includes(name), names.join(","));
  });

  test("a preview with a UTF-8 byte-order mark is read", async () => {
    const r = await sovereign("cost", file(`\ufeff${JSON.stringify(preview(volume(100)))}`));
    assert.equal(r.code, 0, r.stderr);
  });
});

describe("cost: money that cannot be is refused by resource and field", { concurrency: 4 }, () => {
  for (const [what, res, message] of [
    ["a negative disk size", volume(-3000), /'chain'\.sizeGb: -3000 is negative/],
    ["a disk size of 1e308", volume(1e308), /'chain'\.sizeGb: 1e\+308 is above 1000000 GB/],
    ["a disk size of 1e400 (Infinity)", volume("1e400"), /'chain'\.sizeGb: Infinity is not a finite number/],
    ["a negative bare-metal price", bareMetal("-500"), /'n1'\.monthlyUsd: -500 is negative/],
    ["a bare-metal price of 1e308", bareMetal("1e308"), /'n1'\.monthlyUsd: 1e\+308 is above/],
  ] as const)
    test(`${what}: exit 2 under --budget, not 0`, async () => {
      assertBadInput(await sovereign("cost", file(preview(res)), "--budget", "10"), message);
    });
});

describe("cost: what reaches a terminal", () => {
  test("escape codes and bidi overrides in a resource name are shown, in table and JSON alike", async () => {
    const doc = file(preview(volume(100, "evil\u001b]0;title\u0007\u202ename")));
    for (const format of ["table", "json", "md"]) {
      const r = await sovereign("cost", doc, "--format", format);
      assert.equal(r.code, 0, r.stderr);
      assert.doesNotMatch(r.stdout, /[\u001b\u0007\u202e]/, format);
      if (format === "json") assert.ok(JSON.stringify(JSON.parse(r.stdout)).includes("evil"));
    }
  });
});
