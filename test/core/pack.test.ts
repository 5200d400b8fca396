import { test } from "node:test";
import assert from "node:assert/strict";
import type { NodeGroup } from "../../core/fleet-spec/resolve";
import type { BareMetalHost } from "../../core/fleet-spec/schema";
import { packExactly, packHosts } from "../../core/planner/pack";
import { packGroup } from "./helpers";

const host = (name: string): BareMetalHost =>
  ({
    name,
    address: "192.0.2.1",
    operator: "o",
    country: "DE",
    monthlyUsd: 1,
    cpu: 32,
    memoryGb: 128,
    diskGb: 7680,
    disk: "nvme",
  }) as BareMetalHost;
const group = (index: number, diskGb: number, p2pPorts: string[] = []) => packGroup(index, 4, diskGb, p2pPorts);
const perHost = (packed: number[][], items: Array<{ group: NodeGroup }>) =>
  packed.map((row) => row.reduce((a, n, j) => a + n * items[j].group.profile.diskGb, 0));

test("first fit keeps one node per P2P port per host and every host's disk", () => {
  const evm = group(0, 2000, ["30303/tcp"]);
  const btc = group(1, 1000, ["8333/tcp"]);
  const items = [
    { group: evm, count: 2 },
    { group: btc, count: 2 },
  ];
  const packed = packHosts([host("a"), host("b")], items)!;
  assert.deepEqual(packed, [
    [1, 1],
    [1, 1],
  ]);
  assert.equal(packHosts([host("a")], items), undefined, "two nodes on one P2P port need two hosts");
});

test("where first fit runs out of room, the exact packing finds one; where none exists it says so", async () => {
  // 2 hosts of 10,000 GB: first fit largest first puts both 4,000s on one host and then cannot place
  // the last 3,000; 4,000 + 3,000 + 3,000 on each host fits exactly.
  const big = (name: string) => ({ ...host(name), diskGb: 10000 });
  const items = [
    { group: group(0, 4000), count: 2 },
    { group: group(1, 3000), count: 4 },
  ];
  const hosts = [big("a"), big("b")];
  assert.equal(packHosts(hosts, items), undefined);
  const packed = (await packExactly(hosts, items, [], 10))!;
  assert.ok(packed, "an exact packing exists");
  assert.deepEqual(packed, [
    [1, 2],
    [1, 2],
  ]);
  for (const used of perHost(packed, items)) assert.ok(used <= 10000, `a host holds ${used} GB`);
  // One P2P port for both entries: at most one of their nodes per host, so 6 nodes cannot fit 2 hosts.
  const ports = [
    { group: group(0, 4000, ["30303/tcp"]), count: 2 },
    { group: group(1, 3000, ["30303/tcp"]), count: 4 },
  ];
  assert.equal(await packExactly(hosts, ports, [new Set(ports.map((i) => i.group))], 10), undefined);
});
