/** Paths and names on a bare-metal host (core/layout/baremetal.ts), node labels (core/layout/node-labels.ts). */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { baremetalPaths, cloudSiteLabels, hostNameProblem } from "../../core/layout";
import { loadCatalog } from "../../core/catalog/load";
import { nftTableName } from "../../core/workload/nftables";

describe("baremetalPaths", () => {
  it("two fleets with the same node id share no path, project, claim or firewall table", () => {
    const prod = baremetalPaths("prod", "bitcoin-fra-1-1");
    const staging = baremetalPaths("staging", "bitcoin-fra-1-1");
    for (const key of ["fleetDir", "dataRoot", "configRoot", "claim", "project"] as const)
      assert.notEqual(prod[key], staging[key], key);
    assert.equal(prod.dataRoot, "/srv/sovereign/fleets/prod/data");
    assert.equal(prod.project, "prod_bitcoin-fra-1-1");
    assert.notEqual(nftTableName("bitcoin-fra-1-1", "prod"), nftTableName("bitcoin-fra-1-1", "staging"));
  });

  it("fleet and node never run together: (a-b, c) and (a, b-c) get different names", () => {
    assert.notEqual(baremetalPaths("a-b", "c-1").project, baremetalPaths("a", "b-c-1").project);
    assert.notEqual(nftTableName("c-1", "a-b"), nftTableName("b-c-1", "a"));
  });

  it("refuses names that would leave their directory", () => {
    assert.throws(() => baremetalPaths("../x", "n-1"), /fleet '\.\.\/x'/);
    assert.throws(() => baremetalPaths("prod", "n_1"), /node id 'n_1'/);
  });
});

describe("hostNameProblem", () => {
  const labels = cloudSiteLabels(loadCatalog());

  it("refuses a host named like a cloud site, or ending in one", () => {
    assert.match(hostNameProblem("aws-us-east-1", labels)!, /cloud site aws\/us-east-1/);
    assert.match(hostNameProblem("akash", labels)!, /cloud site akash/);
    assert.match(hostNameProblem("archive-aws-us-east-1", labels)!, /aws\/us-east-1/);
  });

  it("lets other names through", () => {
    for (const name of ["fra-1", "aws-us-east-1-dc", "sov-h1", "us-east-1"])
      assert.equal(hostNameProblem(name, labels), undefined, name);
  });
});
