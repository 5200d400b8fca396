import { test, describe } from "node:test";
import assert from "node:assert/strict";
import {
  allowedCount,
  concentration,
  evaluatePolicy,
  hhi,
  nakamoto,
  shareNeeded,
  sharesBy,
  survivors,
  type DiversityNode,
} from "../../core/diversity";
import type { Policy } from "../../core/diversity/policy";

let seq = 0;
function node(
  chainKey: string,
  operator: string,
  region: string,
  jurisdiction: string,
  clients: Record<string, string> = {},
): DiversityNode {
  return { id: `n${seq++}`, chainKey, operator, region, jurisdiction, cloudAct: jurisdiction === "US", clients };
}

/** Ethereum, 4 nodes: aws x2 (US), gcp (US), hetzner (DE). */
const eth = [
  node("ethereum/mainnet", "aws", "us-east-1", "US", { execution: "geth", consensus: "lighthouse" }),
  node("ethereum/mainnet", "aws", "eu-central-1", "US", { execution: "geth", consensus: "teku" }),
  node("ethereum/mainnet", "gcp", "us-east4", "US", { execution: "nethermind", consensus: "lighthouse" }),
  node("ethereum/mainnet", "hetzner", "de", "DE", { execution: "reth", consensus: "nimbus" }),
];
/** Bitcoin, 2 nodes on one operator, one client (the client cap does not apply to a single implementation). */
const btc = [
  node("bitcoin/mainnet", "akash", "akash", "AKASH", { node: "bitcoind" }),
  node("bitcoin/mainnet", "akash", "akash", "AKASH", { node: "bitcoind" }),
];
const alternatives = (chainKey: string, layer: string) =>
  chainKey.startsWith("ethereum") ? 5 : layer === "node" ? 1 : 0;

describe("HHI", () => {
  test("hand-computed values", () => {
    assert.equal(hhi([1, 1, 1, 1]), 0.25);
    assert.equal(hhi([7]), 1);
    assert.equal(hhi([3, 1]), 0.75 ** 2 + 0.25 ** 2); // 0.625
    assert.ok(Math.abs(hhi([2, 1, 1]) - (0.25 + 0.0625 + 0.0625)) < 1e-12);
    assert.equal(hhi([]), 0);
  });
  test("depends on shares, not on scale", () => {
    assert.ok(Math.abs(hhi([6, 2]) - hhi([3, 1])) < 1e-12);
  });
});

describe("Nakamoto coefficient", () => {
  test("at 1/3 and 1/2", () => {
    // 10 nodes as 4,3,2,1: the biggest alone (4) reaches 1/3 (3.33); 1/2 (5) needs 4+3.
    assert.equal(nakamoto([4, 3, 2, 1], 1 / 3), 1);
    assert.equal(nakamoto([1, 2, 3, 4], 1 / 2), 2);
    // Six equal operators: 2 reach 1/3, 3 reach 1/2.
    assert.equal(nakamoto([1, 1, 1, 1, 1, 1], 1 / 3), 2);
    assert.equal(nakamoto([1, 1, 1, 1, 1, 1], 1 / 2), 3);
    // Exactly one third counts as reaching it (1 of 3 nodes halts a BFT chain needing > 2/3).
    assert.equal(nakamoto([1, 1, 1], 1 / 3), 1);
    // Five equal: 1/3 of 5 = 1.67 needs 2; 1/2 = 2.5 needs 3.
    assert.equal(nakamoto([2, 2, 2, 2, 2], 1 / 3), 2);
    assert.equal(nakamoto([2, 2, 2, 2, 2], 1 / 2), 3);
  });
});

describe("caps and shares", () => {
  test("allowedCount floors cap x total, robust to float error", () => {
    assert.equal(allowedCount(0.34, 3), 1);
    assert.equal(allowedCount(0.67, 3), 2);
    assert.equal(allowedCount(0.5, 5), 2);
    assert.equal(allowedCount(1, 7), 7);
    assert.equal(allowedCount(0.58, 100), 58); // 0.58*100 = 57.999999999999993 in floating point
    assert.equal(allowedCount(0.29, 100), 29); // 28.999999999999996
    assert.equal(allowedCount(0.25, 3), 0);
  });
  test("shareNeeded rounds up to 2 decimals", () => {
    assert.equal(shareNeeded(1, 3), 0.34);
    assert.equal(shareNeeded(2, 6), 0.34);
    assert.equal(shareNeeded(1, 2), 0.5);
    assert.equal(shareNeeded(29, 100), 0.29);
  });
  test("client shares are per layer over the chain's nodes", () => {
    const s = sharesBy(eth, "client");
    assert.deepEqual(
      s.filter((x) => x.key.startsWith("execution:")).map((x) => [x.key, x.count, x.share]),
      [
        ["execution:geth", 2, 0.5],
        ["execution:nethermind", 1, 0.25],
        ["execution:reth", 1, 0.25],
      ],
    );
    assert.equal(
      s.filter((x) => x.key.startsWith("consensus:")).reduce((a, x) => a + x.share, 0),
      1,
    );
  });
});

describe("survivors", () => {
  test("an operator outage", () => {
    const r = survivors([...eth, ...btc], [{ dim: "operator", value: "aws" }]);
    assert.deepEqual(r.get("ethereum/mainnet"), { total: 4, left: 2 });
    assert.deepEqual(r.get("bitcoin/mainnet"), { total: 2, left: 2 });
  });
  test("a client bug hits every node running it; failures combine", () => {
    const r = survivors(
      [...eth, ...btc],
      [
        { dim: "client", value: "lighthouse" },
        { dim: "jurisdiction", value: "AKASH" },
      ],
    );
    assert.deepEqual(r.get("ethereum/mainnet"), { total: 4, left: 2 });
    assert.deepEqual(r.get("bitcoin/mainnet"), { total: 2, left: 0 });
  });
  test("a region outage", () => {
    assert.deepEqual(survivors(eth, [{ dim: "region", value: "de" }]).get("ethereum/mainnet"), { total: 4, left: 3 });
  });
});

describe("evaluatePolicy", () => {
  const check = (policy: Policy, nodes = [...eth, ...btc]) => {
    const checks = evaluatePolicy(policy, nodes, alternatives);
    return (rule: string, scope: string) => {
      const c = checks.find((x) => x.rule === rule && x.scope === scope);
      assert.ok(c, `no ${rule} check for ${scope}: ${JSON.stringify(checks)}`);
      return c;
    };
  };

  test("operator 0.5 of 4 allows 2: aws with 2 passes; bitcoin's single operator fails", () => {
    const c = check({ maxShare: { operator: 0.5 } });
    assert.equal(c("maxShare.operator", "ethereum/mainnet").ok, true);
    const b = c("maxShare.operator", "bitcoin/mainnet");
    assert.equal(b.ok, false);
    assert.equal(b.actual, 1);
    assert.match(b.message, /akash holds 2 of 2 .*at most 1/);
  });

  test("jurisdiction 0.5: three US nodes of four break it", () => {
    const c = check({ maxShare: { jurisdiction: 0.5 } })("maxShare.jurisdiction", "ethereum/mainnet");
    assert.equal(c.ok, false);
    assert.equal(c.actual, 0.75);
  });

  test("client cap: geth with 2 of 4 breaks 0.34, passes 0.5; one-implementation chains are exempt", () => {
    assert.equal(check({ maxShare: { client: 0.34 } })("maxShare.client", "ethereum/mainnet").ok, false);
    assert.equal(check({ maxShare: { client: 0.5 } })("maxShare.client", "ethereum/mainnet").ok, true);
    const checks = evaluatePolicy({ maxShare: { client: 0.34 } }, btc, alternatives);
    assert.equal(checks.filter((x) => x.rule === "maxShare.client").length, 0);
  });

  test("minOperators counts distinct operators per chain", () => {
    const c = check({ minOperators: 3 });
    assert.equal(c("minOperators", "ethereum/mainnet").ok, true);
    assert.equal(c("minOperators", "ethereum/mainnet").actual, 3);
    assert.equal(c("minOperators", "bitcoin/mainnet").ok, false);
    assert.equal(check({ minOperators: 4 })("minOperators", "ethereum/mainnet").ok, false);
  });

  test("survive.operatorLoss: losing aws leaves 2", () => {
    const ok = check({ survive: { operatorLoss: 1, regionLoss: 0, minNodes: 2 } })(
      "survive.operatorLoss",
      "ethereum/mainnet",
    );
    assert.deepEqual([ok.ok, ok.actual], [true, 2]);
    assert.match(ok.message, /losing operator aws leaves 2 of 4/);
    const no = check({ survive: { operatorLoss: 1, regionLoss: 0, minNodes: 3 } })(
      "survive.operatorLoss",
      "ethereum/mainnet",
    );
    assert.equal(no.ok, false);
  });

  test("survive.regionLoss: every region holds one eth node, so losing one leaves 3", () => {
    const c = check({ survive: { operatorLoss: 0, regionLoss: 1, minNodes: 3 } });
    assert.deepEqual(
      [c("survive.regionLoss", "ethereum/mainnet").ok, c("survive.regionLoss", "ethereum/mainnet").actual],
      [true, 3],
    );
    // Both bitcoin nodes share one region: losing it leaves 0.
    assert.equal(c("survive.regionLoss", "bitcoin/mainnet").actual, 0);
    assert.equal(
      evaluatePolicy({ survive: { operatorLoss: 1, regionLoss: 0, minNodes: 1 } }, eth, alternatives).some(
        (x) => x.rule === "survive.regionLoss",
      ),
      false,
    );
  });

  test("no policy, no checks", () => {
    assert.deepEqual(evaluatePolicy({}, eth, alternatives), []);
  });
});

test("concentration of the ethereum nodes", () => {
  const m = concentration(eth);
  assert.equal(m.nodes, 4);
  assert.equal(m.hhi.operator, 0.375); // (2/4)^2 + (1/4)^2 + (1/4)^2
  assert.equal(m.hhi.jurisdiction, 0.625); // 0.75^2 + 0.25^2
  assert.equal(m.cloudActShare, 0.75);
  assert.deepEqual(m.nakamotoOperators, { third: 1, half: 1 }); // aws alone holds 2 of 4 = 1/2
  assert.deepEqual(m.worstOperatorLoss, { value: "aws", left: 2, leftShare: 0.5 });
  // Client HHI is the mean over layers: execution 2,1,1 -> 0.375; consensus 2,1,1 -> 0.375.
  assert.equal(m.hhi.client, 0.375);
});

describe("legal caps (maxShare.legal)", () => {
  const legalNode = (operator: string, legal?: string[], cloudAct = false): DiversityNode => ({
    ...node("ethereum/mainnet", operator, operator, "XX"),
    cloudAct,
    ...(legal ? { legal } : {}),
  });
  const six = [
    legalNode("aws", ["cloudAct"], true),
    legalNode("akash", ["cloudAct", "prcIntelligence"], true),
    legalNode("alibaba", ["prcIntelligence"]),
    legalNode("hetzner", []),
    legalNode("ovh", []),
    legalNode("leaseweb", []),
  ];
  const rules = (policy: Policy, nodes: DiversityNode[]) =>
    evaluatePolicy(policy, nodes, alternatives).filter((c) => c.rule.startsWith("maxShare.legal"));

  test("counts the nodes within each capped regime's reach, against floor(cap x total)", () => {
    const [cloudAct, prc] = rules({ maxShare: { legal: { cloudAct: 0.34, prcIntelligence: 0.25 } } }, six);
    // 2 of 6 within the CLOUD Act's reach, floor(0.34 * 6) = 2 allowed; 2 within the PRC's, floor(1.5) = 1.
    assert.deepEqual([cloudAct.rule, cloudAct.ok, cloudAct.actual], ["maxShare.legal.cloudAct", true, 0.3333]);
    assert.match(
      cloudAct.message,
      /^2 of 6 ethereum\/mainnet nodes \(33\.3%\) run on operators within cloudAct's reach \(akash, aws\)/,
    );
    assert.deepEqual([prc.rule, prc.ok, prc.limit], ["maxShare.legal.prcIntelligence", false, 0.25]);
    assert.match(prc.message, /\(at most 1\)$/);
  });

  test("a cap of 0 allows no node within reach; no legal cap, no legal check", () => {
    assert.equal(rules({ maxShare: { legal: { cloudAct: 0 } } }, six.slice(3))[0].ok, true);
    assert.equal(rules({ maxShare: { legal: { cloudAct: 0 } } }, six)[0].ok, false);
    assert.deepEqual(rules({ maxShare: { operator: 0.5 } }, six), []);
  });

  test("an outage of legal=<regime> takes down every node within its reach", () => {
    const left = survivors(six, [{ dim: "legal", value: "cloudAct" }]).get("ethereum/mainnet");
    assert.deepEqual(left, { total: 6, left: 4 });
    const both = survivors(six, [
      { dim: "legal", value: "cloudAct" },
      { dim: "legal", value: "prcIntelligence" },
    ]).get("ethereum/mainnet");
    assert.deepEqual(both, { total: 6, left: 3 });
  });

  test("a node without `legal` (built by hand) is within every regime but the CLOUD Act, which cloudAct says", () => {
    const bare = [legalNode("x", undefined, false), legalNode("y", undefined, true)];
    const [cloudAct, prc] = rules({ maxShare: { legal: { cloudAct: 1, prcIntelligence: 1 } } }, bare);
    assert.deepEqual([cloudAct.actual, prc.actual], [0.5, 1]);
    assert.equal(concentration(bare).cloudActShare, 0.5);
    assert.equal(concentration(six).cloudActShare, 0.3333);
  });
});
