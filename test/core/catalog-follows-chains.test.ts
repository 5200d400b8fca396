// The bundled catalog follows every chain it knows: each network has a schedule, each supported pin
// meets every minimum the catalog records, and clients upstream dropped are never placed.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, test } from "node:test";
import { checkIntegrity, type Catalog } from "../../core/catalog/load";
import { isSupported, supportChecks } from "../../core/catalog/support";
import { compareVersions, tagVersion } from "../../core/catalog/upgrades";
import { parseFleetFile } from "../../core/fleet-spec/parse";
import { resolveFleet } from "../../core/fleet-spec/resolve";
import { SpecError } from "../../core/errors";
import { planFleet } from "../../core/planner/plan";
import { catalog, ROOT } from "./helpers";

const NOW = new Date("2026-12-07T12:00:00Z");
const ALL_CHAINS = join(ROOT, "examples", "all-chains.yaml");

describe("the catalog follows every chain", () => {
  test("every supported pin is at or above every minimum the catalog knows for its chain", () => {
    const cat = catalog();
    const below: string[] = [];
    for (const u of cat.upgrades) {
      for (const [id, minimum] of Object.entries(u.minimums)) {
        const client = cat.clients.get(id)!;
        if (!isSupported(client, u.chain, NOW)) continue;
        const pinned = tagVersion(client.image.tag);
        if (!pinned || compareVersions(pinned, minimum) < 0)
          below.push(`${id} ${client.image.tag} < ${minimum} (${u.chain}/${u.network} ${u.name})`);
      }
    }
    assert.deepEqual(below, []);
  });

  test("a chain and network without a schedule is a catalog error naming it", () => {
    const cat = catalog();
    const without: Catalog = {
      ...cat,
      schedules: cat.schedules.filter((s) => !(s.chain === "polygon" && s.network === "amoy")),
    };
    assert.deepEqual(checkIntegrity(cat), []);
    assert.ok(checkIntegrity(without).some((p) => /no schedule for polygon\/amoy/.test(p)));
  });

  test("an end of support must name a replacement that runs on the chain", () => {
    const cat = catalog();
    const clients = new Map(cat.clients);
    const opNode = clients.get("op-node")!;
    clients.set("op-node", { ...opNode, support: [{ ...opNode.support![0], replacedBy: "geth" }] });
    assert.ok(checkIntegrity({ ...cat, clients }).some((p) => /op-node: its replacement on base \(geth\)/.test(p)));
  });

  test("the all-chains plan has one readiness row per chain and never places a client upstream dropped", async () => {
    const cat = catalog();
    const fleet = resolveFleet(parseFleetFile(ALL_CHAINS), cat, ALL_CHAINS, NOW);
    for (const g of fleet.groups)
      for (const ids of Object.values(g.clients))
        for (const id of ids)
          assert.ok(isSupported(cat.clients.get(id)!, g.chainKey.split("/")[0], NOW), `${g.chainKey}: ${id}`);
    const plan = await planFleet(fleet, cat);
    assert.deepEqual(supportChecks(cat, plan.nodes, { now: NOW, windowDays: 30 }), []);
    const r = spawnSync(process.execPath, [join(ROOT, "bin", "sovereign.js"), "plan", ALL_CHAINS, "--format", "json"], {
      encoding: "utf8",
    });
    assert.equal(r.status, 0, r.stderr);
    const rows = JSON.parse(r.stdout).policy.checks.filter((c: { rule: string }) => c.rule === "images.upgrades");
    const chainKeys = [...new Set(fleet.groups.map((g) => g.chainKey))].sort();
    assert.deepEqual(rows.map((c: { scope: string }) => c.scope).sort(), chainKeys);
  });

  test("a spec that lists a client upstream dropped is refused by field, with the replacement", () => {
    const cat = catalog();
    const spec = {
      ...parseFleetFile(ALL_CHAINS),
      chains: [{ chain: "optimism", network: "mainnet", role: "full", count: 2, clients: { execution: ["op-geth"] } }],
    };
    assert.throws(
      () => resolveFleet(spec as never, cat, "fleet.yaml", NOW),
      (e: unknown) =>
        e instanceof SpecError &&
        /chains\[0\]\.clients\.execution\[0\].*op-geth is no longer supported on optimism since 2026-05-31.*use op-reth/s.test(
          e.message,
        ),
    );
  });

  test("a node still running a dropped client is a breach naming the node and the replacement", () => {
    const [check] = supportChecks(
      catalog(),
      [{ id: "xrpl-old-1", chainKey: "xrpl/mainnet", clients: { node: "rippled" } }],
      { now: NOW, windowDays: 30 },
    );
    assert.equal(check.ok, false);
    assert.match(check.message, /xrpl-old-1 runs rippled: .*support ended 2026-10-09.*use xrpld/);
  });
});
