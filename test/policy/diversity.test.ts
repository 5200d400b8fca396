import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { z } from "zod";
import { Policy } from "../../core/diversity/policy";
import { diversity } from "../../policy/policies/diversity";
import { stackViolations, type Fixture } from "./args";
import { awsInstance, azureVm, bareMetalNode, gcpInstance, node } from "./fixtures";

const eth = (i: number, over: Omit<Parameters<typeof node>[0], "id">) => node({ ...over, id: `eth-${i}` });

/** Three ethereum nodes on three companies, regions and client pairs: AWS, GCP and a Hetzner host. */
function spread(): Fixture[] {
  return [
    awsInstance(
      "eth-1-vm",
      eth(1, {
        provider: "aws",
        operator: "aws",
        region: "eu-central-1",
        jurisdiction: "US",
        clients: { execution: "geth", consensus: "lighthouse" },
      }),
    ),
    gcpInstance(
      "eth-2-vm",
      eth(2, {
        provider: "gcp",
        operator: "gcp",
        region: "asia-southeast1",
        jurisdiction: "US",
        clients: { execution: "reth", consensus: "teku" },
      }),
    ),
    bareMetalNode(
      "eth-3-tags",
      eth(3, {
        provider: "baremetal",
        operator: "hetzner",
        region: "fsn1",
        jurisdiction: "DE",
        clients: { execution: "nethermind", consensus: "nimbus" },
      }),
    ),
  ];
}

describe("policy diversity", () => {
  it("passes nodes spread over operators, regions and clients (AWS, GCP, bare metal)", async () => {
    assert.deepEqual(await stackViolations(diversity, spread()), []);
  });

  it("blocks two of three nodes on one operator, naming the rule, the chain, the nodes and the fix", async () => {
    const fixtures = [
      azureVm(
        "eth-1-vm",
        eth(1, {
          provider: "azure",
          operator: "azure",
          region: "eastus",
          jurisdiction: "US",
          clients: { execution: "geth", consensus: "lighthouse" },
        }),
      ),
      azureVm(
        "eth-2-vm",
        eth(2, {
          provider: "azure",
          operator: "azure",
          region: "germanywestcentral",
          jurisdiction: "US",
          clients: { execution: "reth", consensus: "teku" },
        }),
        "Standard_D8s_v5",
        "germanywestcentral",
      ),
      spread()[2],
    ];
    const v = await stackViolations(diversity, fixtures);
    const operator = v.find((m) => m.startsWith("maxShare.operator"));
    assert.ok(operator, v.join("\n"));
    assert.match(operator, /ethereum\/mainnet/);
    assert.match(operator, /azure holds 2 of 3/);
    assert.match(operator, /nodes: eth-1 on azure, eth-2 on azure, eth-3 on hetzner/);
    assert.match(operator, /Fix: move nodes to other companies/);
    // Losing Azure leaves one node: the default survive rule (minNodes 1) still holds.
    assert.ok(!v.some((m) => m.startsWith("survive.operatorLoss")), v.join("\n"));
  });

  it("reads the region from the machine, not from the tag, and counts the provider's operator", async () => {
    // Tags claim two regions; both VMs are in eastus: the region cap is breached.
    const a = azureVm(
      "eth-1-vm",
      eth(1, { provider: "azure", operator: "azure", region: "eastus", jurisdiction: "US" }),
    );
    const b = awsInstance(
      "eth-2-vm",
      eth(2, {
        provider: "aws",
        operator: "aws",
        region: "us-east-1",
        jurisdiction: "US",
        clients: { execution: "reth", consensus: "teku" },
      }),
      "m6i.2xlarge",
      "us-east-1",
    );
    const v = await stackViolations(diversity, [a, b], {
      maxShare: { region: 0.5, jurisdiction: 0.5 },
      minOperators: 2,
    });
    assert.ok(
      v.some((m) => m.startsWith("maxShare.jurisdiction") && /US holds 2 of 2/.test(m)),
      v.join("\n"),
    );
    assert.ok(!v.some((m) => m.startsWith("maxShare.region")), "eastus and us-east-1 are different regions");
  });

  it("takes its rules from the pack config (minOperators, survive) and the user's own tags via tagMapping", async () => {
    const own = (name: string, el: string) => ({
      ...awsInstance(name, undefined),
      props: { ...awsInstance(name, undefined).props, tags: { chain: "ethereum", el, cl: "lighthouse" } },
    });
    const fixtures = [own("a", "geth"), own("b", "reth")];
    const config = {
      minOperators: 2,
      survive: { operatorLoss: 1, minNodes: 1 },
      tagMapping: { chain: "chain", clients: { execution: "el", consensus: "cl" } },
    };
    const v = await stackViolations(diversity, fixtures, config);
    assert.ok(
      v.some((m) => m.startsWith("minOperators") && /1 operator/.test(m)),
      v.join("\n"),
    );
    assert.ok(
      v.some((m) => m.startsWith("survive.operatorLoss") && /leaves 0 of 2/.test(m)),
      v.join("\n"),
    );
    // Without the mapping the untagged machines are not nodes: nothing to judge.
    assert.deepEqual(await stackViolations(diversity, fixtures, { minOperators: 2 }), []);
  });

  it("takes the same rules in its config as a fleet spec's policy (a share of 0 is refused by both)", () => {
    // The pack's JSON Schema read back by an independent reader (zod's fromJSONSchema), against the spec's zod schema.
    const { tagMapping: _, ...policyFields } = diversity.configSchema!.properties;
    const properties = policyFields as Record<string, z.core.JSONSchema.JSONSchema>;
    const packConfig = z.fromJSONSchema({ type: "object", properties, additionalProperties: false });
    const configs = [
      { maxShare: { operator: 0 } },
      { maxShare: { region: 0.5, client: 1 } },
      { maxShare: { jurisdiction: 1.5 } },
      { maxShare: { cloud: 0.5 } },
      { minOperators: 0 },
      { minOperators: 3 },
      { survive: { operatorLoss: 1, minNodes: 2 } },
      { survive: { operatorLoss: 2, minNodes: 1 } },
      { survive: { regionLoss: 1 } },
    ];
    for (const config of configs) {
      assert.equal(packConfig.safeParse(config).success, Policy.safeParse(config).success, JSON.stringify(config));
    }
    assert.equal(packConfig.safeParse({ maxShare: { operator: 0 } }).success, false);
  });
});

describe("policy diversity: legal caps (maxShare.legal)", () => {
  const myhome = bareMetalNode(
    "eth-4-tags",
    eth(4, {
      provider: "baremetal",
      operator: "myhome",
      region: "zrh",
      jurisdiction: "CH",
      clients: { execution: "besu", consensus: "lodestar" },
    }),
  );

  it("blocks two of three nodes on US companies under a CLOUD Act cap of a third, naming the operators", async () => {
    const v = await stackViolations(diversity, spread(), { maxShare: { legal: { cloudAct: 0.34 } } });
    assert.equal(v.length, 1, v.join("\n"));
    assert.match(v[0], /^maxShare\.legal\.cloudAct breached for ethereum\/mainnet/);
    assert.match(
      v[0],
      /2 of 3 ethereum\/mainnet nodes \(66\.7%\) run on operators within cloudAct's reach \(aws, gcp\)/,
    );
    assert.match(v[0], /Fix: move nodes to operators whose legal home the regime does not reach/);
    assert.deepEqual(await stackViolations(diversity, spread(), { maxShare: { legal: { cloudAct: 0.67 } } }), []);
  });

  it("counts an operator the catalog does not know as within reach, unless the config says it is outside", async () => {
    const fixtures = [spread()[2], myhome];
    const config = { maxShare: { legal: { cloudAct: 0.5 } }, minOperators: 1 };
    const v = await stackViolations(diversity, fixtures, { ...config, maxShare: { legal: { cloudAct: 0 } } });
    assert.match(
      v.join("\n"),
      /1 of 2 ethereum\/mainnet nodes \(50%\) run on operators within cloudAct's reach \(myhome\)/,
    );
    assert.deepEqual(await stackViolations(diversity, fixtures, config), []);
    const outside = { ...config, maxShare: { legal: { cloudAct: 0 } }, outsideReach: { myhome: ["cloudAct"] } };
    assert.deepEqual(await stackViolations(diversity, fixtures, outside), []);
  });
});
