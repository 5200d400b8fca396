/**
 * `sovereign outage` for the access layer (core/outage/simulate.ts): besides the nodes each chain
 * keeps, which gateways (endpoints) of each chain survive; a gateway's operator, region or
 * jurisdiction can be failed on its own; an endpoint whose chain has no node left does not count.
 */
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { planFleet } from "../../core/planner/plan";
import { simulateOutage } from "../../core/outage/simulate";
import { SpecError } from "../../core/errors";
import type { Plan } from "../../core/plan";
import { baremetalHostSpec, handPlacedGateway } from "../e2e/access-plan";
import { catalog, fleetOf, rejects } from "./helpers";

const HOST_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcH";
const spec = {
  name: "drill",
  chains: [{ chain: "devnet", count: 3 }],
  sites: {
    baremetal: {
      hosts: [
        ["h4", "hetzner", "DE"],
        ["h5", "ovh", "FR"],
        ["h6", "home", "NL"],
      ].map(([name, operator, country], i) =>
        baremetalHostSpec(name, `10.77.0.${14 + i}`, operator, country, { user: "root", port: 22, hostKey: HOST_KEY }),
      ),
    },
  },
  policy: { maxShare: { operator: 0.34 }, minOperators: 3, survive: { operatorLoss: 1, minNodes: 2 } },
};

let plan: Plan;
const fleet = fleetOf(spec);
before(async () => {
  plan = await planFleet(fleet, catalog());
  const chain = plan.nodes[0].chainKey;
  plan.gateways = [
    handPlacedGateway("h8", "netcup", "DE", [chain]),
    handPlacedGateway("h9", "scaleway", "FR", [chain]),
  ];
});
const run = (...f: Array<[string, string]>) =>
  simulateOutage(
    plan,
    fleet.spec.policy,
    f.map(([dim, value]) => ({ dim: dim as "operator", value })),
  );

describe("outage of the access layer", () => {
  it("a node operator: two nodes left, both endpoints", () => {
    const o = run(["operator", "hetzner"]);
    assert.equal(o.chains[0].left, 2);
    assert.deepEqual(o.chains[0].endpoints, {
      total: 2,
      left: 2,
      required: 1,
      reachable: ["gateway-h8", "gateway-h9"],
    });
    assert.deepEqual(o.gateways!.down, []);
    assert.ok(o.ok);
  });

  it("a gateway's operator, known only from the gateways: every node, one endpoint", () => {
    const o = run(["operator", "netcup"]);
    assert.equal(o.chains[0].left, 3);
    assert.deepEqual(o.down, []);
    assert.deepEqual(o.gateways!.down, ["gateway-h8"]);
    assert.equal(o.chains[0].endpoints!.left, 1);
    assert.deepEqual(o.chains[0].endpoints!.reachable, ["gateway-h9"]);
    assert.ok(o.ok);
  });

  it("a region takes its node and its gateway at once", () => {
    const o = run(["region", "de"]);
    assert.equal(o.chains[0].left, 2);
    assert.equal(o.chains[0].endpoints!.left, 1);
  });

  it("every gateway down: the chain is out of reach, whatever nodes it keeps", () => {
    const o = run(["operator", "netcup"], ["operator", "scaleway"]);
    assert.equal(o.chains[0].left, 3);
    assert.equal(o.chains[0].endpoints!.left, 0);
    assert.equal(o.ok, false);
  });

  it("no node left: the endpoints serve nothing", () => {
    const o = run(["operator", "hetzner"], ["operator", "ovh"], ["operator", "home"]);
    assert.equal(o.chains[0].endpoints!.left, 0);
  });

  it("still refuses a value nothing in the plan has", async () => {
    await rejects(() => run(["operator", "nobody"]), SpecError);
  });
});
