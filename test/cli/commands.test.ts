/**
 * The commands through the real CLI (`node bin/sovereign.js`), on the bundled example: compare and
 * outage against numbers computed here from `plan --format json`, `validate --plan` on saved and
 * tampered plans, the other formats, --out, byte-identical JSON, and docs/json-output.md against
 * the real output. Exit codes: 0 ok, 1 policy violated, 2 bad input, 3 infeasible.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { planWarnings, type Plan } from "../../core/plan";

const ROOT = join(__dirname, "..", "..");
const CLI = join(ROOT, "bin", "sovereign.js");
const EXAMPLE = parse(readFileSync(join(ROOT, "examples", "fleet.yaml"), "utf8"));
const MIN_NODES: number = EXAMPLE.policy.survive.minNodes;
const OPERATOR_CAP: number = EXAMPLE.policy.maxShare.operator;
const BUDGET: number = EXAMPLE.budget.monthlyUsd;
const STACK_LINE = /^ {4}at /m;

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
      { cwd: ROOT, timeout: 120_000, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, SOVEREIGN_DEBUG: "" } },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : null) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** Bad input: exit 2, a message on stderr, nothing on stdout, no stack, never blamed on the spec. */
function assertBadInput(r: Run, what: RegExp) {
  assert.equal(r.code, 2, `exit ${r.code}; stderr:\n${r.stderr}`);
  assert.match(r.stderr, what);
  assert.equal(r.stdout, "", "nothing on stdout");
  assert.doesNotMatch(r.stderr, STACK_LINE, "stack trace on stderr");
  assert.doesNotMatch(r.stderr, /internal error/);
  assert.doesNotMatch(r.stderr, /fleet spec/, "the spec is fine; the message must not blame it");
}

interface PlanNode {
  id: string;
  chain: string;
  network: string;
  role: string;
  provider: string;
  operator: string;
  region: string;
  host?: string;
  jurisdiction: string;
  cloudAct: boolean;
  legal?: string[];
  clients: Record<string, string>;
  monthlyUsd: number;
  storage: Record<string, unknown>;
}
interface PlanJson {
  nodes: PlanNode[];
  gateways: Array<{ id: string; provider: string; monthlyUsd: number }>;
  totals: Record<string, unknown> & { monthlyUsd: number };
  hosts: Array<Record<string, unknown>>;
  warnings: string[];
  [k: string]: unknown;
}

const dir = mkdtempSync(join(tmpdir(), "sovereign-cli-"));
let planText: string;
let plan: PlanJson;
const chainKey = (n: PlanNode) => `${n.chain}/${n.network}`;
const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x));

before(async () => {
  const r = await sovereign("plan", "--format", "json");
  assert.equal(r.code, 0, r.stderr);
  planText = r.stdout;
  plan = JSON.parse(planText);
  assert.ok(plan.nodes.length > 0);
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** Writes a (tampered) plan and runs `validate --plan` on it. */
async function validatePlan(name: string, p: unknown): Promise<Run> {
  const file = join(dir, `${name}.json`);
  writeFileSync(file, typeof p === "string" ? p : JSON.stringify(p, null, 2));
  return sovereign("validate", "--plan", file);
}

describe("plan --format json warnings", () => {
  test("Akash nodes in the plan bring the lease-data warning; a plan without them has none; no gateway is on Akash", () => {
    const akash = plan.nodes.filter((n) => n.provider === "akash").length;
    assert.ok(akash > 0, "the bundled example places nodes on Akash");
    assert.deepEqual(
      plan.gateways.filter((g) => g.provider === "akash").map((g) => g.id),
      [],
      "a lease cannot reach the overlay: gateways never go on Akash",
    );
    assert.equal(plan.warnings.length, 1);
    assert.match(plan.warnings[0], /persistent data is lost when a lease closes/);
    const withoutAkash = { ...plan, nodes: plan.nodes.filter((n) => n.provider !== "akash") };
    assert.deepEqual(planWarnings(withoutAkash as unknown as Plan), []);
  });
});

const breaches = (stdout: string) => stdout.split("\n").filter((l) => l.startsWith("BREACH"));

describe("compare --format json", () => {
  let scenarios: Array<Record<string, unknown>>;
  before(async () => {
    const r = await sovereign("compare", "--format", "json");
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.kind, "comparison");
    scenarios = doc.scenarios;
  });

  test("every scenario has its fields; infeasible rows have a reason and null numbers", () => {
    assert.ok(scenarios.length >= 4, `only ${scenarios.length} scenarios`);
    const numbers = ["monthlyUsd", "maxOperatorShare", "worstCaseSurvivingShare", "cloudActShare"];
    for (const s of scenarios) {
      assert.equal(typeof s.name, "string", JSON.stringify(s));
      assert.equal(typeof s.feasible, "boolean", `${s.name}: feasible`);
      for (const k of numbers) assert.ok(k in s, `${s.name}: no ${k}`);
      if (s.feasible) {
        for (const k of numbers) assert.equal(typeof s[k], "number", `${s.name}: ${k} = ${s[k]}`);
        assert.ok((s.monthlyUsd as number) > 0, `${s.name}: monthlyUsd`);
        for (const k of numbers.slice(1))
          assert.ok((s[k] as number) >= 0 && (s[k] as number) <= 1, `${s.name}: ${k} = ${s[k]} is not a share`);
        assert.equal(s.reason, undefined, `${s.name}: a feasible row has no reason`);
      } else {
        assert.equal(typeof s.reason, "string", `${s.name}: an infeasible row says why`);
        assert.ok((s.reason as string).length > 10);
        for (const k of numbers) assert.equal(s[k], null, `${s.name}: ${k} must be null when infeasible`);
      }
    }
    assert.ok(
      scenarios.some((s) => s.feasible),
      "no feasible scenario",
    );
  });

  test("the 'your policy' row costs what `plan` costs", () => {
    const mine = scenarios.find((s) => s.name === "your policy");
    assert.ok(mine, `no 'your policy' row in ${scenarios.map((s) => s.name).join(", ")}`);
    assert.equal(mine.feasible, true);
    assert.equal(mine.monthlyUsd, plan.totals.monthlyUsd);
  });
});

describe("outage", () => {
  /** Survivors per chain, computed here from the plan's nodes. */
  function expected(hit: (n: PlanNode) => boolean) {
    const chains = new Map<string, { total: number; left: number }>();
    for (const n of plan.nodes) {
      const c = chains.get(chainKey(n)) ?? { total: 0, left: 0 };
      c.total++;
      if (!hit(n)) c.left++;
      chains.set(chainKey(n), c);
    }
    return chains;
  }
  /** `│ chain │ nodes │ left │ required │ result │` rows of the printed table. */
  function printedChains(stdout: string) {
    const rows = new Map<string, { total: number; left: number; required: number; result: string }>();
    for (const line of stdout.split("\n")) {
      const cells = line
        .split("│")
        .map((c) => c.trim())
        .filter(Boolean);
      if (cells.length === 5 && /\//.test(cells[0]) && /^\d+$/.test(cells[1])) {
        rows.set(cells[0], {
          total: Number(cells[1]),
          left: Number(cells[2]),
          required: Number(cells[3]),
          result: cells[4],
        });
      }
    }
    return rows;
  }
  function assertConsistent(r: Run, hit: (n: PlanNode) => boolean) {
    const want = expected(hit);
    const printed = printedChains(r.stdout);
    assert.deepEqual([...printed.keys()].sort(), [...want.keys()].sort(), r.stdout);
    for (const [chain, w] of want) {
      const p = printed.get(chain)!;
      assert.equal(p.total, w.total, `${chain} nodes`);
      assert.equal(p.left, w.left, `${chain} left`);
      assert.equal(p.required, MIN_NODES, `${chain} required`);
      assert.equal(p.result, w.left >= MIN_NODES ? "ok" : "BREACH", `${chain} result`);
    }
    const down = plan.nodes.filter(hit).map((n) => n.id);
    assert.match(r.stdout, new RegExp(`: ${down.length} of ${plan.nodes.length} nodes down`));
    for (const id of down) assert.ok(r.stdout.includes(id), `${id} is not listed as down`);
    const breach = [...want.values()].some((w) => w.left < MIN_NODES);
    assert.equal(r.code, breach ? 1 : 0, `exit ${r.code}, expected ${breach ? 1 : 0}:\n${r.stdout}${r.stderr}`);
  }

  test("--fail operator=aws: the survivors the plan's nodes give, exit code to match", async () => {
    assert.ok(
      plan.nodes.some((n) => n.operator === "aws"),
      "the example plan has no aws node",
    );
    const r = await sovereign("outage", "--fail", "operator=aws");
    assertConsistent(r, (n) => n.operator === "aws");
  });

  test("losing every operator of a chain breaches: exit 1", async () => {
    const chain = chainKey(plan.nodes[plan.nodes.length - 1]);
    const operators = [...new Set(plan.nodes.filter((n) => chainKey(n) === chain).map((n) => n.operator))];
    const r = await sovereign("outage", ...operators.flatMap((o) => ["--fail", `operator=${o}`]));
    assertConsistent(r, (n) => operators.includes(n.operator));
    assert.equal(r.code, 1);
    assert.match(r.stdout, /BREACH/);
  });

  test("two dimensions at once (region and client) also match the plan", async () => {
    const region = plan.nodes[0].region;
    const client = Object.values(plan.nodes[plan.nodes.length - 1].clients)[0];
    const r = await sovereign("outage", "--fail", `region=${region}`, "--fail", `client=${client}`);
    assertConsistent(r, (n) => n.region === region || Object.values(n.clients).includes(client));
  });

  describe("bad --fail forms exit 2", { concurrency: 3 }, () => {
    test("a value under the wrong dimension (region=aws) names the dimension it belongs to", async () => {
      const r = await sovereign("outage", "--fail", "region=aws");
      assertBadInput(r, /--fail/);
      assert.match(r.stderr, /no node of the plan has region 'aws'/);
      assert.match(r.stderr, /operator=aws/, "did-you-mean the right dimension");
      for (const region of new Set(plan.nodes.map((n) => n.region)))
        assert.ok(r.stderr.includes(region), `the plan's region ${region} is not listed`);
    });

    test("a typo gets a did-you-mean and the plan's values", async () => {
      const r = await sovereign("outage", "--fail", "operator=aws2");
      assertBadInput(r, /no node of the plan has operator 'aws2'/);
      assert.match(r.stderr, /did you mean 'aws'/);
      for (const op of new Set(plan.nodes.map((n) => n.operator)))
        assert.ok(r.stderr.includes(op), `operator ${op} is not listed`);
    });

    for (const bad of ["operator=aws=x", "operator==aws", "bogus=aws", "operator=", "aws", "=aws"]) {
      test(`--fail ${bad}`, async () => {
        assertBadInput(await sovereign("outage", "--fail", bad), /--fail/);
      });
    }
  });
});

describe("validate --plan", { concurrency: 3 }, () => {
  test("the plan as saved keeps every rule: exit 0, no BREACH", async () => {
    const r = await validatePlan("good", planText);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.deepEqual(breaches(r.stdout), []);
    for (const rule of ["maxShare.operator", "budget.monthlyUsd", "sites", "clients", "count"])
      assert.match(r.stdout, new RegExp(`^ok +${rule.replace(".", "\\.")} `, "m"), rule);
  });

  test("an operator changed so the operator cap breaks: exit 1", async () => {
    const p = clone(plan);
    const allowed = (total: number) => Math.floor(OPERATOR_CAP * total + 1e-9);
    // The chain's busiest operator gets one more node than the cap allows.
    const chain = chainKey(p.nodes[0]);
    const nodes = p.nodes.filter((n) => chainKey(n) === chain);
    const counts = new Map<string, number>();
    for (const n of nodes) counts.set(n.operator, (counts.get(n.operator) ?? 0) + 1);
    const [top] = [...counts].sort((a, b) => b[1] - a[1])[0];
    const others = nodes.filter((n) => n.operator !== top);
    const need = allowed(nodes.length) + 1 - counts.get(top)!;
    assert.ok(need >= 1 && need <= others.length);
    for (const n of others.slice(0, need)) n.operator = top;
    const r = await validatePlan("operator", p);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.ok(
      breaches(r.stdout).some((l) => l.startsWith(`BREACH maxShare.operator ${chain}:`)),
      r.stdout,
    );
  });

  test("an operator made up in the plan file (aws2) is a breach", async () => {
    const p = clone(plan);
    p.nodes[0].operator = "aws2";
    const r = await validatePlan("aws2", p);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.ok(
      breaches(r.stdout).some((l) => l.includes(p.nodes[0].id) && l.includes("aws2")),
      r.stdout,
    );
  });

  /** The example spec with its budget set to `usd`. */
  const specWithBudget = (usd: number) => {
    const file = join(dir, `budget-${usd}.yaml`);
    writeFileSync(
      file,
      readFileSync(join(ROOT, "examples", "fleet.yaml"), "utf8").replace(
        /budget:\n {2}monthlyUsd: \d+/,
        `budget:\n  monthlyUsd: ${usd}`,
      ),
    );
    return file;
  };

  test("over the budget: exit 1, priced from the catalog and the spec", async () => {
    const file = join(dir, "as-saved.json");
    writeFileSync(file, planText);
    const r = await sovereign("validate", specWithBudget(plan.totals.monthlyUsd - 1), "--plan", file);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.deepEqual(
      breaches(r.stdout).map((l) => l.split(":")[0]),
      ["BREACH budget.monthlyUsd fleet"],
      r.stdout,
    );
    assert.ok(r.stdout.includes(`$${plan.totals.monthlyUsd.toFixed(2)}/month`), r.stdout);
  });

  test("prices written in the file do not count: every price 0 still breaks a budget below the real cost", async () => {
    const p = clone(plan);
    // Nodes and gateways: the example has an access layer.
    for (const n of [...p.nodes, ...p.gateways]) n.monthlyUsd = 0;
    const file = join(dir, "free.json");
    writeFileSync(file, JSON.stringify(p));
    const r = await sovereign("validate", specWithBudget(plan.totals.monthlyUsd - 1), "--plan", file);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /^BREACH budget\.monthlyUsd fleet: .* \(the file says \$0\.00\)/m);
    // And the other way: inflated prices do not fail a plan that fits the budget.
    for (const n of [...p.nodes, ...p.gateways]) n.monthlyUsd = BUDGET;
    const rich = await validatePlan("inflated", p);
    assert.equal(rich.code, 0, rich.stdout + rich.stderr);
  });

  test("a node moved to a region the spec does not allow: exit 1", async () => {
    const p = clone(plan);
    const node = p.nodes.find((n) => n.provider === "aws")!;
    assert.ok(!EXAMPLE.sites.aws.regions.includes("ap-south-1"));
    node.region = "ap-south-1";
    const r = await validatePlan("region", p);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.ok(
      breaches(r.stdout).some((l) => l.startsWith(`BREACH sites ${node.id}:`) && l.includes("ap-south-1")),
      r.stdout,
    );
  });

  test("an Akash node whose legal reach the plan understates, and a CLOUD Act cap it then breaks: exit 1", async () => {
    const p = clone(plan);
    const akash = p.nodes.find((n) => n.provider === "akash")!;
    assert.deepEqual([akash.cloudAct, akash.legal], [true, ["cloudAct", "prcIntelligence"]]);
    akash.legal = ["prcIntelligence"];
    const r = await validatePlan("legal", p);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.ok(
      breaches(r.stdout).some(
        (l) =>
          l.startsWith(`BREACH sites ${akash.id}:`) &&
          l.includes("legal [prcIntelligence] (the site's is [cloudAct, prcIntelligence])"),
      ),
      r.stdout,
    );
    // A third Ethereum node within reach breaks maxShare.legal.cloudAct (2 of 6 allowed).
    const q = clone(plan);
    const outside = q.nodes.find((n) => n.chain === "ethereum" && !n.cloudAct)!;
    Object.assign(outside, {
      provider: "aws",
      operator: "aws",
      region: "eu-central-1",
      jurisdiction: "US",
      cloudAct: true,
      legal: ["cloudAct"],
    });
    delete outside.host;
    const s = await validatePlan("legal-cap", q);
    assert.equal(s.code, 1, s.stdout + s.stderr);
    assert.ok(
      breaches(s.stdout).some(
        (l) => l.startsWith("BREACH maxShare.legal.cloudAct ethereum/mainnet:") && l.includes("3 of 6"),
      ),
      s.stdout,
    );
  });

  test("a client the chain entry does not allow: exit 1", async () => {
    const p = clone(plan);
    const node = p.nodes.find((n) => n.chain === "ethereum")!;
    assert.ok(!EXAMPLE.chains[0].clients.execution.includes("erigon"));
    node.clients.execution = "erigon";
    const r = await validatePlan("client", p);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.ok(
      breaches(r.stdout).some((l) => l.startsWith(`BREACH clients ${node.id}:`) && l.includes("erigon")),
      r.stdout,
    );
  });

  test("wrong field types exit 2 naming nodes[i].field", async () => {
    const p = clone(plan) as unknown as { nodes: Array<Record<string, unknown>> };
    p.nodes[0].clients = null;
    p.nodes[1].monthlyUsd = "3";
    p.nodes[2].operator = 7;
    delete p.nodes[3].region;
    const r = await validatePlan("types", p);
    assertBadInput(r, /nodes\[0\]\.clients/);
    for (const field of ["nodes\\[1\\]\\.monthlyUsd", "nodes\\[2\\]\\.operator", "nodes\\[3\\]\\.region: missing"])
      assert.match(r.stderr, new RegExp(field));
  });

  test("not a plan, or no file: exit 2", async () => {
    assertBadInput(await validatePlan("not-json", "{ nope"), /--plan/);
    assertBadInput(
      await validatePlan("not-plan", { schemaVersion: 1, kind: "comparison", scenarios: [] }),
      /not a plan/,
    );
    assertBadInput(await sovereign("validate", "--plan", join(dir, "missing.json")), /no such file/);
  });
});

describe("formats and files", { concurrency: 3 }, () => {
  test("plan --format md is a non-empty markdown report", async () => {
    const r = await sovereign("plan", "--format", "md");
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /\|.*\|/);
    for (const n of plan.nodes) assert.ok(r.stdout.includes(n.id), n.id);
  });

  test("plan --format html is one self-contained file", async () => {
    const r = await sovereign("plan", "--format", "html");
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^<!doctype html>/i);
    assert.match(r.stdout, /<\/html>\s*$/);
    assert.doesNotMatch(r.stdout, /src="http/i);
    assert.doesNotMatch(r.stdout, /<script[^>]+src=/i, "no external script");
    assert.doesNotMatch(r.stdout, /<link[^>]+href=/i, "no external stylesheet");
    for (const n of plan.nodes) assert.ok(r.stdout.includes(n.id), n.id);
  });

  test("plan --out to a directory that does not exist: exit 2", async () => {
    const r = await sovereign("plan", "--out", "/nonexistent/x.txt");
    assertBadInput(r, /cannot write --out \/nonexistent\/x\.txt: no such directory/);
  });

  test("plan --out writes the same bytes as stdout, and leaves no temp file", async () => {
    const out = join(dir, "out", "..", "plan.json");
    const r = await sovereign("plan", "--format", "json", "--out", out);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "");
    assert.equal(readFileSync(out, "utf8"), planText);
    assert.deepEqual(
      readdirSync(dir).filter((f) => f.includes(".tmp-")),
      [],
    );
  });

  test("plan --format json twice gives identical bytes", async () => {
    const again = await sovereign("plan", "--format", "json");
    assert.equal(again.code, 0);
    assert.equal(again.stdout, planText);
  });

  test("catalog with an unknown section: exit 2, not blamed on a fleet spec", async () => {
    assertBadInput(await sovereign("catalog", "bogus"), /unknown section 'bogus'/);
  });

  test("instance NVMe storage has no iops/throughputMBps (not null)", async () => {
    const spec = join(dir, "nvme.yaml");
    writeFileSync(
      spec,
      "name: nvme-test\nchains:\n  - chain: xrpl\n    count: 1\nsites:\n  aws: { regions: [us-east-1] }\n",
    );
    const r = await sovereign("plan", spec, "--format", "json");
    assert.equal(r.code, 0, r.stderr);
    const [node] = (JSON.parse(r.stdout) as PlanJson).nodes;
    assert.equal(node.storage.class, "instance-nvme");
    assert.ok(!("iops" in node.storage) && !("throughputMBps" in node.storage), JSON.stringify(node.storage));
    assert.doesNotMatch(r.stdout, /: null/);
  });
});

describe("docs/json-output.md matches the real output", () => {
  const doc = readFileSync(join(ROOT, "docs", "json-output.md"), "utf8");

  /** Text with every (parenthesised) part removed, nesting included. */
  const topLevel = (text: string) => {
    let out = "";
    let depth = 0;
    for (const ch of text) {
      if (ch === "(") depth++;
      else if (ch === ")") depth = Math.max(0, depth - 1);
      else if (depth === 0) out += ch;
    }
    return out;
  };
  const names = (text: string) => [...text.matchAll(/`([A-Za-z][A-Za-z0-9]*)`/g)].map((m) => m[1]);
  const row = (field: string) => {
    const line = doc.split("\n").find((l) => l.startsWith(`| \`${field}\` |`));
    assert.ok(line, `docs/json-output.md has no row for ${field}`);
    return line.split("|")[2];
  };
  /** The (...) right after a backticked name. */
  const inner = (text: string, name: string) => {
    const start = text.indexOf(`\`${name}\` (`);
    assert.ok(start >= 0, `no (...) after ${name}`);
    let depth = 0;
    for (let i = text.indexOf("(", start); i < text.length; i++) {
      if (text[i] === "(") depth++;
      if (text[i] === ")" && --depth === 0) return text.slice(text.indexOf("(", start) + 1, i);
    }
    return "";
  };
  const union = (list: Array<Record<string, unknown>>) => new Set(list.flatMap((x) => Object.keys(x)));
  const documentedNodeKeys = () => names(topLevel(row("nodes[]")));

  test("plan: the top-level fields in the tables exist", () => {
    const tableFields = [...doc.split("## `sovereign compare")[0].matchAll(/^\| `([a-z][A-Za-z]*)[`.[]/gm)].map(
      (m) => m[1],
    );
    // `monitors` is there only with a monitoring section, which the example has not (test/core/monitors.test.ts checks it).
    for (const k of ["schemaVersion", "kind", ...tableFields.filter((f) => f !== "monitors")])
      assert.ok(k in plan, `plan JSON has no ${k}`);
    for (const k of Object.keys(plan))
      assert.ok(
        k === "schemaVersion" || k === "kind" || tableFields.includes(k),
        `plan JSON has ${k}, the docs do not`,
      );
  });

  test("plan nodes: every documented key is present (conditional ones where they apply), and no key is undocumented", () => {
    const keys = documentedNodeKeys();
    for (const k of ["id", "chain", "clients", "operator", "storage", "monthlyUsd", "cost", "estimate"])
      assert.ok(keys.includes(k), `parser missed ${k}: ${keys}`);
    assert.ok(!keys.includes("aws") && !keys.includes("compute"), `parser took values or nested keys: ${keys}`);
    const bareMetalOnly = new Set(["host"]);
    const notOnBareMetal = new Set(["shape"]);
    for (const n of plan.nodes) {
      for (const k of keys) {
        if (bareMetalOnly.has(k)) assert.equal(k in n, n.provider === "baremetal", `${n.id}: ${k}`);
        else if (notOnBareMetal.has(k)) assert.equal(k in n, n.provider !== "baremetal", `${n.id}: ${k}`);
        else assert.ok(k in n, `${n.id} has no ${k}`);
      }
    }
    assert.ok(
      plan.nodes.some((n) => n.provider === "baremetal"),
      "the example has a bare-metal node to check host on",
    );
    for (const k of union(plan.nodes as unknown as Array<Record<string, unknown>>))
      assert.ok(keys.includes(k), `nodes have ${k}, the docs do not`);
  });

  test("plan nodes: storage and cost keys", () => {
    const text = row("nodes[]");
    const storage = names(topLevel(inner(text, "storage")));
    const cost = names(inner(text, "cost"));
    assert.ok(storage.includes("class") && storage.includes("iops"), `${storage}`);
    const conditional = new Set(["tier", "iops", "throughputMBps", "throughputWantedMBps"]);
    for (const n of plan.nodes) {
      for (const k of storage) if (!conditional.has(k)) assert.ok(k in n.storage, `${n.id}: storage.${k}`);
      for (const k of Object.keys(n.storage)) assert.ok(storage.includes(k), `storage.${k} is not documented`);
      for (const k of cost) assert.ok(k in (n as unknown as { cost: object }).cost, `${n.id}: cost.${k}`);
    }
    for (const k of ["iops", "throughputMBps", "throughputWantedMBps"] as const)
      assert.ok(
        plan.nodes.some((n) => typeof n.storage[k] === "number"),
        `no node has storage.${k}`,
      );
  });

  test("plan totals and hosts: every documented key is present, none undocumented", () => {
    const totals = names(topLevel(row("totals")));
    assert.ok(totals.includes("monthlyUsd") && totals.includes("byOperator"), `${totals}`);
    // `monitors` only with a monitoring section (the example has none; test/core/monitors.test.ts).
    assert.deepEqual(Object.keys(plan.totals).sort(), totals.filter((k) => k !== "monitors").sort());
    const hosts = names(topLevel(row("hosts[]")));
    assert.ok(plan.hosts.length > 0);
    // `gateways` (`monitors`) only on a host that runs one.
    for (const h of plan.hosts)
      assert.deepEqual(
        Object.keys(h).sort(),
        hosts.filter((k) => (k !== "gateways" && k !== "monitors") || k in h).sort(),
      );
    assert.ok(plan.hosts.some((h) => "gateways" in h));
  });

  test("plan solver: exactly the documented keys (no timing)", () => {
    const solver = names(topLevel(row("solver"))).filter((k) => k !== "HiGHS");
    assert.deepEqual(Object.keys(plan.solver as object).sort(), [...solver].sort());
    assert.ok(!("milliseconds" in (plan.solver as object)));
  });

  test("compare scenarios: every documented key is present, none undocumented", async () => {
    const section = doc.split("## `sovereign compare")[1].split("\n## ")[0];
    const keys = names(topLevel(section.split("`scenarios[]`:")[1].split("\n")[0])).filter((k) => k !== "null");
    for (const k of [
      "name",
      "feasible",
      "monthlyUsd",
      "maxOperatorShare",
      "worstCaseSurvivingShare",
      "cloudActShare",
      "reason",
      "nodes",
      "costBreakdown",
    ]) {
      assert.ok(keys.includes(k), `parser missed ${k}: ${keys}`);
    }
    const r = await sovereign("compare", "--format", "json");
    assert.equal(r.code, 0, r.stderr);
    const scenarios: Array<Record<string, unknown>> = JSON.parse(r.stdout).scenarios;
    const onlyInfeasible = new Set(["reason"]);
    const onlyFeasible = new Set(["nodes", "costBreakdown"]);
    for (const s of scenarios) {
      for (const k of keys) {
        if (onlyInfeasible.has(k)) assert.equal(k in s, !s.feasible, `${s.name}: ${k}`);
        else if (onlyFeasible.has(k)) assert.equal(k in s, s.feasible, `${s.name}: ${k}`);
        else assert.ok(k in s, `${s.name} has no ${k}`);
      }
    }
    for (const k of union(scenarios)) assert.ok(keys.includes(k), `scenarios have ${k}, the docs do not`);
  });
});

describe("catalog", () => {
  for (const section of ["chains", "clients", "providers", "prices"]) {
    test(`${section}: a table and JSON with one row per catalog entry`, async () => {
      const table = await sovereign("catalog", section);
      assert.equal(table.code, 0, table.stderr);
      const json = await sovereign("catalog", section, "--format", "json");
      assert.equal(json.code, 0, json.stderr);
      const items = JSON.parse(json.stdout).items as Array<Record<string, unknown>>;
      assert.ok(items.length > 0);
      // Every row's first cell (chain, client, provider, or provider of a price) shows in the table.
      for (const item of items)
        assert.ok(
          table.stdout.includes(String(Object.values(item)[0])),
          `${section}: ${Object.values(item)[0]} in the table`,
        );
    });
  }
});
