/**
 * The bare-metal host firewall (core/workload/nftables.ts), read back rule by rule: every rule of
 * the input and forward chains is parsed (an unknown rule fails the test), then packets are judged
 * by the first rule that matches, as nftables does. RPC ports: accepted only from the allow-list
 * (IPv4 and IPv6 sets), dropped from anywhere else; engine/admin/metrics ports always dropped;
 * P2P ports never mentioned. With /usr/sbin/nft, each ruleset is also checked by `nft -c -f`.
 */
import { describe, test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { nftTableName, renderNftables } from "../../core/workload/nftables";
import type { PublishedPort } from "../../core/workload/render";

type Exposure = PublishedPort["exposure"];
type Proto = PublishedPort["protocol"];

const port = (name: string, p: number, protocol: Proto, exposure: Exposure, shift = 0): PublishedPort => ({
  service: "execution",
  client: "test",
  name,
  port: p + shift,
  containerPort: p,
  protocol,
  exposure,
  ...(exposure === "private" ? { hostIp: "127.0.0.1" } : {}),
});

/** geth + lighthouse as Docker publishes them (engine is internal: never published, but a firewall must still drop it). */
const ETH_PORTS: PublishedPort[] = [
  port("p2p", 30303, "tcp", "public"),
  port("p2p-udp", 30303, "udp", "public"),
  port("rpc", 8545, "tcp", "rpc"),
  port("ws", 8546, "tcp", "rpc"),
  port("engine", 8551, "tcp", "internal"),
  port("metrics", 6060, "tcp", "private"),
  { ...port("p2p", 9000, "tcp", "public"), service: "consensus" },
  { ...port("p2p-udp", 9000, "udp", "public"), service: "consensus" },
  { ...port("http", 5052, "tcp", "rpc"), service: "consensus" },
  { ...port("metrics", 5054, "tcp", "private"), service: "consensus" },
  port("dns", 5353, "udp", "rpc"),
  port("stats", 7070, "udp", "private"),
];

const V4 = ["203.0.113.0/24", "198.51.100.7/32"];
const V6 = ["2001:db8:42::/48"];

interface Rule {
  proto: Proto;
  ports: number[];
  family?: "ip" | "ip6";
  set?: string;
  verdict: "accept" | "drop";
  text: string;
}
interface Ruleset {
  table: string;
  sets: Map<string, { type: string; elements: string[] }>;
  input: Rule[];
  forward: Rule[];
  text: string;
}

const INPUT_RULE =
  /^(tcp|udp) dport \{ ([\d, ]+) \}(?: (ip|ip6) saddr @(\w+))?(?: counter)? (accept|drop)(?: comment "[^"]*")?$/;
const FORWARD_RULE =
  /^ct status dnat meta l4proto (tcp|udp) ct original proto-dst \{ ([\d, ]+) \}(?: ct original (ip|ip6) saddr @(\w+))?(?: counter)? (accept|drop)(?: comment "[^"]*")?$/;

/** Parses the ruleset; any line it does not know fails the test, so nothing can hide in it. */
function parseRuleset(text: string): Ruleset {
  const lines = text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"));
  const header = /^table inet (\S+)$/.exec(lines[0]);
  assert.ok(header, `first line: ${lines[0]}`);
  const table = header[1];
  assert.equal(lines[1], `delete table inet ${table}`);
  assert.equal(lines[2], `table inet ${table} {`);
  assert.equal(lines[lines.length - 1], "}");
  const sets = new Map<string, { type: string; elements: string[] }>();
  const chains: Record<string, Rule[]> = {};
  let i = 3;
  while (i < lines.length - 1) {
    const set = /^set (\w+) \{$/.exec(lines[i]);
    if (set) {
      const type = /^type (\w+); flags interval;$/.exec(lines[i + 1]);
      const elements = /^elements = \{ (.+) \}$/.exec(lines[i + 2]);
      assert.ok(type && elements && lines[i + 3] === "}", `set ${set[1]}: ${lines.slice(i, i + 4).join(" | ")}`);
      sets.set(set[1], { type: type[1], elements: elements[1].split(",").map((e) => e.trim()) });
      i += 4;
      continue;
    }
    const chain = /^chain (input|forward) \{$/.exec(lines[i]);
    assert.ok(chain, `unexpected line: ${lines[i]}`);
    const name = chain[1];
    assert.equal(lines[i + 1], `type filter hook ${name} priority filter - 5; policy accept;`);
    i += 2;
    const rules: Rule[] = [];
    for (; lines[i] !== "}"; i++) {
      if (name === "input" && lines[i] === 'iifname "lo" accept' && rules.length === 0) continue;
      const m = (name === "input" ? INPUT_RULE : FORWARD_RULE).exec(lines[i]);
      assert.ok(m, `${name}: rule not understood: ${lines[i]}`);
      rules.push({
        proto: m[1] as Proto,
        ports: m[2].split(",").map((p) => Number(p.trim())),
        family: m[3] as Rule["family"],
        set: m[4],
        verdict: m[5] as Rule["verdict"],
        text: lines[i],
      });
    }
    chains[name] = rules;
    i++;
  }
  assert.ok(chains.input && chains.forward, "both chains");
  return { table, sets, input: chains.input, forward: chains.forward, text };
}

/** Where a packet comes from: an address in the IPv4/IPv6 allow-list, or any other address. */
type Source = "v4-allowed" | "v4-other" | "v6-allowed" | "v6-other";

/** The first matching rule's verdict, or `policy` (accept) when none matches. */
function judge(rules: Rule[], proto: Proto, p: number, source: Source): "accept" | "drop" | "policy" {
  for (const r of rules) {
    if (r.proto !== proto || !r.ports.includes(p)) continue;
    if (r.family) {
      const v6 = source.startsWith("v6");
      if ((r.family === "ip6") !== v6) continue;
      if (!source.endsWith("allowed") || r.set !== (v6 ? "rpc_allow_v6" : "rpc_allow_v4")) continue;
    }
    return r.verdict;
  }
  return "policy";
}

const SOURCES: Source[] = ["v4-allowed", "v4-other", "v6-allowed", "v6-other"];

function checkSemantics(rs: Ruleset, ports: PublishedPort[], v4: string[], v6: string[]) {
  for (const chain of ["input", "forward"] as const) {
    const rules = rs[chain];
    for (const p of ports) {
      for (const source of SOURCES) {
        const got = judge(rules, p.protocol, p.port, source);
        const where = `${chain}: ${p.name} ${p.port}/${p.protocol} (${p.exposure}) from ${source}`;
        if (p.exposure === "public") assert.equal(got, "policy", `${where}: no rule may touch a P2P port`);
        else if (p.exposure === "rpc") {
          const allowed = (source === "v4-allowed" && v4.length > 0) || (source === "v6-allowed" && v6.length > 0);
          assert.equal(got, allowed ? "accept" : "drop", where);
        } else assert.equal(got, "drop", where);
      }
    }
  }
  // Public ports appear in no rule at all (unless another exposure shares the number and protocol).
  const closedOrRpc = new Set(ports.filter((p) => p.exposure !== "public").map((p) => `${p.port}/${p.protocol}`));
  for (const p of ports.filter((x) => x.exposure === "public" && !closedOrRpc.has(`${x.port}/${x.protocol}`))) {
    for (const r of [...rs.input, ...rs.forward])
      assert.ok(!(r.proto === p.protocol && r.ports.includes(p.port)), `${p.port}/${p.protocol} is in: ${r.text}`);
  }
  // Sets hold exactly the allow-list, and exist only when it is not empty.
  assert.deepEqual(rs.sets.get("rpc_allow_v4")?.elements ?? [], v4);
  assert.deepEqual(rs.sets.get("rpc_allow_v6")?.elements ?? [], v6);
  if (v4.length) assert.equal(rs.sets.get("rpc_allow_v4")!.type, "ipv4_addr");
  if (v6.length) assert.equal(rs.sets.get("rpc_allow_v6")!.type, "ipv6_addr");
  assert.deepEqual([...rs.sets.keys()].sort(), [
    ...(v4.length ? ["rpc_allow_v4"] : []),
    ...(v6.length ? ["rpc_allow_v6"] : []),
  ]);
  for (const r of [...rs.input, ...rs.forward])
    if (r.set) assert.ok(rs.sets.has(r.set), `${r.text} uses an undefined set`);
}

const dir = mkdtempSync(join(tmpdir(), "sovereign-nft-"));
const NFT = "/usr/sbin/nft";

/** `nft -c -f`: a syntax and semantics check that changes nothing. Skips (only this) without nft or the rights to run it. */
function nftCheck(t: TestContext, name: string, text: string) {
  if (!existsSync(NFT)) {
    t.diagnostic(`nft -c skipped: ${NFT} is not installed`);
    return;
  }
  const file = join(dir, `${name}.nft`);
  writeFileSync(file, text);
  const r = spawnSync(NFT, ["-c", "-f", file], { encoding: "utf8", timeout: 20_000 });
  if (r.error || /Operation not permitted|Permission denied|cache initialization failed/i.test(r.stderr)) {
    t.diagnostic(`nft -c skipped: ${r.error?.message ?? r.stderr.trim()} (needs CAP_NET_ADMIN here)`);
    return;
  }
  assert.equal(r.status, 0, `nft -c -f rejects the ruleset:\n${r.stderr}\n${text}`);
}

describe("renderNftables", () => {
  test("RPC from the IPv4 and IPv6 allow-lists only, in input and forward; closed ports dropped; P2P untouched", (t) => {
    const text = renderNftables("ethereum-fra-1-1", ETH_PORTS, { rpcAllowCidrs: [...V4, ...V6] });
    const rs = parseRuleset(text);
    checkSemantics(rs, ETH_PORTS, V4, V6);
    nftCheck(t, "both", text);
  });

  test("the forward chain matches DNAT-ed connections by the dialled port and the original source", () => {
    const rs = parseRuleset(renderNftables("n1", ETH_PORTS, { rpcAllowCidrs: [...V4, ...V6] }));
    assert.ok(rs.forward.length > 0);
    for (const r of rs.forward) {
      assert.match(r.text, /^ct status dnat meta l4proto (tcp|udp) ct original proto-dst \{/);
      if (r.family) assert.match(r.text, / ct original ip6? saddr @rpc_allow_v[46] accept/);
    }
    // The input chain judges the packet's own port and source.
    for (const r of rs.input) assert.match(r.text, /^(tcp|udp) dport \{/);
  });

  test("accept rules come before the drop of the same ports (first match wins)", () => {
    const rs = parseRuleset(renderNftables("n1", ETH_PORTS, { rpcAllowCidrs: [...V4, ...V6] }));
    for (const rules of [rs.input, rs.forward]) {
      rules.forEach((accept, i) => {
        if (accept.verdict !== "accept") return;
        const shadow = rules.findIndex(
          (r) => r.verdict === "drop" && r.proto === accept.proto && r.ports.some((p) => accept.ports.includes(p)),
        );
        assert.ok(shadow > i, `${accept.text} comes after a drop of its ports`);
      });
    }
  });

  test("an empty allow-list: no set, RPC dropped from everyone", (t) => {
    const text = renderNftables("n1", ETH_PORTS, { rpcAllowCidrs: [] });
    assert.doesNotMatch(text, /\bset\b|@rpc_allow/);
    const rs = parseRuleset(text);
    checkSemantics(rs, ETH_PORTS, [], []);
    assert.ok([...rs.input, ...rs.forward].every((r) => r.verdict === "drop"));
    nftCheck(t, "empty", text);
  });

  test("IPv4 only: no IPv6 set, IPv6 sources dropped", (t) => {
    const text = renderNftables("n1", ETH_PORTS, { rpcAllowCidrs: V4 });
    assert.doesNotMatch(text, /rpc_allow_v6|ip6/);
    checkSemantics(parseRuleset(text), ETH_PORTS, V4, []);
    nftCheck(t, "v4", text);
  });

  test("IPv6 only: no IPv4 set, IPv4 sources dropped", (t) => {
    const text = renderNftables("n1", ETH_PORTS, { rpcAllowCidrs: V6 });
    assert.doesNotMatch(text, /rpc_allow_v4|\bip saddr/);
    checkSemantics(parseRuleset(text), ETH_PORTS, [], V6);
    nftCheck(t, "v6", text);
  });

  test("shifted host ports (hostPortOffset) are what the rules match", () => {
    const shifted = ETH_PORTS.map((p) => (p.exposure === "public" ? p : { ...p, port: p.port + 20 }));
    const rs = parseRuleset(renderNftables("n2", shifted, { rpcAllowCidrs: V4 }));
    checkSemantics(rs, shifted, V4, []);
    assert.equal(judge(rs.input, "tcp", 8565, "v4-other"), "drop");
    assert.equal(judge(rs.input, "tcp", 8545, "v4-other"), "policy", "the container port is not the host port");
  });

  test("only P2P ports: chains without rules", (t) => {
    const p2p = ETH_PORTS.filter((p) => p.exposure === "public");
    const text = renderNftables("n3", p2p, { rpcAllowCidrs: V4 });
    const rs = parseRuleset(text);
    assert.deepEqual([rs.input.length, rs.forward.length], [0, 0]);
    checkSemantics(rs, p2p, V4, []);
    nftCheck(t, "p2p", text);
  });

  test("ids with '_' or '.' are refused: 'a-b' and 'a_b' would share one table", () => {
    for (const id of ["base.mainnet-host_2", "a_b", "a.b"])
      assert.throws(() => nftTableName(id), /letters, digits and dashes/, id);
    assert.notEqual(nftTableName("a-b"), nftTableName("a--b"));
  });

  test("the table name is a valid nft identifier for planner ids, and the ruleset uses it", (t) => {
    for (const id of ["ethereum-fra-1-1", "9lives", "UPPER-case-x", "a--b"]) {
      const name = nftTableName(id);
      assert.match(name, /^[a-zA-Z][a-zA-Z0-9_]*$/, id);
      assert.ok(name.length <= 64, `${name} is longer than 64`);
      const text = renderNftables(id, ETH_PORTS, { rpcAllowCidrs: V4 });
      assert.equal(parseRuleset(text).table, name);
      assert.ok(text.includes(`# Host firewall of Sovereign node ${id};`));
      nftCheck(t, `id-${name}`, text);
    }
  });
});

process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
