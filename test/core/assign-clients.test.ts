import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { assignClients } from "../../core/planner/clients";

const count = (list: string[]) => list.reduce((m, c) => m.set(c, (m.get(c) ?? 0) + 1), new Map<string, number>());

test("with a budget, the solver's client counts are used exactly", () => {
  fc.assert(
    fc.property(
      fc.array(fc.constantFrom("aws", "gcp", "akash"), { minLength: 1, maxLength: 20 }),
      fc.array(fc.constantFrom("geth", "nethermind", "reth"), { maxLength: 20 }),
      (operators, previous) => {
        const allowed = ["geth", "nethermind", "reth"];
        // Any split of the nodes over the clients is a budget the solver could return.
        const split = operators.map((_, i) => allowed[(i * 7) % 3]);
        const budget = count(split);
        const out = assignClients(
          operators.map((operator, i) => ({ operator, previous: previous[i] })),
          allowed,
          budget,
          new Map(),
        );
        assert.deepEqual(count(out), budget);
      },
    ),
  );
});

test("nodes that existed keep their client; new ones avoid clients their operator already runs", () => {
  const out = assignClients(
    [
      { operator: "aws", previous: "nethermind" },
      { operator: "aws" },
      { operator: "gcp", previous: "geth" },
      { operator: "gcp" },
    ],
    ["geth", "nethermind", "reth"],
    undefined,
    new Map(),
  );
  assert.equal(out[0], "nethermind");
  assert.equal(out[2], "geth");
  assert.notEqual(out[1], "nethermind", "aws already runs nethermind");
  assert.notEqual(out[3], "geth", "gcp already runs geth");
});

test("without a previous plan and a budget, clients spread evenly", () => {
  const out = assignClients(
    Array.from({ length: 6 }, (_, i) => ({ operator: `op${i % 2}` })),
    ["a", "b", "c"],
    undefined,
    new Map(),
  );
  assert.deepEqual([...count(out).values()], [2, 2, 2]);
});

test("a previous client is given up when the budget has no room for it", () => {
  const out = assignClients(
    [
      { operator: "x", previous: "a" },
      { operator: "y", previous: "a" },
    ],
    ["a", "b"],
    new Map([
      ["a", 1],
      ["b", 1],
    ]),
    new Map(),
  );
  assert.deepEqual(out, ["a", "b"]);
});

test("a node whose site refuses a client never gets it, and the budget still adds up when it can", () => {
  fc.assert(
    fc.property(fc.array(fc.boolean(), { minLength: 1, maxLength: 12 }), (onAkash) => {
      const allowed = ["prysm", "lighthouse", "teku"];
      const refuses = new Set(["prysm"]);
      // A budget the other nodes can absorb: prysm only as many times as there are non-Akash nodes.
      const free = onAkash.filter((a) => !a).length;
      const budget = new Map([
        ["prysm", Math.min(free, 1)],
        ["lighthouse", 0],
        ["teku", 0],
      ]);
      budget.set("lighthouse", onAkash.length - budget.get("prysm")!);
      const out = assignClients(
        onAkash.map((a, i) => ({ operator: a ? "akash" : `op${i}`, refuses: a ? refuses : undefined })),
        allowed,
        budget,
        new Map(),
      );
      onAkash.forEach((a, i) => a && assert.notEqual(out[i], "prysm"));
      assert.deepEqual(count(out), new Map([...budget].filter(([, n]) => n > 0)));
    }),
  );
});
