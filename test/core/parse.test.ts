import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { SpecError, formatProblem, type InputProblem } from "../../core/errors";
import { parseFleetYaml, parseFleetFile } from "../../core/fleet-spec/parse";
import { resolveFleet } from "../../core/fleet-spec/resolve";
import { fleetJsonSchema } from "../../core/fleet-spec/schema";
import { catalog, exampleText, EXAMPLE_PATH, ROOT, rejects } from "./helpers";

const ISSUE_FLEET = join(ROOT, "test", "fixtures", "issue-fleet.yaml");

/** 1-based line of the first line containing `needle`. */
function lineOf(text: string, needle: string): number {
  const i = text.split("\n").findIndex((l) => l.includes(needle));
  assert.ok(i >= 0, `fixture text lacks ${needle}`);
  return i + 1;
}

function problemsOf(fn: () => unknown): InputProblem[] {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof SpecError, `expected SpecError, got ${String(e)}`);
    assert.ok(e.problems.length > 0);
    return e.problems;
  }
  assert.fail("expected a SpecError");
}

function problemAt(problems: InputProblem[], path: string): InputProblem {
  const p = problems.find((x) => x.path === path);
  assert.ok(p, `no problem at ${path}; got ${JSON.stringify(problems)}`);
  return p;
}

/** The example with one line replaced. */
function exampleWith(from: string | RegExp, to: string): string {
  const text = exampleText();
  const out = text.replace(from, to);
  assert.notEqual(out, text, `example has no ${from}`);
  return out;
}

describe("the issue's example fleet", () => {
  test("is accepted as written (maxNodes: 1) and resolves against the catalog", () => {
    const text = readFileSync(ISSUE_FLEET, "utf8");
    const spec = parseFleetFile(ISSUE_FLEET);
    assert.equal(spec.name, "eth-rpc-prod");
    assert.deepEqual(
      spec.chains.map((c) => [c.chain, c.count]),
      [
        ["ethereum", 6],
        ["bitcoin", 3],
      ],
    );
    assert.equal(spec.sites.baremetal!.hosts[0].maxNodes, 1);
    assert.match(text, /maxNodes: 1 /);
    // Defaults the schema promises.
    assert.equal(spec.chains[1].role, "full");
    assert.equal(spec.sites.baremetal!.hosts[0].disk, "nvme");
    assert.equal(spec.policy.survive!.regionLoss, 0);

    const fleet = resolveFleet(spec, catalog(), ISSUE_FLEET);
    // 2 aws + 1 gcp + 1 azure region, akash, one host.
    assert.deepEqual(
      fleet.sites.map((s) => s.id),
      ["aws/us-east-1", "aws/eu-central-1", "gcp/europe-west3", "azure/eastus", "akash", "baremetal/fra-1"],
    );
    const host = fleet.sites.find((s) => s.id === "baremetal/fra-1")!;
    // hetzner is a known operator headquartered in DE (catalog/operators.yaml); DE is not under the CLOUD Act.
    assert.equal(host.jurisdiction, "DE");
    assert.equal(host.cloudAct, false);
    assert.equal(host.region, "de", "a host without region takes its country in lower case");
    assert.deepEqual(fleet.groups[0].clients, {
      execution: ["geth", "nethermind", "reth", "besu"],
      consensus: ["lighthouse", "teku", "nimbus"],
    });
    // bitcoin lists no clients: every client the catalog knows.
    assert.deepEqual(fleet.groups[1].clients, { node: ["bitcoind"] });
    assert.equal(fleet.groups[1].network, "mainnet", "network defaults to the catalog's first");
  });

  test("the bundled example parses too", () => {
    const spec = parseFleetFile(EXAMPLE_PATH);
    assert.equal(spec.sites.baremetal!.hosts[0].maxNodes, 2);
  });
});

describe("parse errors name the field", () => {
  test("a typo'd top-level key `polcy:` is an unknown field with a did-you-mean and a line", () => {
    const text = exampleWith(/^policy:/m, "polcy:");
    const problems = problemsOf(() => parseFleetYaml(text, "fleet.yaml"));
    const p = problemAt(problems, "polcy");
    assert.match(p.message, /unknown field/);
    assert.match(p.message, /did you mean 'policy'\?/);
    assert.equal(p.line, lineOf(text, "polcy:"));
  });

  test("a typo'd nested key suggests the sibling it resembles", () => {
    const text = exampleWith("jurisdiction: 0.5", "jurisdicton: 0.5");
    const p = problemAt(
      problemsOf(() => parseFleetYaml(text)),
      "policy.maxShare.jurisdicton",
    );
    assert.match(p.message, /did you mean 'jurisdiction'\?/);
    assert.equal(p.line, lineOf(text, "jurisdicton:"));
  });

  test("a wrong type deep inside a list gives the indexed path and its line", () => {
    const text = exampleWith("count: 3", "count: three");
    const p = problemAt(
      problemsOf(() => parseFleetYaml(text)),
      "chains[1].count",
    );
    assert.match(p.message, /expected number, got string "three"/);
    assert.equal(p.line, lineOf(text, "count: three"));
  });

  test("a missing required field is named", () => {
    const text = exampleWith(/^name: .*$/m, "");
    const p = problemAt(
      problemsOf(() => parseFleetYaml(text)),
      "name",
    );
    assert.match(p.message, /required/);
  });

  test("every problem is reported, not only the first", () => {
    const text = exampleWith("count: 3", "count: 0").replace("operator: 0.34", "operator: 34");
    const problems = problemsOf(() => parseFleetYaml(text));
    problemAt(problems, "chains[1].count");
    const share = problemAt(problems, "policy.maxShare.operator");
    assert.match(share.message, /not a percentage/);
  });

  test("shares must be in (0, 1]: 0 and 1.01 are rejected, 1 is accepted", () => {
    for (const bad of ["0", "1.01", "-0.2"]) {
      problemAt(
        problemsOf(() => parseFleetYaml(exampleWith("region: 0.5", `region: ${bad}`))),
        "policy.maxShare.region",
      );
    }
    assert.equal(parseFleetYaml(exampleWith("region: 0.5", "region: 1")).policy.maxShare!.region, 1);
  });

  test("duplicate YAML keys are an error with a line", () => {
    const text = exampleWith(/^budget:/m, "name: other\nbudget:");
    const [p] = problemsOf(() => parseFleetYaml(text));
    assert.match(p.message, /invalid YAML/);
    assert.match(p.message, /[Uu]nique|[Dd]uplicate/);
    assert.equal(typeof p.line, "number");
  });

  test("broken YAML gives the line of the break", () => {
    const text = "name: x\nchains:\n  - chain: bitcoin\n    count: [1, 2\nsites: {}\n";
    const [p] = problemsOf(() => parseFleetYaml(text));
    assert.match(p.message, /invalid YAML/);
    assert.ok(p.line !== undefined && p.line >= 4, `line ${p.line}`);
  });

  test("an empty file and a non-mapping document are rejected at the top level", () => {
    for (const text of ["", "   \n", "# only a comment\n"]) {
      const [p] = problemsOf(() => parseFleetYaml(text, "x.yaml"));
      assert.deepEqual([p.path, p.message.startsWith("the spec is empty")], ["", true], JSON.stringify(text));
    }
    for (const text of ["- a\n- b\n", "just a string\n", "42\n", "null\n"]) {
      const [p] = problemsOf(() => parseFleetYaml(text, "x.yaml"));
      assert.deepEqual([p.path, p.message.startsWith("the spec must be a mapping")], ["", true], JSON.stringify(text));
    }
  });

  test("formatted problems carry file:line: path", () => {
    const text = exampleWith(/^policy:/m, "polcy:");
    const err = (() => {
      try {
        parseFleetYaml(text, "f.yaml");
      } catch (e) {
        return e as SpecError;
      }
      throw new Error("the misspelt key was accepted");
    })();
    assert.match(err.message, new RegExp(`^f\\.yaml:${lineOf(text, "polcy:")}: polcy: unknown field`, "m"));
    assert.equal(formatProblem({ path: "", message: "m" }), "(top level): m");
  });

  test("an unreadable file is a SpecError, not a crash", async () => {
    const err = await rejects(() => parseFleetFile(join(ROOT, "test", "fixtures", "does-not-exist.yaml")), SpecError);
    assert.match(err.message, /cannot read the spec/);
  });
});

describe("resolve errors name the field", () => {
  const resolveText = (text: string) => problemsOf(() => resolveFleet(parseFleetYaml(text), catalog()));

  test("unknown chain, with a did-you-mean", () => {
    const p = problemAt(resolveText(exampleWith("chain: ethereum", "chain: etherium")), "chains[0].chain");
    assert.match(p.message, /unknown chain 'etherium'; did you mean 'ethereum'\?/);
  });

  test("unknown network, role, layer and client", () => {
    let text = exampleWith("network: mainnet", "network: goerli");
    problemAt(resolveText(text), "chains[0].network");
    text = exampleWith("role: full                 #", "role: validator #");
    problemAt(resolveText(text), "chains[0].role");
    text = exampleWith("consensus: [lighthouse", "consensos: [lighthouse");
    assert.match(problemAt(resolveText(text), "chains[0].clients.consensos").message, /did you mean 'consensus'/);
    text = exampleWith("[geth, nethermind", "[geth, nethermid");
    assert.match(problemAt(resolveText(text), "chains[0].clients.execution[1]").message, /did you mean 'nethermind'/);
  });

  test("a region under the wrong provider says where it belongs", () => {
    const p = problemAt(
      resolveText(
        exampleWith("regions: [europe-west3]", "regions: [eu-central-1]").replace(
          "[us-east-1, eu-central-1]",
          "[us-east-1]",
        ),
      ),
      "sites.gcp.regions[0]",
    );
    assert.match(p.message, /is a aws region; move it under sites\.aws\.regions/);
  });

  test("duplicate host names and a cloud as bare-metal operator", () => {
    const host = (name: string, operator: string, address: string) =>
      `      - { name: ${name}, address: ${address}, operator: ${operator}, country: DE, monthlyUsd: 50, cpu: 8, memoryGb: 32, diskGb: 1000 }\n`;
    const text = exampleWith(
      / {2}baremetal:\n {4}hosts:\n/,
      `  baremetal:\n    hosts:\n${host("fra-1", "ovh", "198.51.100.1")}${host("b", "gcp", "198.51.100.2")}`,
    );
    const problems = resolveText(text);
    assert.match(problemAt(problems, "sites.baremetal.hosts[2].name").message, /used twice/);
    assert.match(problemAt(problems, "sites.baremetal.hosts[1].operator").message, /cloud provider/);
  });

  test("survive with no loss set is rejected", () => {
    problemAt(resolveText(exampleWith("operatorLoss: 1", "operatorLoss: 0")), "policy.survive");
  });

  test("a host's jurisdiction comes from its operator's headquarters, else its country", () => {
    const text = exampleWith("operator: hetzner", "operator: vultr").replace(
      "country: DE",
      "country: DE\n        region: fra",
    );
    const fra = (t: string) => resolveFleet(parseFleetYaml(t), catalog()).sites.find((x) => x.host?.name === "fra-1")!;
    const site = fra(text);
    // vultr is headquartered in the US (catalog/operators.yaml): a US company, so under the CLOUD Act.
    assert.deepEqual([site.jurisdiction, site.cloudAct, site.region, site.country], ["US", true, "fra", "DE"]);
    const home = exampleWith("operator: hetzner", "operator: myhome").replace("country: DE", "country: CH");
    const s2 = fra(home);
    assert.deepEqual([s2.jurisdiction, s2.operator], ["CH", "myhome"]);
    // Its legal home is unknown (the country is where the box stands): within every regime's reach...
    assert.deepEqual([s2.cloudAct, s2.legal], [true, ["cloudAct", "prcIntelligence"]]);
    // ...unless the spec names the legal home, or says the operator is outside a regime.
    const named = fra(home.replace("country: CH", "country: CH\n        jurisdiction: CH"));
    assert.deepEqual([named.cloudAct, named.legal], [false, []]);
    const outside = fra(home.replace("country: CH", "country: CH\n        outsideReach: [cloudAct]"));
    assert.deepEqual([outside.cloudAct, outside.legal], [false, ["prcIntelligence"]]);
  });

  test("legal reach: the catalog's regimes by legal home; what the spec states is checked against it", () => {
    const sites = resolveFleet(parseFleetYaml(exampleText()), catalog()).sites;
    const legal = (id: string) => sites.find((s) => s.id === id)!.legal;
    // A US cloud in Frankfurt is a US company; Akash's providers are unknown before the bid.
    assert.deepEqual(legal("aws/eu-central-1"), ["cloudAct"]);
    assert.deepEqual(legal("gcp/europe-west3"), ["cloudAct"]);
    assert.deepEqual(legal("akash"), ["cloudAct", "prcIntelligence"]);
    assert.deepEqual(legal("baremetal/fra-1"), []);
    const akashOut = exampleWith("akash: { maxNodes: 1 }", "akash: { maxNodes: 1, outsideReach: [cloudAct] }");
    assert.deepEqual(resolveFleet(parseFleetYaml(akashOut), catalog()).sites.find((s) => s.id === "akash")!.legal, [
      "prcIntelligence",
    ]);
    // vultr is a US company: the spec cannot put it outside the CLOUD Act.
    const vultr = exampleWith("operator: hetzner", "operator: vultr").replace(
      "country: DE",
      "country: DE\n        outsideReach: [cloudAct]",
    );
    assert.match(
      problemAt(resolveText(vultr), "sites.baremetal.hosts[0].outsideReach[0]").message,
      /legal home is US, which cloudAct reaches/,
    );
    const typo = exampleWith("cloudAct: 0.34", "cloudAkt: 0.34");
    assert.match(problemAt(resolveText(typo), "policy.maxShare.legal.cloudAkt").message, /did you mean 'cloudAct'/);
    const typoHost = exampleWith("akash: { maxNodes: 1 }", "akash: { maxNodes: 1, outsideReach: [cloudAkt] }");
    assert.match(problemAt(resolveText(typoHost), "sites.akash.outsideReach[0]").message, /unknown legal regime/);
  });
});

test("the JSON schema describes the top-level fields", () => {
  const schema = fleetJsonSchema() as { properties: Record<string, unknown>; required: string[] };
  assert.deepEqual(Object.keys(schema.properties).sort(), [
    "budget",
    "chains",
    "gateways",
    "monitoring",
    "name",
    "policy",
    "pricing",
    "rollout",
    "sites",
  ]);
  assert.deepEqual([...schema.required].sort(), ["chains", "name", "sites"]);
});
