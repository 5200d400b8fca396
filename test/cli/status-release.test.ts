/**
 * `sovereign status --deployed FILE`: the release each node runs, through the real CLI. A devnet
 * fleet on three bare-metal hosts is planned here and its deployed state written as the program
 * leaves it after a rollout that stopped at the first node: the stack outputs of the last completed
 * `up` (every node on the old release, Pulumi keeps them when an update fails) and the export, where
 * each node's release marker (releaseMarker, what BareMetalHost records once the node started) says
 * which node got the new release, with the replaced marker waiting for deletion. The fleet has no
 * monitor: nothing live is known (exit 4), the releases are still shown.
 */
import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { loadCatalog } from "../../core/catalog/load";
import { resolveFleet } from "../../core/fleet-spec/resolve";
import { validateFleetObject } from "../../core/fleet-spec/parse";
import { planFleet } from "../../core/planner/plan";
import { nodeRelease, releaseMarker, releaseText, type NodeRelease, type PlannedNode } from "../../core/plan";
import { placementOutput } from "../../components/placement-output";
import { sovereign } from "./run";

const dir = mkdtempSync(join(tmpdir(), "sovereign-status-release-"));
const at = (name: string) => join(dir, name);
/** The spec, and the deployed state as `pulumi stack output --json` and `pulumi stack export` leave it. */
const files = {
  spec: at("fleet.yaml"),
  outputs: at("outputs.json"),
  exported: at("export.json"),
  partial: at("partial-export.json"),
  older: at("older-outputs.json"),
};
const FLEET = "status-release";
const CHAIN = "devnet/local";

let nodes: PlannedNode[];
let old: NodeRelease;
let next: NodeRelease;
/** The node the rollout updated before it stopped (the canary: the first node). */
let stopped: PlannedNode;

const host = (name: string, operator: string, country: string, octet: number) => ({
  ...{ name, address: `203.0.113.${octet}`, operator, country, monthlyUsd: 40 },
  ...{ cpu: 4, memoryGb: 8, diskGb: 100, maxNodes: 1 },
});

/** The stack resource and one release marker per node, as `pulumi stack export` holds them. */
function exportOf(outputs: object, markers: Array<{ node: string; release: NodeRelease; delete?: boolean }>) {
  const stack = `urn:pulumi:prod::sovereign::pulumi:pulumi:Stack::sovereign-prod`;
  return {
    version: 3,
    deployment: {
      resources: [
        { urn: stack, type: "pulumi:pulumi:Stack", outputs },
        ...markers.map((m) => ({
          urn: `urn:pulumi:prod::sovereign::sovereign:index:Fleet$sovereign:baremetal:NodeHost$command:local:Command::${FLEET}-${m.node}-release`,
          type: "command:local:Command",
          ...(m.delete ? { delete: true } : {}),
          inputs: { environment: releaseMarker(m.node, m.release) },
          outputs: { environment: releaseMarker(m.node, m.release), stdout: "", stderr: "" },
        })),
      ],
    },
  };
}

before(async () => {
  const catalog = loadCatalog();
  const spec = {
    name: FLEET,
    chains: [{ chain: "devnet", count: 3 }],
    sites: {
      baremetal: {
        hosts: [host("h-a", "netcup", "DE", 21), host("h-b", "scaleway", "FR", 22), host("h-c", "ovh", "FR", 23)],
      },
    },
    policy: { maxShare: { operator: 0.34 } },
  };
  writeFileSync(files.spec, stringify(spec));
  const plan = await planFleet(resolveFleet(validateFleetObject(spec, files.spec), catalog, files.spec), catalog);
  nodes = [...plan.nodes].sort((a, b) => a.id.localeCompare(b.id));
  assert.equal(nodes.length, 3);
  old = nodeRelease(nodes[0], catalog);
  // The new release: the same image under another tag, as `catalog refresh --accept` pins it.
  next = Object.fromEntries(Object.entries(old).map(([layer, image]) => [layer, `${image}-r2`]));
  stopped = nodes[0];
  // The program's output `nodes` (components/fleet.ts nodeOutputs) after the last completed up.
  const nodeOutputs = (release?: (n: PlannedNode) => NodeRelease) =>
    Object.fromEntries(
      nodes.map((n) => [
        n.id,
        {
          ...placementOutput(n),
          chain: n.chain,
          network: n.network,
          role: n.role,
          clients: n.clients,
          publicIp: n.host,
          privateIp: n.host,
          rpcEndpoint: `http://${n.host}:8545`,
          ...(release ? { release: release(n) } : {}),
        },
      ]),
    );
  const outputs = { fleet: FLEET, nodes: nodeOutputs(() => old), gateways: {}, monitors: {} };
  writeFileSync(files.outputs, JSON.stringify(outputs));
  writeFileSync(files.older, JSON.stringify({ ...outputs, nodes: nodeOutputs() }));
  const markers = [
    { node: stopped.id, release: next },
    { node: stopped.id, release: old, delete: true },
    ...nodes.slice(1).map((n) => ({ node: n.id, release: old })),
  ];
  writeFileSync(files.exported, JSON.stringify(exportOf(outputs, markers)));
  // A node deployed before releases were recorded: no marker.
  writeFileSync(files.partial, JSON.stringify(exportOf(outputs, markers.slice(0, -1))));
});

/** The table row of a node: its id, then its release cell. */
const rowRelease = (stdout: string, id: string) =>
  stdout
    .split("\n")
    .find((l) => l.includes(`│ ${id} `))
    ?.split("│")[6]
    ?.trim();

describe("status --deployed: the release per node", () => {
  test("export after a stopped rollout: the stopped node on the new release, the others on the old, and the mixed line", async () => {
    const r = await sovereign("status", files.spec, "--deployed", files.exported);
    assert.equal(r.code, 4, `no monitor: live state unknown, exit 4\n${r.stdout}${r.stderr}`);
    assert.match(r.stdout, /Monitor: none/);
    assert.match(r.stdout, /from the stack's state \(`pulumi stack export`\)/);
    assert.equal(rowRelease(r.stdout, stopped.id), releaseText(next));
    for (const n of nodes.slice(1)) assert.equal(rowRelease(r.stdout, n.id), releaseText(old), n.id);
    const others = nodes
      .slice(1)
      .map((n) => n.id)
      .join(", ");
    const [first, second] = [releaseText(next), releaseText(old)].sort();
    const on = (release: string) => (release === releaseText(next) ? stopped.id : others);
    const line = r.stdout.split("\n").find((l) => l.startsWith(`${CHAIN} runs 2 releases`));
    assert.ok(line, r.stdout);
    assert.ok(line.includes(`${first} on ${on(first)}; ${second} on ${on(second)}.`), line);
    assert.match(line, /`pulumi up` continues the rollout/);
    assert.match(line, /the deploy error names that node and the check/);
    for (const n of nodes) assert.match(r.stdout, new RegExp(`│ ${n.id} .*│ unknown +│ unknown +│ unknown +│`));
    assert.match(r.stdout, /live state unknown \(no monitor\), no policy verdict/);
    assert.match(r.stdout, /Firing alerts: unknown \(no monitor\)/);
  });

  test("the stack outputs hold the last completed up: every node on the old release, no mixed line, and the note says so", async () => {
    const r = await sovereign("status", files.spec, "--deployed", files.outputs);
    assert.equal(r.code, 4, r.stderr);
    for (const n of nodes) assert.equal(rowRelease(r.stdout, n.id), releaseText(old), n.id);
    assert.doesNotMatch(r.stdout, /runs 2 releases/);
    assert.match(r.stdout, /last `pulumi up` that completed; a rollout stopped since is not in them/);
  });

  test("JSON and Markdown carry the same releases and the mixed chain", async () => {
    const json = await sovereign("status", files.spec, "--deployed", files.exported, "--format", "json");
    assert.equal(json.code, 4, json.stderr);
    const body = JSON.parse(json.stdout) as {
      ok: null;
      prometheus: null;
      nodes: Array<{ id: string; release: string; state: string }>;
      releases: {
        source: string;
        mixed: Array<{ chain: string; releases: Array<{ release: string; nodes: string[] }> }>;
      };
    };
    assert.equal(body.ok, null, "no monitor, no verdict");
    assert.equal(body.releases.source, "export");
    for (const n of nodes)
      assert.equal(body.nodes.find((x) => x.id === n.id)?.release, releaseText(n === stopped ? next : old));
    assert.deepEqual(
      body.releases.mixed.map((m) => m.chain),
      [CHAIN],
    );
    assert.deepEqual(body.releases.mixed[0].releases.find((g) => g.release === releaseText(next))?.nodes, [stopped.id]);
    const md = await sovereign("status", files.spec, "--deployed", files.exported, "--format", "md");
    assert.equal(md.code, 4, md.stderr);
    assert.match(md.stdout, /## Mixed releases\n\n- devnet\/local runs 2 releases/);
    const cells = md.stdout.split("\n").find((l) => l.startsWith(`| ${stopped.id} |`));
    assert.ok(cells?.includes(`| ${releaseText(next)} |`), cells);
  });

  test("a node without a record is unknown, never a guess, and is named in the mixed line", async () => {
    const missing = nodes[nodes.length - 1].id;
    const r = await sovereign("status", files.spec, "--deployed", files.partial);
    assert.equal(rowRelease(r.stdout, missing), "unknown");
    assert.match(r.stdout, new RegExp(`; unknown on ${missing}\\.`));
    const older = await sovereign("status", files.spec, "--deployed", files.older);
    for (const n of nodes) assert.equal(rowRelease(older.stdout, n.id), "unknown", n.id);
    assert.doesNotMatch(older.stdout, /runs \d releases/);
  });

  test("without --deployed the releases are unknown and the monitor is still required (exit 2)", async () => {
    const r = await sovereign("status", files.spec);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--prometheus: give the monitor's URL/);
  });
});
