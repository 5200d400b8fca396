/**
 * The planner keeps clients off sites that cannot run them: on Akash, a client that reads the engine
 * JWT from a file needs its image entrypoint (prysm's image has no shell), so such a node would
 * only fail at render or deploy. The SDL of every Akash node the planner makes renders.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { InfeasibleError } from "../../core/errors";
import { planFleet } from "../../core/planner/plan";
import { renderSdl } from "../../core/workload/sdl";
import { catalog as loadCatalog, fleetOf, rejects } from "../core/helpers";

const catalog = loadCatalog();

describe("clients that cannot run on Akash are never planned there", () => {
  test("ethereum on Akash and AWS with prysm allowed: no Akash node gets prysm, and every Akash SDL renders", async () => {
    const plan = await planFleet(
      fleetOf({
        name: "t",
        chains: [{ chain: "ethereum", count: 4, clients: { consensus: ["prysm", "lighthouse"] } }],
        sites: { aws: { regions: ["us-east-1"] }, akash: { maxNodes: 2 } },
      }),
      catalog,
    );
    const onAkash = plan.nodes.filter((n) => n.provider === "akash");
    assert.equal(onAkash.length, 2, "Akash is the cheapest site, so it takes its quota");
    for (const n of onAkash) {
      assert.notEqual(n.clients.consensus, "prysm", n.id);
      assert.doesNotThrow(() => renderSdl(n, catalog), n.id);
    }
    assert.ok(
      plan.nodes.some((n) => n.clients.consensus === "prysm"),
      "prysm still runs where it can (the client cap spreads the consensus clients)",
    );
  });

  test("an entry that allows only prysm is refused on Akash with the reason and the fix", async () => {
    const err = await rejects(
      () =>
        planFleet(
          fleetOf({
            name: "t",
            chains: [{ chain: "ethereum", count: 1, clients: { consensus: ["prysm"] } }],
            sites: { akash: {} },
          }),
          catalog,
        ),
      InfeasibleError,
    );
    assert.match(
      err.reasons.join("\n"),
      /none of the allowed consensus clients \(prysm\) can run on akash.*allow another consensus client/,
    );
  });
});
