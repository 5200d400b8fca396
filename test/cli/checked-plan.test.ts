import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import type { Catalog } from "../../core/catalog/load";
import type { Upgrade } from "../../core/catalog/schema";
import { planFleet } from "../../core/planner/plan";
import { planChecked } from "../../core/planner/checked";
import { brokenChecksNote } from "../../cli/options";
import { catalog, exampleText, fleetFromYaml } from "../core/helpers";

/** An upgrade active since January whose minimums no bundled Ethereum execution client reaches. */
const UNREACHED: Upgrade = {
  chain: "ethereum",
  network: "mainnet",
  name: "Unreached",
  activatesAt: "2026-01-01T00:00:00Z",
  minimums: { geth: "99.0.0", nethermind: "99.0.0", reth: "99.0.0", besu: "99.0.0", erigon: "99.0.0" },
  source: "test",
  asOf: "2026-12-01",
};

const withUpgrade = (base: Catalog): Catalog => ({ ...base, upgrades: [...base.upgrades, UNREACHED] });
const NOW = { now: new Date("2026-12-07T00:00:00Z") };

describe("one checked plan for plan, validate, outage, render and the program", () => {
  test("a pin below an active upgrade's minimum breaks the checked plan, not the solver's", async () => {
    const cat = withUpgrade(catalog());
    const fleet = fleetFromYaml(exampleText());
    const solved = await planFleet(fleet, cat);
    assert.ok(solved.policy.satisfied, "the solver alone does not read the upgrades");
    const checked = await planChecked(fleet, cat, {}, NOW);
    assert.equal(checked.policy.satisfied, false);
    const broken = checked.policy.checks.filter((c) => !c.ok);
    assert.ok(broken.length > 0);
    assert.ok(
      broken.every((c) => /below 99\.0\.0/.test(c.message)),
      broken.map((c) => c.message).join("\n"),
    );
    // What outage and render print on stderr names the same breach plan reports.
    const note = brokenChecksNote(checked);
    assert.match(note, /the plan breaks .*below 99\.0\.0 .*Unreached/);
    assert.equal(brokenChecksNote(await planChecked(fleet, catalog(), {}, NOW)), "");
  });

  test("every command that plans goes through the checked plan", () => {
    for (const file of ["plan", "validate", "outage", "render"]) {
      const text = readFileSync(`${__dirname}/../../cli/commands/${file}.ts`, "utf8");
      assert.match(text, /planChecked\(/, file);
      assert.doesNotMatch(text, /planFleet\(/, file);
    }
    const program = readFileSync(`${__dirname}/../../program/deploy.ts`, "utf8");
    assert.match(program, /planChecked\(/);
    assert.doesNotMatch(program, /planFleet\(/);
  });
});
