import { test } from "node:test";
import assert from "node:assert/strict";
import type { BareMetalHost } from "../../core/fleet-spec/schema";
import { hostCuts, hostPatterns, patternCut } from "../../core/planner/packing-cuts";
import { solveModel } from "../../core/planner/solve";
import { packGroup } from "./helpers";

const host = { name: "h", cpu: 32, memoryGb: 128, diskGb: 7680, disk: "nvme" } as BareMetalHost;
const group = packGroup;
const linear = async (lp: Parameters<Parameters<typeof patternCut>[3]>[0]) => {
  const r = await solveModel(lp.arrays(), { linearOnly: true });
  return r.status === "optimal" ? r.values : undefined;
};

test("a host's patterns keep its resources and one node per P2P port, maximal only", () => {
  const evm = group(0, 8, 2000, ["30303/tcp"]);
  const plain = group(1, 16, 3500);
  // evm: one per host (port); plain: two by CPU and disk; evm + plain: 24 vCPU, 5,500 GB.
  assert.deepEqual(hostPatterns(host, [evm, plain]), [
    [1, 1],
    [0, 2],
  ]);
});

test("the Martello-Toth rows count a node that no other big one can join as a whole host", () => {
  const archive = group(0, 8, 6000);
  const small = group(1, 8, 2000);
  // Three 6,000 GB nodes take three hosts whole; the 2,000 GB ones need a fourth.
  const cuts = hostCuts([archive, small], host);
  const holds = (x: number[], u: number) =>
    cuts.every((c) => (c.get(archive) ?? 0) * x[0] + (c.get(small) ?? 0) * x[1] <= u + 1e-9);
  assert.equal(holds([3, 2], 3), false);
  assert.equal(holds([3, 2], 4), true);
});

test("a pattern cut refutes nodes that ports and disk together keep off the rented hosts, and no packable ones", async () => {
  // Two 5,000 GB nodes on port 30303 need a host each, and nothing else fits beside them
  // (a 30303 node by port, a 3,500 GB one by disk): the rest needs a third host of its own.
  const poly = group(0, 16, 5000, ["30303/tcp"]);
  const eth = group(1, 8, 2500, ["30303/tcp", "9000/tcp"]);
  const arb = group(2, 16, 3500);
  const items = [
    { group: poly, count: 2 },
    { group: eth, count: 1 },
    { group: arb, count: 2 },
  ];
  const cut = await patternCut(host, items, 3, linear);
  assert.ok(cut, "the cut proves three hosts cannot hold the nodes");
  const lhs = items.reduce((a, i) => a + (cut.get(i.group) ?? 0) * i.count, 0);
  assert.ok(lhs > 3);
  for (const p of hostPatterns(host, [poly, eth, arb])!)
    assert.ok(p[0] * cut.get(poly)! + p[1] * cut.get(eth)! + p[2] * cut.get(arb)! <= 1 + 1e-9, "valid for every host");
  assert.equal(await patternCut(host, items, 4, linear), undefined, "four hosts hold them");
});
