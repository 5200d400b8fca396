/**
 * `sovereign:fleetFile` relative to the project (docs/deploy.md, Pulumi.yaml): Pulumi runs the
 * program in the directory of `main` (program/), so a path resolved against the working directory
 * named program/examples/fleet.yaml and the first `preview` failed.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { ROOT, installMocks, loadStackConfig } from "./harness";

installMocks("paths");
loadStackConfig({ "sovereign:fleetFile": "examples/fleet.yaml" });
const cwd = process.cwd();
after(() => process.chdir(cwd));

describe("relative paths in the stack config", () => {
  it("a relative fleetFile is the project's file, whatever the working directory (program/ under Pulumi)", async () => {
    process.chdir(join(ROOT, "program"));
    const { readConfig } = await import("../../program/config");
    const { planFromConfig } = await import("../../program/deploy");
    const cfg = readConfig();
    assert.equal(cfg.fleetFile, join(ROOT, "examples", "fleet.yaml"));
    assert.equal((await planFromConfig(cfg)).fleet, "eth-rpc-prod");
  });
});
