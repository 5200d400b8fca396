/**
 * Hostile fleet specs and saved plans through the real CLI: prototype names, absurd traffic,
 * huge mappings, escape codes in values, checks that must agree with the planner, and messages
 * that must say what is wrong. Each ends in the README's exit code with a message naming the field.
 */
import { after, before, describe, test } from "node:test";
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
  ms: number;
}
const sovereign = (...args: string[]) =>
  new Promise<Run>((resolve) => {
    const start = Date.now();
    execFile(process.execPath, [CLI, ...args], { timeout: 120_000, maxBuffer: 64 << 20 }, (e, stdout, stderr) =>
      resolve({ code: e ? (typeof e.code === "number" ? e.code : null) : 0, stdout, stderr, ms: Date.now() - start }),
    );
  });
function assertExit(r: Run, code: number, stderr?: RegExp) {
  assert.equal(r.code, code, `exit ${r.code}; stderr:\n${r.stderr}`);
  if (stderr) assert.match(r.stderr, stderr);
  assert.doesNotMatch(r.stderr, /internal error|^ {4}at /m);
}

const dir = mkdtempSync(join(tmpdir(), "sovereign-hostile-spec-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const write = (name: string, text: string) => {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
};

const host = (n: number, operator: string, country: string) =>
  `      - { name: h${n}, address: 203.0.113.${n}, operator: ${operator}, country: ${country}, monthlyUsd: 50, cpu: 64, memoryGb: 256, diskGb: 16000 }`;
const SPEC = [
  "name: gw",
  "chains:",
  "  - chain: bitcoin",
  "    count: 2",
  "  - chain: ethereum",
  "    network: hoodi",
  "    count: 2",
  "sites:",
  "  baremetal:",
  "    hosts:",
  host(1, "a", "DE"),
  host(2, "b", "FR"),
  "gateways:",
  "  sites: [baremetal]",
].join("\n");
const withGateways = (lines: string) => `${SPEC}\n${lines}\n`;

describe("spec fields meet own-property lookups and bounds", { concurrency: 4 }, () => {
  test("gateways.size: constructor (and toString) is an unknown size, exit 2", async () => {
    for (const size of ["constructor", "toString"])
      assertExit(
        await sovereign("validate", write(`size-${size}.yaml`, withGateways(`  count: 2\n  size: ${size}`))),
        2,
        new RegExp(`gateways\\.size: unknown gateway size '${size}'`),
      );
  });

  test("an unknown size beside vcpu and memoryGb does not ask for vcpu and memoryGb", async () => {
    const r = await sovereign(
      "validate",
      write("size-custom.yaml", withGateways("  count: 2\n  size: huge\n  vcpu: 2\n  memoryGb: 4")),
    );
    assertExit(r, 2, /gateways\.size: unknown gateway size 'huge'.*with vcpu and memoryGb given, leave size out/);
    assert.doesNotMatch(r.stderr, /give vcpu and memoryGb/);
  });

  test("huge gateways.traffic names the field instead of a solver status", async () => {
    const r = await sovereign(
      "plan",
      write("traffic.yaml", withGateways("  count: 2\n  traffic: { requestsPerSecond: 1e15, responseKb: 1e9 }")),
    );
    assertExit(r, 2, /gateways\.traffic\.requestsPerSecond: .*at most 1,000,000/);
    assert.match(r.stderr, /gateways\.traffic\.responseKb: .*at most 100,000 KB/);
    assert.doesNotMatch(r.stderr, /model status/);
  });

  // How fast (linear, not the quadratic key check it once had) is bench/hostile-input.bench.ts's to measure.
  test("a perChain of 30,000 keys is refused, with a short message", async () => {
    const keys = Array.from({ length: 30_000 }, (_, i) => `    c${i}: 1`).join("\n");
    const r = await sovereign("validate", write("perchain.yaml", withGateways(`  perChain:\n${keys}`)));
    assertExit(r, 2, /gateways\.perChain: at most 1,000 chains/);
    assert.ok(r.stderr.length < 2000, `${r.stderr.length} characters of stderr`);
  });

  test("gateways.sites of 5,000 entries: exit 2, bounded", async () => {
    const sites = Array.from({ length: 5000 }, () => "baremetal").join(", ");
    const r = await sovereign("validate", write("sites.yaml", withGateways(`  count: 2\n  backup: [${sites}]`)));
    assertExit(r, 2, /gateways\.backup: .*at most 1,000 sites/);
  });

  test("a key given twice is still refused, with its line", async () => {
    assertExit(
      await sovereign("validate", write("dup.yaml", withGateways("  count: 2\n  count: 3"))),
      2,
      /dup\.yaml:16: \(top level\): invalid YAML: Map keys must be unique \('count' is given twice\)/,
    );
  });
});

describe("what reaches a terminal", () => {
  test("a line break and escape codes in a value stay on one escaped line", async () => {
    const r = await sovereign(
      "validate",
      write("esc.yaml", SPEC.replace("chain: bitcoin", 'chain: "bit\\ncoin\\u001b[2J\\u202e"') + "\n  count: 2\n"),
    );
    assertExit(r, 2);
    assert.doesNotMatch(r.stderr, /[\u001b\u202e]/);
    const line = r.stderr.split("\n").find((l) => l.includes("chains[0].chain"));
    assert.ok(line && /bit\\u000acoin\\u001b\[2J\\u202e/.test(line), r.stderr);
  });
});

describe("validate --plan agrees with the planner on gateways", () => {
  let spec: string;
  let saved: { gateways: Array<Record<string, any>> };
  before(async () => {
    spec = write("gw.yaml", withGateways("  count: 2"));
    const r = await sovereign("plan", spec, "--format", "json");
    assert.equal(r.code, 0, r.stderr);
    saved = JSON.parse(r.stdout);
    assert.deepEqual(
      saved.gateways.map((g) => g.host),
      ["h1", "h2"],
    );
  });
  const tampered = (name: string, edit: (p: typeof saved) => void) => {
    const p = JSON.parse(JSON.stringify(saved));
    edit(p);
    return write(name, JSON.stringify(p));
  };

  test("two gateways on one bare-metal host: a breach naming the host (port 443)", async () => {
    const file = tampered("same-host.json", (p) => {
      Object.assign(p.gateways[1], { ...p.gateways[0], id: p.gateways[1].id });
    });
    const r = await sovereign("validate", spec, "--plan", file);
    assertExit(r, 1);
    assert.match(
      r.stdout,
      /^BREACH gateways\.sites baremetal\/h1: .* all run on host h1, but a host runs one gateway/m,
    );
  });

  test("the order of a gateway's chains does not matter", async () => {
    const file = tampered("reversed.json", (p) => p.gateways.forEach((g) => g.chains.reverse()));
    assertExit(await sovereign("validate", spec, "--plan", file), 0);
  });

  test("render --node <gateway> says it is a gateway", async () => {
    assertExit(
      await sovereign("render", spec, "--node", saved.gateways[0].id),
      2,
      /--node: 'gateway-h1-1' is a gateway .*not a node/,
    );
  });
});
