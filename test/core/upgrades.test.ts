import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, test } from "node:test";
import type { Catalog } from "../../core/catalog/load";
import type { Upgrade } from "../../core/catalog/schema";
import { catalogReadiness, compareVersions, tagVersion, upgradeChecks } from "../../core/catalog/upgrades";
import { catalog, ROOT } from "./helpers";

/** The bundled catalog with some client tags replaced and extra upgrades (the loaded catalog is shared: copy). */
function variant(tags: Record<string, string>, upgrades: Upgrade[] = []): Catalog {
  const base = catalog();
  const clients = new Map(base.clients);
  for (const [id, tag] of Object.entries(tags))
    clients.set(id, { ...clients.get(id)!, image: { ...clients.get(id)!.image, tag } });
  return { ...base, clients, upgrades: [...base.upgrades, ...upgrades] };
}

const node = (chainKey: string, clients: Record<string, string>) => ({ chainKey, clients });
const NOW = new Date("2026-12-01T00:00:00Z");
const upgrade = (activatesAt: string, minimums: Record<string, string>): Upgrade => ({
  chain: "ethereum",
  network: "mainnet",
  name: "Test",
  activatesAt,
  minimums,
  source: "test",
  asOf: "2026-12-01",
});

describe("image readiness for network upgrades", () => {
  test("versions are read from the tag forms the catalog uses and compared part by part", () => {
    assert.equal(tagVersion("v1.16.7"), "1.16.7");
    assert.equal(tagVersion("multiarch-v25.7.0"), "25.7.0");
    assert.equal(tagVersion("v3.7.1-926f1ab"), "3.7.1");
    assert.equal(tagVersion("29.0"), "29.0");
    assert.ok(compareVersions("1.16.10", "1.16.7") > 0, "10 > 7 numerically, not as text");
    assert.ok(compareVersions("1.101603.5", "1.101511.1") > 0);
    assert.equal(compareVersions("25.11", "25.11.0"), 0);
  });

  test("the bundled pins follow every upgrade that is active today", () => {
    const checks = upgradeChecks(
      catalog(),
      [
        node("ethereum/mainnet", { execution: "geth", consensus: "lighthouse" }),
        node("base/mainnet", { execution: "base-reth-node", rollup: "base-consensus" }),
      ],
      { now: NOW },
    );
    assert.equal(checks.length, 2);
    for (const c of checks) assert.ok(c.ok && c.status === undefined, c.message);
  });

  test("a pin below an active upgrade's minimum fails, naming the client, the minimum and the fix", () => {
    const cat = variant({ geth: "v1.16.1" });
    const [check] = upgradeChecks(cat, [node("ethereum/mainnet", { execution: "geth", consensus: "teku" })], {
      now: NOW,
    });
    assert.equal(check.ok, false);
    assert.match(check.message, /geth 1\.16\.1 is below 1\.16\.7 \(Fusaka, active since 2025-12-03; BPO1/);
    assert.match(check.message, /raise the pin \(sovereign catalog refresh, then --accept\)/);
  });

  test("a pin below an upgrade due inside the window warns with the days left; outside it, nothing", () => {
    const cat = variant({}, [upgrade("2026-12-20T00:00:00Z", { geth: "99.0.0" })]);
    const nodes = [node("ethereum/mainnet", { execution: "geth", consensus: "teku" })];
    const [inside] = upgradeChecks(cat, nodes, { now: NOW, windowDays: 30 });
    assert.deepEqual([inside.ok, inside.status], [true, "warn"]);
    assert.match(inside.message, /geth 1\.17\.10 is below 99\.0\.0 \(Test, due 2026-12-20, in 19 days\)/);
    const [outside] = upgradeChecks(cat, nodes, { now: NOW, windowDays: 10 });
    assert.equal(outside.status, undefined, "19 days ahead is outside 10");
    const [active] = upgradeChecks(cat, nodes, { now: new Date("2026-12-21T00:00:00Z") });
    assert.equal(active.ok, false, "once active, the same pin fails");
  });

  test("a tentative upgrade never fails, even once its date has passed", () => {
    const tentative = { ...upgrade("2026-11-01T00:00:00Z", { geth: "99.0.0" }), tentative: true };
    const [check] = upgradeChecks(
      variant({}, [tentative]),
      [node("ethereum/mainnet", { execution: "geth", consensus: "teku" })],
      { now: NOW },
    );
    assert.deepEqual([check.ok, check.status], [true, "warn"]);
  });

  test("a client without a sourced minimum for a due upgrade is unknown, never ok", () => {
    const [check] = upgradeChecks(catalog(), [node("ethereum/mainnet", { execution: "erigon", consensus: "teku" })], {
      now: NOW,
    });
    assert.deepEqual([check.ok, check.status], [true, "unknown"]);
    assert.match(check.message, /no sourced minimum for erigon \(Fusaka, active since 2025-12-03/);
    const erigon = catalogReadiness(catalog(), { now: NOW }).filter((r) => r.client === "erigon");
    assert.ok(erigon.length > 0 && erigon.every((r) => r.readiness === "unknown"));
  });

  test("an upgrade that names only another layer's clients does not concern this one", () => {
    // Polygon's Chicago names bor (execution): Heimdall (consensus) is neither ready nor unknown for it.
    const rows = catalogReadiness(catalog(), { now: NOW }).filter((r) => r.client === "heimdall");
    assert.ok(rows.length > 0 && !rows.some((r) => r.upgrade === "Chicago"));
    assert.ok(rows.some((r) => r.upgrade === "Purley" && r.readiness === "ready"));
  });

  test("a schedule that is missing, unverified or older than the limit makes readiness unknown", () => {
    const base = catalog();
    const nodes = [node("bitcoin/mainnet", { node: "bitcoind" })];
    const [fresh] = upgradeChecks(base, nodes, { now: NOW });
    assert.equal(fresh.status, undefined, fresh.message);
    const late = new Date(Date.parse(base.schedules.find((s) => s.chain === "bitcoin")!.asOf) + 31 * 86_400_000);
    const [stale] = upgradeChecks(base, nodes, { now: late });
    assert.equal(stale.status, "unknown");
    assert.match(stale.message, /bitcoin\/mainnet was last checked .* \(31 days ago, over 30\)/);
    assert.equal(upgradeChecks(base, nodes, { now: late, scheduleMaxAgeDays: 60 })[0].status, undefined);
    const without = { ...base, schedules: base.schedules.filter((s) => s.chain !== "bitcoin") };
    assert.match(upgradeChecks(without, nodes, { now: NOW })[0].message, /no upgrade schedule for bitcoin\/mainnet/);
    const [unverified] = upgradeChecks(base, [node("xrpl/testnet", { node: "xrpld" })], { now: NOW });
    assert.equal(unverified.status, "unknown");
  });

  test("`catalog images --format json` is structured data with readiness per upgrade", () => {
    const r = spawnSync(
      process.execPath,
      [join(ROOT, "bin", "sovereign.js"), "catalog", "images", "--format", "json"],
      { encoding: "utf8" },
    );
    assert.equal(r.status, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.kind, "catalog.images");
    const geth = doc.items.find((i: { client: string }) => i.client === "geth");
    assert.equal(typeof geth.ageDays, "number");
    assert.ok(
      Array.isArray(geth.upgrades) && geth.upgrades.some((u: { readiness: string }) => u.readiness === "ready"),
    );
  });

  test("`plan --upgrade-window` refuses a value that is not a whole number of days (exit 2)", () => {
    const r = spawnSync(process.execPath, [join(ROOT, "bin", "sovereign.js"), "plan", "--upgrade-window", "soon"], {
      encoding: "utf8",
    });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--upgrade-window: must be a whole number of days/);
  });
});
