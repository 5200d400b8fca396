/**
 * `--deployed FILE` through the real CLI: the bundled example is planned here (the fleet `up`
 * deployed), its nodes and gateways written as the program's stack outputs would hold them, in the
 * two files a user can make (`pulumi stack output --json`, `pulumi stack export`); then the grown
 * spec (one more Bitcoin node) is planned with them. Every deployed node keeps its site and clients
 * and every gateway its site, as in `pulumi up`; both files give the same plan; unusable files are
 * bad input (exit 2) naming --deployed.
 */
import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { loadCatalog } from "../../core/catalog/load";
import { parseFleetFile } from "../../core/fleet-spec/parse";
import { resolveFleet } from "../../core/fleet-spec/resolve";
import { planFleet } from "../../core/planner/plan";
import type { Plan } from "../../core/plan";
import { placementOutput } from "../../components/placement-output";
import { ROOT, sovereign } from "./run";

const EXAMPLE = join(ROOT, "examples", "fleet.yaml");
const dir = mkdtempSync(join(tmpdir(), "sovereign-deployed-"));
const files = {
  grown: join(dir, "grown.yaml"),
  outputs: join(dir, "outputs.json"),
  exported: join(dir, "export.json"),
  encrypted: join(dir, "encrypted.json"),
  other: join(dir, "other.json"),
};

let deployed: Plan;
const MOVED_GATEWAY = {
  id: "gateway-gcp-europe-west3-1",
  provider: "gcp",
  site: "gcp/europe-west3",
  region: "europe-west3",
} as const;

before(async () => {
  const catalog = loadCatalog();
  deployed = await planFleet(resolveFleet(parseFleetFile(EXAMPLE), catalog, EXAMPLE), catalog);
  // Deployed when GCP was the cheaper gateway site: a fresh plan moves this gateway to AWS, `up` must not.
  const aws = deployed.gateways.findIndex((g) => g.provider === "aws");
  deployed.gateways[aws] = {
    ...deployed.gateways[aws],
    ...MOVED_GATEWAY,
    operator: "gcp",
    shape: undefined,
  };
  const spec = parse(readFileSync(EXAMPLE, "utf8"));
  spec.chains[1].count += 1; // one more Bitcoin node
  writeFileSync(files.grown, stringify(spec));
  // What the program's outputs `nodes` and `gateways` hold: placement fields by id (nodes with clients).
  const outputs = {
    fleet: deployed.fleet,
    nodes: Object.fromEntries(deployed.nodes.map((n) => [n.id, { ...placementOutput(n), clients: n.clients }])),
    gateways: Object.fromEntries(deployed.gateways.map((g) => [g.id, { ...placementOutput(g), chains: g.chains }])),
  };
  writeFileSync(files.outputs, JSON.stringify(outputs));
  const stackResource = (o: unknown) => ({
    version: 3,
    deployment: {
      resources: [
        {
          urn: "urn:pulumi:prod::sovereign::pulumi:pulumi:Stack::sovereign-prod",
          type: "pulumi:pulumi:Stack",
          outputs: o,
        },
      ],
    },
  });
  writeFileSync(files.exported, JSON.stringify(stackResource(outputs)));
  const secret = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", ciphertext: "v1:abc" };
  writeFileSync(files.encrypted, JSON.stringify(stackResource({ ...outputs, nodes: secret })));
  writeFileSync(files.other, JSON.stringify({ hello: "world" }));
});

const where = (n: { provider: string; region: string; host?: string }) => `${n.provider}/${n.host ?? n.region}`;

describe("--deployed", () => {
  test("plan: the grown fleet keeps every deployed node (site, clients) and gateway (site)", async () => {
    const r = await sovereign("plan", files.grown, "--deployed", files.outputs, "--format", "json");
    assert.equal(r.code, 0, r.stderr);
    const plan = JSON.parse(r.stdout) as Plan;
    assert.equal(plan.nodes.length, deployed.nodes.length + 1);
    for (const n of deployed.nodes) {
      const now = plan.nodes.find((x) => x.id === n.id);
      assert.ok(now, `${n.id} is still planned`);
      assert.equal(where(now), where(n), `${n.id} keeps its site`);
      assert.deepEqual(now.clients, n.clients, `${n.id} keeps its clients`);
    }
    for (const g of deployed.gateways) {
      const now = plan.gateways.find((x) => x.id === g.id);
      assert.ok(now, `${g.id} is still planned`);
      assert.equal(where(now), where(g), `${g.id} keeps its site`);
    }
    const nodes = deployed.nodes.length;
    const gateways = deployed.gateways.length;
    assert.match(
      r.stderr,
      new RegExp(
        `${nodes} of ${nodes} deployed nodes keep their site and clients, ${gateways} of ${gateways} deployed gateways keep their site\\n`,
      ),
    );
  });

  test("without it, the fresh plan puts no gateway on GCP (so the kept one above is the deployed state's doing)", async () => {
    const r = await sovereign("plan", files.grown, "--format", "json");
    assert.equal(r.code, 0, r.stderr);
    const plan = JSON.parse(r.stdout) as Plan;
    assert.equal(plan.gateways.filter((g) => g.provider === "gcp").length, 0);
    assert.doesNotMatch(r.stderr, /deployed/);
  });

  test("a `pulumi stack export` file gives the same plan as the stack's outputs", async () => {
    const [a, b] = await Promise.all(
      [files.outputs, files.exported].map((f) => sovereign("plan", files.grown, "--deployed", f, "--format", "json")),
    );
    assert.equal(b.code, 0, b.stderr);
    const strip = (text: string) => JSON.stringify({ ...JSON.parse(text), solver: undefined });
    assert.equal(strip(b.stdout), strip(a.stdout));
  });

  test("validate and outage take it too", async () => {
    const v = await sovereign("validate", files.grown, "--deployed", files.outputs);
    assert.equal(v.code, 0, v.stderr);
    assert.match(v.stderr, /deployed nodes keep their site/);
    const o = await sovereign(
      "outage",
      files.grown,
      "--fail",
      "operator=aws",
      "--deployed",
      files.outputs,
      "--format",
      "json",
    );
    assert.ok(o.code === 0 || o.code === 1, o.stderr);
    assert.ok(JSON.parse(o.stdout));
  });

  for (const [what, file, message] of [
    [
      "encrypted outputs",
      files.encrypted,
      /--deployed: the nodes output is encrypted; export with `pulumi stack export --show-secrets`/,
    ],
    ["another JSON file", files.other, /--deployed: not the outputs of a Sovereign stack/],
    ["a missing file", join(dir, "missing.json"), /--deployed: cannot read the deployed state/],
  ] as const) {
    test(`${what}: exit 2, the problem named, nothing on stdout`, async () => {
      const r = await sovereign("plan", files.grown, "--deployed", file);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, message);
      assert.equal(r.stdout, "");
      assert.doesNotMatch(r.stderr, /internal error|fleet spec is not valid/);
    });
  }
});
