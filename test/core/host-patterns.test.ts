import { test } from "node:test";
import assert from "node:assert/strict";
import type { BareMetalHost } from "../../core/fleet-spec/schema";
import { packByPatterns, patternRows } from "../../core/planner/host-patterns";
import { Lp } from "../../core/planner/lp";
import { solveModel } from "../../core/planner/solve";
import { packGroup } from "./helpers";

const host = { name: "h", cpu: 32, memoryGb: 128, diskGb: 7680, disk: "nvme" } as BareMetalHost;

test("pattern rows hold a class to what its hosts pack, and the packing is read off the patterns", async () => {
  // Two chains of the same size and P2P port (one host runs one of them) and a big one without ports.
  const eth = packGroup(0, 8, 3000, ["30303/tcp"]);
  const sepolia = packGroup(1, 8, 3000, ["30303/tcp"]);
  const big = packGroup(2, 4, 5000);
  const lp = new Lp();
  const x = [eth, sepolia, big].map(() => lp.column(0, 0, 9));
  const rented = lp.column(1, 0, 6);
  const k = patternRows(lp, host, 6, rented, new Map([eth, sepolia, big].map((g, j) => [g, x[j]])), new Map())!;
  assert.deepEqual(
    k.kinds.map((kind) => kind.map((g) => g.index)),
    [[0, 1], [2]],
    "same size and ports: one kind",
  );
  // The disk of 3 hosts holds the 21,000 GB, but no host holds two big nodes or a big one and another:
  // 3 hosts for the big nodes, 2 for the port ones.
  lp.equal([[x[0], 1]], 1);
  lp.equal([[x[1], 1]], 1);
  lp.equal([[x[2], 1]], 3);
  const solution = await solveModel(lp.arrays());
  assert.equal(solution.status, "optimal");
  assert.equal(solution.values[rented], 5);
  const items = [eth, sepolia, big].map((group, j) => ({ group, count: solution.values[x[j]] }));
  const packed = packByPatterns(k, 5, items, solution.values);
  items.forEach((item, j) =>
    assert.equal(
      packed.reduce((a, row) => a + row[j], 0),
      item.count,
    ),
  );
  for (const row of packed) {
    assert.ok(row[0] + row[1] <= 1, "one node per P2P port per host");
    assert.ok(row.reduce((a, n, j) => a + n * items[j].group.profile.diskGb, 0) <= host.diskGb, "disk");
    assert.ok(row.reduce((a, n, j) => a + n * items[j].group.profile.vcpu, 0) <= host.cpu, "CPU");
  }
});
