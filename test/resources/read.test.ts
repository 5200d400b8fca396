import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadCatalog } from "../../core/catalog/load";
import {
  diversityNodes,
  fromPolicy,
  fromPreview,
  fromStackExport,
  readPulumiDocument,
  readResources,
  UNKNOWN,
} from "../../core/resources";
import { nodeTags, toGcpLabels } from "../../core/workload/tags";

const catalog = loadCatalog();
const tags = nodeTags("prod", {
  id: "eth-1",
  chain: "ethereum",
  network: "mainnet",
  role: "full",
  provider: "gcp",
  operator: "gcp",
  region: "asia-southeast1",
  jurisdiction: "US",
  clients: { execution: "reth", consensus: "teku" },
});
const gcpVm = {
  machineType: "n2-standard-8",
  zone: "asia-southeast1-b",
  labels: toGcpLabels(tags),
  bootDisk: { initializeParams: { size: 30, type: "pd-balanced" } },
};

describe("core/resources: one reader for previews, exports and policy args", () => {
  it("reads the same machine from a preview step and from a stack export", () => {
    const urn = "urn:pulumi:prod::p::gcp:compute/instance:Instance::eth-1-vm";
    const preview = fromPreview({
      steps: [
        { op: "create", urn, newState: { urn, type: "gcp:compute/instance:Instance", custom: true, inputs: gcpVm } },
      ],
    });
    const exported = fromStackExport({
      deployment: {
        resources: [
          { urn, type: "gcp:compute/instance:Instance", custom: true, inputs: gcpVm, outputs: { ...gcpVm, id: "x" } },
        ],
      },
    });
    for (const source of [preview, exported]) {
      const [m] = readResources(source, catalog).machines;
      assert.deepEqual(
        [m.provider, m.region, m.shape, m.vcpu, m.memoryGb, m.operator, m.jurisdiction, m.cloudAct, m.legal],
        ["gcp", "asia-southeast1", "n2-standard-8", 8, 32, "gcp", "US", true, ["cloudAct"]],
      );
      assert.deepEqual(m.served, {
        node: "eth-1",
        chain: "ethereum",
        network: "mainnet",
        role: "full",
        clients: { execution: "reth", consensus: "teku" },
      });
    }
    assert.deepEqual(diversityNodes(readResources(preview, catalog).machines), [
      {
        id: "eth-1",
        chainKey: "ethereum/mainnet",
        operator: "gcp",
        region: "asia-southeast1",
        jurisdiction: "US",
        cloudAct: true,
        legal: ["cloudAct"],
        clients: { execution: "reth", consensus: "teku" },
      },
    ]);
  });

  it("takes the region from the resource, then its provider resource, then the stack config; warns when none", () => {
    const p = "urn:pulumi:prod::p::pulumi:providers:aws::fra";
    const doc = {
      config: { "aws:region": "us-east-1" },
      steps: [
        {
          op: "create",
          urn: p,
          newState: { urn: p, type: "pulumi:providers:aws", custom: true, inputs: { region: "eu-central-1" } },
        },
        {
          op: "create",
          urn: "u1",
          newState: {
            urn: "urn:a::vol1",
            type: "aws:ebs/volume:Volume",
            inputs: { size: 10, availabilityZone: "eu-central-1a" },
            provider: `${p}::id1`,
          },
        },
        {
          op: "create",
          urn: "u2",
          newState: { urn: "urn:a::vol2", type: "aws:ebs/volume:Volume", inputs: { size: 10 } },
        },
        {
          op: "delete",
          urn: "u3",
          oldState: { urn: "urn:a::gone", type: "aws:ebs/volume:Volume", inputs: { size: 10 } },
        },
      ],
    };
    const read = readResources(fromPreview(doc), catalog);
    assert.deepEqual(
      read.disks.map((d) => [d.name, d.region]),
      [
        ["vol1", "eu-central-1"],
        ["vol2", "us-east-1"],
      ],
    );
    const noConfig = readResources(fromPreview({ ...doc, config: {} }), catalog);
    assert.deepEqual(noConfig.warnings, [
      "vol2 (aws:ebs/volume:Volume): no region found on the resource, its provider or the stack config",
    ]);
  });

  it("treats values unknown at preview as absent, also when the policy engine's proxy throws on them", () => {
    const props = new Proxy(
      { instanceType: "m6i.xlarge", availabilityZone: UNKNOWN, tags: { Name: "x" } } as Record<string, unknown>,
      {
        get: (t, k) => {
          if (t[k as string] === UNKNOWN) throw new Error("unknown during preview");
          return t[k as string];
        },
      },
    );
    const [m] = readResources(
      fromPolicy([
        {
          urn: "urn:x::vm",
          type: "aws:ec2/instance:Instance",
          name: "vm",
          props,
          provider: { props: { region: "ap-southeast-1" } },
        },
      ]),
      catalog,
    ).machines;
    assert.deepEqual([m.shape, m.region, m.served], ["m6i.xlarge", "ap-southeast-1", undefined]);
  });

  it("refuses a file that is neither a preview nor an export, naming the file and the fix", () => {
    assert.throws(
      () => readPulumiDocument({ resources: [] }, "x.json"),
      /x\.json: .*neither a preview .*`pulumi preview --json/,
    );
  });
});
