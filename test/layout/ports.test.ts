/** hostPortOffsets (core/layout/ports.ts): nodes sharing a bare-metal host never clash and never move. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compareNodeIds, hostPortOffsets, type PortUser } from "../../core/layout";

function assertNoClash(offsets: Map<string, number>, nodes: PortUser[]): void {
  const seen = new Map<number, string>();
  for (const n of nodes) {
    for (const p of n.ports) {
      const hostPort = p + offsets.get(n.id)!;
      assert.ok(!seen.has(hostPort), `${n.id} and ${seen.get(hostPort)} both publish ${hostPort}`);
      seen.set(hostPort, n.id);
    }
  }
}

const devnet = (i: number): PortUser => ({ id: `devnet-lab-1-${i}`, ports: [8545] });

describe("hostPortOffsets", () => {
  it("gives the first node 0 and a second node with the same RPC port a non-clashing offset", () => {
    const nodes = [devnet(2), devnet(1)];
    const offsets = hostPortOffsets(nodes);
    assert.equal(offsets.get("devnet-lab-1-1"), 0);
    assert.equal(offsets.get("devnet-lab-1-2"), 10);
    assertNoClash(offsets, nodes);
  });

  it("a tenth node moves none of the nine before it (ids ordered by number, not as text)", () => {
    const nine = Array.from({ length: 9 }, (_, i) => devnet(i + 1));
    const before = hostPortOffsets(nine);
    const after = hostPortOffsets([...nine, devnet(10), devnet(11)]);
    for (const n of nine) assert.equal(after.get(n.id), before.get(n.id), n.id);
    assert.equal(after.get("devnet-lab-1-10"), 90);
    assertNoClash(after, [...nine, devnet(10), devnet(11)]);
  });

  it("deployed nodes keep their offsets whatever sorts before them", () => {
    const eth = { id: "ethereum-lab-1-1", ports: [8545, 8546, 5052] };
    const deployed = hostPortOffsets([eth]);
    // A new chain whose id sorts first and whose RPC port is the same: without `previous` it would take 0.
    const arb = { id: "arbitrum-lab-1-1", ports: [8545] };
    assert.equal(hostPortOffsets([arb, eth]).get(eth.id), 10, "text order alone moves the deployed node");
    const after = hostPortOffsets([arb, eth], deployed);
    assert.equal(after.get(eth.id), 0);
    assert.equal(after.get(arb.id), 10);
    assertNoClash(after, [arb, eth]);
  });

  it("a deployed offset that now clashes with another kept node is given up, not shared", () => {
    const a = { id: "x-1", ports: [8545] };
    const b = { id: "x-2", ports: [8545] };
    const offsets = hostPortOffsets(
      [a, b],
      new Map([
        ["x-1", 0],
        ["x-2", 0],
      ]),
    );
    assert.equal(offsets.get("x-1"), 0);
    assert.equal(offsets.get("x-2"), 10);
  });

  it("nodes without shared ports stay at 0", () => {
    const offsets = hostPortOffsets([
      { id: "x-1", ports: [8545] },
      { id: "x-2", ports: [26657] },
    ]);
    assert.deepEqual([...offsets.values()], [0, 0]);
  });

  it("orders ids numerically", () => {
    assert.deepEqual(["n-10", "n-9", "n-1", "m-2"].sort(compareNodeIds), ["m-2", "n-1", "n-9", "n-10"]);
  });
});
