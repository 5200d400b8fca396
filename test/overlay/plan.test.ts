/**
 * The overlay plan (core/overlay): addresses inside the CIDR, unique, independent of input order and
 * stable when machines join or leave; pinned addresses kept; peers (gateways with everyone, nodes
 * only with gateways); the rendered WireGuard configuration; public keys equal to `wg pubkey`'s.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import fc from "fast-check";
import type { Plan } from "../../core/plan";
import {
  assignAddresses,
  contains,
  gatewaySources,
  machineOf,
  parseOverlayCidr,
  planOverlay,
  renderWgQuick,
  renderWgSetconf,
  wireGuardPublicKey,
  type OverlayPlan,
} from "../../core/overlay";

type Item = { id: string; host?: string; provider: string; operator: string };
function plan(
  nodes: Item[],
  gateways: Item[],
  hosts: Array<{ name: string; address: string; operator: string }>,
): Pick<Plan, "nodes" | "gateways" | "hosts"> {
  return {
    nodes: nodes as Plan["nodes"],
    gateways: gateways as Plan["gateways"],
    hosts: hosts.map((h) => ({ ...h, ssh: { user: "root", port: 22 }, monthlyUsd: 0, nodes: [] })),
  };
}

const LAB = plan(
  [
    { id: "devnet-1-h4", host: "h4", provider: "baremetal", operator: "hetzner" },
    { id: "devnet-2-h4", host: "h4", provider: "baremetal", operator: "hetzner" },
    { id: "devnet-3-h5", host: "h5", provider: "baremetal", operator: "ovh" },
    { id: "devnet-4-aws", provider: "aws", operator: "aws" },
  ],
  [
    { id: "gateway-h6", host: "h6", provider: "baremetal", operator: "home" },
    { id: "gateway-gcp", provider: "gcp", operator: "gcp" },
  ],
  [
    { name: "h4", address: "10.77.0.14", operator: "hetzner" },
    { name: "h5", address: "10.77.0.15", operator: "ovh" },
    { name: "h6", address: "10.77.0.16", operator: "home" },
  ],
);

describe("overlay addresses", () => {
  test("one address per machine, inside the CIDR, never the network or broadcast address", () => {
    const cidr = parseOverlayCidr("10.9.0.0/29");
    const names = ["a", "b", "c", "d", "e", "f"];
    const got = assignAddresses(cidr, names);
    assert.equal(new Set(got.values()).size, 6);
    for (const ip of got.values()) assert.ok(contains(cidr, ip) && ip !== "10.9.0.0" && ip !== "10.9.0.7", ip);
    assert.throws(
      () => assignAddresses(cidr, [...names, "g"]),
      /overlay\.cidr 10\.9\.0\.0\/29 holds 6 machines; the fleet has 7: use a larger CIDR/,
    );
  });

  test("the same for any input order, and a machine keeps its address when others join or leave", () => {
    const cidr = parseOverlayCidr("100.72.0.0/24");
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9-]{0,12}$/), { minLength: 2, maxLength: 40 }),
        fc.integer({ min: 0, max: 1000 }),
        (names, seed) => {
          const base = assignAddresses(cidr, names);
          const shuffled = [...names].sort(() => (seed = (seed * 9301 + 49297) % 233280) / 233280 - 0.5);
          assert.deepEqual([...assignAddresses(cidr, shuffled)].sort(), [...base].sort());
          // a machine leaves and another joins, with the deployed addresses as pins: nobody else moves
          const [gone, ...rest] = names;
          const next = assignAddresses(cidr, [...rest, `${gone}-new`], Object.fromEntries(base));
          for (const n of rest) assert.equal(next.get(n), base.get(n), `${n} moved`);
          assert.equal(new Set(next.values()).size, rest.length + 1);
        },
      ),
      { numRuns: 200 },
    );
  });

  test("pins outside the CIDR or taken twice are not kept", () => {
    const cidr = parseOverlayCidr("100.72.0.0/16");
    const got = assignAddresses(cidr, ["a", "b", "c"], { a: "100.72.5.5", b: "100.72.5.5", c: "10.0.0.1" });
    assert.equal(got.get("a"), "100.72.5.5");
    assert.notEqual(got.get("b"), "100.72.5.5");
    assert.ok(contains(cidr, got.get("c")!));
  });

  test("bad CIDRs are refused with the field and the fix", () => {
    assert.throws(
      () => parseOverlayCidr("100.72.0.1/16"),
      /overlay\.cidr: '100\.72\.0\.1\/16' has host bits set; the network is 100\.72\.0\.0\/16/,
    );
    assert.throws(
      () => parseOverlayCidr("fd00::/64"),
      /overlay\.cidr: 'fd00::\/64' is not an IPv4 CIDR with a prefix of \/8 to \/29/,
    );
    assert.throws(() => parseOverlayCidr("10.0.0.0/30", "sovereign:overlayCidr"), /^Error: sovereign:overlayCidr: /);
    assert.throws(() => planOverlay(LAB, { listenPort: 70000 }), /overlay\.listenPort: 70000 is not a UDP port/);
    assert.throws(() => planOverlay(LAB, { interface: "a-very-long-interface" }), /overlay\.interface/);
  });
});

describe("overlay plan", () => {
  const overlay = planOverlay(LAB);

  test("nodes sharing a host are one machine, reached at the host's address; cloud VMs are one machine each", () => {
    assert.deepEqual(
      overlay.machines.map((m) => [m.name, m.kind, m.endpoint ?? null, m.nodes, m.gateways]),
      [
        ["devnet-4-aws", "vm", null, ["devnet-4-aws"], []],
        ["gateway-gcp", "vm", null, [], ["gateway-gcp"]],
        ["h4", "host", "10.77.0.14", ["devnet-1-h4", "devnet-2-h4"], []],
        ["h5", "host", "10.77.0.15", ["devnet-3-h5"], []],
        ["h6", "host", "10.77.0.16", [], ["gateway-h6"]],
      ],
    );
    assert.equal(machineOf(overlay, "devnet-2-h4").name, "h4");
    assert.throws(() => machineOf(overlay, "nope"), /nope runs on no machine of the overlay/);
  });

  test("gateways peer with every machine; node machines only with gateways", () => {
    const peers: Record<string, string[]> = Object.fromEntries(overlay.machines.map((m) => [m.name, m.peers]));
    // symmetric: WireGuard needs both ends to know each other
    for (const m of overlay.machines)
      for (const p of m.peers) assert.ok(peers[p].includes(m.name), `${p} knows ${m.name}`);
    assert.deepEqual(peers, {
      "devnet-4-aws": ["gateway-gcp", "h6"],
      "gateway-gcp": ["devnet-4-aws", "h4", "h5", "h6"],
      h4: ["gateway-gcp", "h6"],
      h5: ["gateway-gcp", "h6"],
      h6: ["devnet-4-aws", "gateway-gcp", "h4", "h5"],
    });
  });

  test("a monitor beside a node peers with every machine, and every machine with it (symmetric)", () => {
    const withMonitor = planOverlay({
      ...LAB,
      monitors: [{ id: "monitor-h4-1", host: "h4", provider: "baremetal", operator: "hetzner" }] as Plan["monitors"],
    });
    const peers: Record<string, string[]> = Object.fromEntries(withMonitor.machines.map((m) => [m.name, m.peers]));
    for (const m of withMonitor.machines)
      for (const p of m.peers) assert.ok(peers[p].includes(m.name), `${p} knows ${m.name}`);
    assert.deepEqual(peers.h4, ["devnet-4-aws", "gateway-gcp", "h5", "h6"]);
  });

  test("node RPC is opened to the gateways' overlay addresses only", () => {
    const gw = overlay.machines
      .filter((m) => m.gateways.length)
      .map((m) => `${m.address}/32`)
      .sort();
    assert.deepEqual(gatewaySources(overlay).sort(), gw);
    assert.equal(gw.length, 2);
  });

  test("a plan grown by a node keeps every machine's address when the deployed addresses are passed", () => {
    const grown = plan(
      [...(LAB.nodes as Item[]), { id: "devnet-5-azure", provider: "azure", operator: "azure" }],
      LAB.gateways as Item[],
      LAB.hosts,
    );
    const previous = Object.fromEntries(overlay.machines.map((m) => [m.name, m.address]));
    const next = planOverlay(grown, { previous });
    for (const m of overlay.machines) assert.equal(next.machines.find((x) => x.name === m.name)!.address, m.address);
  });

  test("a node on a host the plan does not list is an error", () => {
    assert.throws(
      () => planOverlay(plan([{ id: "n", host: "ghost", provider: "baremetal", operator: "x" }], [], [])),
      /n: host ghost is not in the plan's hosts/,
    );
  });
});

describe("WireGuard configuration", () => {
  const overlay: OverlayPlan = planOverlay(LAB);
  const keys = Object.fromEntries(overlay.machines.map((m) => [m.name, randomBytes(32).toString("base64")]));
  const peers = Object.fromEntries(
    overlay.machines.map((m) => [m.name, { publicKey: wireGuardPublicKey(keys[m.name]) }]),
  );
  const h4 = overlay.machines.find((m) => m.name === "h4")!;

  test("setconf: own key and port, one peer per gateway with its overlay /32, the host endpoint when known", () => {
    const text = renderWgSetconf(overlay, h4, keys.h4, {
      ...peers,
      "gateway-gcp": { ...peers["gateway-gcp"], endpoint: "203.0.113.9" },
    });
    const sections = text.split(/\n(?=\[)/).slice(1);
    assert.match(
      sections[0],
      new RegExp(`\\[Interface\\]\\nPrivateKey = ${keys.h4.replace(/[+/]/g, "\\$&")}\\nListenPort = 51820`),
    );
    const peerSections = sections.slice(1);
    assert.equal(peerSections.length, 2);
    const gcp = overlay.machines.find((m) => m.name === "gateway-gcp")!;
    const h6 = overlay.machines.find((m) => m.name === "h6")!;
    assert.match(peerSections[0], new RegExp(`AllowedIPs = ${gcp.address}/32\\nEndpoint = 203\\.0\\.113\\.9:51820`));
    assert.match(peerSections[1], new RegExp(`AllowedIPs = ${h6.address}/32\\nEndpoint = 10\\.77\\.0\\.16:51820`));
    assert.doesNotMatch(text, /Address =/, "wg setconf has no Address key");
    for (const name of ["gateway-gcp", "h6"]) assert.ok(text.includes(`PublicKey = ${peers[name].publicKey}`));
  });

  test("wg-quick adds the address and MTU; a peer without a known endpoint gets none (it learns it)", () => {
    const aws = overlay.machines.find((m) => m.name === "devnet-4-aws")!;
    const text = renderWgQuick(overlay, aws, keys["devnet-4-aws"], peers);
    assert.match(text, new RegExp(`Address = ${aws.address}/16\\nMTU = 1420`));
    const gcpPeer = text.split("[Peer]").find((s) => s.includes("gateway gateway-gcp"))!;
    assert.doesNotMatch(gcpPeer, /Endpoint/);
  });

  test("a missing or malformed key is refused, never rendered", () => {
    assert.throws(
      () => renderWgSetconf(overlay, h4, "not-a-key", peers),
      /h4: the private key is not a base64 WireGuard key/,
    );
    const { h6: _, ...withoutH6 } = peers;
    assert.throws(() => renderWgSetconf(overlay, h4, keys.h4, withoutH6), /h4: no valid public key for peer h6/);
  });

  test("public keys are what `wg pubkey` computes (wireguard-tools, installed by e2e/lab/setup.sh)", () => {
    assert.equal(spawnSync("wg", ["--version"]).status, 0, "wg not found: apt-get install wireguard-tools");
    for (const key of [...Object.values(keys), spawnSync("wg", ["genkey"], { encoding: "utf8" }).stdout.trim()]) {
      assert.equal(
        wireGuardPublicKey(key),
        spawnSync("wg", ["pubkey"], { input: key, encoding: "utf8" }).stdout.trim(),
      );
    }
  });
});
