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
        node("base/mainnet", { execution: "op-reth", rollup: "op-node" }),
      ],
      { now: NOW },
    );
    assert.ok(checks.length >= 2);
    for (const c of checks) assert.ok(c.ok, c.message);
  });

  test("a pin below an active upgrade's minimum fails, naming the client, the minimum and the fix", () => {
    const cat = variant({ geth: "v1.16.1" });
    const [check] = upgradeChecks(cat, [node("ethereum/mainnet", { execution: "geth", consensus: "teku" })], {
      now: NOW,
    });
    assert.equal(check.ok, false);
    assert.match(check.message, /geth 1\.16\.1 is below 1\.16\.7 \(Fusaka, active since 2025-12-03; BPO2/);
    assert.match(check.message, /raise the pin in catalog\/clients\.yaml/);
  });

  test("an upgrade counts as due only inside the window", () => {
    const cat = variant({}, [upgrade("2026-12-20T00:00:00Z", { geth: "99.0.0" })]);
    const nodes = [node("ethereum/mainnet", { execution: "geth", consensus: "teku" })];
    assert.equal(upgradeChecks(cat, nodes, { now: NOW, windowDays: 30 })[0].ok, false, "19 days ahead is inside 30");
    assert.equal(upgradeChecks(cat, nodes, { now: NOW, windowDays: 10 })[0].ok, true, "19 days ahead is outside 10");
  });

  test("a client without a sourced minimum is named, not failed", () => {
    const [check] = upgradeChecks(catalog(), [node("ethereum/mainnet", { execution: "erigon", consensus: "teku" })], {
      now: NOW,
    });
    assert.equal(check.ok, true);
    assert.match(check.message, /no sourced minimum for erigon/);
    const erigon = catalogReadiness(catalog(), { now: NOW }).filter((r) => r.client === "erigon");
    assert.ok(erigon.length > 0 && erigon.every((r) => r.readiness === "unknown"));
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
