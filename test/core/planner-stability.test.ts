import assert from "node:assert/strict";
import { test } from "node:test";
import { loadCatalog } from "../../core/catalog/load";
import { planFleet } from "../../core/planner/plan";
import { parseFleetFile } from "../../core/fleet-spec/parse";
import { resolveFleet } from "../../core/fleet-spec/resolve";
import type { FleetSpec } from "../../core/fleet-spec/schema";

const catalog = loadCatalog();
const example = parseFleetFile(`${__dirname}/../../examples/fleet.yaml`);
const withCounts = (ethereum: number, bitcoin = 3): FleetSpec => ({
  ...example,
  budget: undefined,
  chains: example.chains.map((c) => ({ ...c, count: c.chain === "ethereum" ? ethereum : bitcoin })),
});
const withEthereum = (count: number) => withCounts(count);
const plan = (spec: FleetSpec, previous?: Awaited<ReturnType<typeof planFleet>>["nodes"]) =>
  planFleet(resolveFleet(spec, catalog), catalog, { previous });

test("growing a chain by one node keeps every deployed node's site and clients", async () => {
  const before = await plan(withCounts(6, 3));
  const after = await plan(withCounts(6, 4), before.nodes);
  const now = new Map(after.nodes.map((n) => [n.id, n]));
  for (const node of before.nodes) {
    assert.equal(now.get(node.id)?.site, node.site, `${node.id} stays at ${node.site}`);
    assert.deepEqual(now.get(node.id)?.clients, node.clients, `${node.id} keeps its clients`);
  }
  assert.equal(after.nodes.length, before.nodes.length + 1);
  assert.deepEqual(after.stability, { previous: before.nodes.length, kept: before.nodes.length, moved: false });
  assert.equal(after.policy.satisfied, true);
});

test("without a previous plan the same spec may reshuffle clients; with it nothing changes", async () => {
  const first = await plan(withEthereum(6));
  const again = await plan(withEthereum(6), first.nodes);
  assert.deepEqual(
    again.nodes.map((n) => [n.id, n.site, n.clients]),
    first.nodes.map((n) => [n.id, n.site, n.clients]),
  );
  assert.equal(again.totals.monthlyUsd, first.totals.monthlyUsd);
});

test("a previous plan that breaks the rules is re-planned and says so", async () => {
  const first = await plan(withEthereum(6));
  // Pretend every ethereum node ran geth: the client cap (0.34) cannot keep that.
  const tampered = first.nodes.map((n) =>
    n.chain === "ethereum" ? { ...n, clients: { ...n.clients, execution: "geth" } } : n,
  );
  const next = await plan(withEthereum(6), tampered);
  assert.equal(next.policy.satisfied, true);
  assert.ok(next.stability!.kept < first.nodes.length);
});

test("nodes whose P2P ports meet never share a host, and an impossible spec says why", async () => {
  const host = (name: string) => ({
    name,
    address: `192.0.2.${name.slice(1)}`,
    operator: "hetzner",
    country: "DE",
    monthlyUsd: 100,
    cpu: 64,
    memoryGb: 256,
    diskGb: 20000,
    disk: "nvme" as const,
  });
  const spec = (hosts: number): FleetSpec => ({
    name: "t",
    chains: [
      { chain: "ethereum", role: "full", count: 2 },
      { chain: "bitcoin", role: "full", count: 1 },
    ],
    sites: { baremetal: { hosts: Array.from({ length: hosts }, (_, i) => host(`h${i + 1}`)) } },
    policy: {},
  });
  const two = await planFleet(resolveFleet(spec(2), catalog), catalog);
  const onHost = (h: string) =>
    two.nodes
      .filter((n) => n.host === h)
      .map((n) => n.chain)
      .sort();
  // One ethereum node per host; bitcoin (port 8333) may join either.
  assert.deepEqual(
    [onHost("h1"), onHost("h2")].map((l) => l.filter((c) => c === "ethereum").length),
    [1, 1],
  );
  await assert.rejects(
    () => planFleet(resolveFleet(spec(1), catalog), catalog),
    (e: Error & { reasons?: string[] }) =>
      /announce P2P ports .* 2 nodes need 2 hosts and only 1 can take one \(h1\)/.test(e.reasons?.join("\n") ?? ""),
  );
});
