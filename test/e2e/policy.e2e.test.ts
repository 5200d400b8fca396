// The policy pack with the real Pulumi engine (e2e/lab): `pulumi preview --policy-pack ./policy` on
// bare-metal stacks of our own program and on a hand-written program, read through the Automation
// API's policy events (`preview --json` carries none); `pulumi policy analyze --file` on state
// exports holding AWS, GCP and Azure resources, written here in the export format. Previews only:
// nothing here dials the lab hosts (`up` is the bare-metal suite's job).
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { after, before, describe, test } from "node:test";
import * as command from "@pulumi/command";
import { LocalWorkspace, PulumiCommand, type EngineEvent, type Stack } from "@pulumi/pulumi/automation";
import { stringify } from "yaml";
import { nodeTags, toGcpLabels } from "../../core/workload/tags";
import { labEnv, labHosts, labProblem, REPO, type LabHost } from "./lab";

const POLICY_DIR = join(REPO, "policy");
const env = labEnv();
const problem =
  labProblem(env) ??
  (existsSync(join(POLICY_DIR, "node_modules", "@pulumi", "policy"))
    ? undefined
    : "the policy pack's dependencies are not installed; run: npm ci --prefix policy");
if (problem) console.error(`\n*** policy e2e suite cannot run: ${problem} ***\n`);

interface PolicyViolation {
  policy: string;
  level: string;
  message: string;
  urn?: string;
}

/**
 * The lab's engine in a bin directory of its own, plus the analyzer shim (`pulumi-analyzer-policy-nodejs`)
 * that older engine paths look for. SOVEREIGN_LANGHOST_DIR may name a directory holding a v3.259
 * language host, for a lab still on the v3.68 fallback host (which cannot run policy packs).
 */
function engineBin(work: string): string {
  const bin = join(work, "engine", "bin");
  mkdirSync(bin, { recursive: true });
  const langhost = process.env.SOVEREIGN_LANGHOST_DIR ?? env.SOVEREIGN_ENGINE_BIN;
  for (const f of readdirSync(env.SOVEREIGN_ENGINE_BIN).filter((f) => !f.endsWith(".stamp"))) {
    symlinkSync(join(f === "pulumi-language-nodejs" ? langhost : env.SOVEREIGN_ENGINE_BIN, f), join(bin, f));
  }
  const shim = join(bin, "pulumi-analyzer-policy-nodejs");
  writeFileSync(shim, `#!/bin/sh\nexec node "${POLICY_DIR}/node_modules/@pulumi/pulumi/cmd/run-policy-pack" "$@"\n`);
  chmodSync(shim, 0o755);
  return bin;
}

function violationsOf(events: EngineEvent[]): PolicyViolation[] {
  return events.flatMap((e) =>
    e.policyEvent
      ? [
          {
            policy: e.policyEvent.policyName,
            level: e.policyEvent.enforcementLevel,
            message: e.policyEvent.message,
            urn: e.policyEvent.resourceUrn,
          },
        ]
      : [],
  );
}

function fleetSpec(hosts: LabHost[], operators: string[], count: number) {
  return {
    name: "polcheck",
    chains: [{ chain: "devnet", count }],
    sites: {
      baremetal: {
        hosts: hosts.slice(0, operators.length).map((h, i) => ({
          name: h.name,
          address: h.address,
          operator: operators[i],
          country: ["DE", "FR", "NL"][i % 3],
          monthlyUsd: 50 + 10 * i,
          cpu: 4,
          memoryGb: 8,
          diskGb: 100,
          maxNodes: 1,
          ssh: { user: h.user, port: h.port, hostKey: h.hostKey },
        })),
      },
    },
  };
}

describe("policy pack with the real Pulumi engine", { skip: problem }, () => {
  const work = mkdtempSync(join(tmpdir(), "sovereign-policy-e2e-"));
  const hosts = problem ? [] : labHosts(env);
  const privateKey = problem ? "" : readFileSync(hosts[0].privateKeyPath, "utf8");
  const stacks: Stack[] = [];
  let engine: Record<string, string>;
  let pulumiCommand: PulumiCommand;

  before(async () => {
    const bin = engineBin(work);
    engine = { ...env, SOVEREIGN_ENGINE_BIN: bin, PATH: [bin, env.PATH].join(delimiter) };
    pulumiCommand = await PulumiCommand.get({ root: dirname(bin), skipVersionCheck: true });
  });

  after(async () => {
    for (const s of stacks) await s.workspace.removeStack(s.name, { force: true }).catch(() => undefined);
  });

  /** A stack of our own program over a bare-metal fleet spec. */
  async function programStack(name: string, spec: object): Promise<Stack> {
    const specFile = join(work, `${name}.yaml`);
    writeFileSync(specFile, stringify(spec));
    const stack = await LocalWorkspace.createOrSelectStack(
      { stackName: `policy-${name}-${process.pid}`, workDir: REPO },
      { envVars: engine, pulumiCommand },
    );
    stacks.push(stack);
    await stack.setAllConfig({
      "sovereign:fleetFile": { value: specFile },
      "sovereign:sshPrivateKey": { value: privateKey, secret: true },
    });
    return stack;
  }

  async function preview(stack: Stack): Promise<{ ok: boolean; violations: PolicyViolation[]; error?: string }> {
    const events: EngineEvent[] = [];
    try {
      await stack.preview({ policyPacks: [POLICY_DIR], onEvent: (e) => events.push(e), color: "never" });
      return { ok: true, violations: violationsOf(events) };
    } catch (e) {
      return { ok: false, violations: violationsOf(events), error: (e as Error).message };
    }
  }

  test("a compliant bare-metal stack (three operators) passes `pulumi preview --policy-pack`", async () => {
    const stack = await programStack("ok", fleetSpec(hosts, ["hetzner", "ovh", "home"], 3));
    const r = await preview(stack);
    assert.ok(r.ok, `preview failed: ${r.error}\n${JSON.stringify(r.violations, null, 2)}`);
    assert.deepEqual(
      r.violations.filter((v) => v.level === "mandatory"),
      [],
    );
  });

  test("a stack with two of three nodes on one operator is blocked by diversity", async () => {
    const stack = await programStack("one-operator", fleetSpec(hosts, ["hetzner", "hetzner", "ovh"], 3));
    const r = await preview(stack);
    assert.equal(r.ok, false, "the preview must fail");
    const diversity = r.violations.filter((v) => v.policy === "diversity");
    assert.equal(diversity.length, 1, JSON.stringify(r.violations, null, 2));
    assert.equal(diversity[0].level, "mandatory");
    assert.match(
      diversity[0].message,
      /\nmaxShare\.operator breached for devnet\/\w+ .*hetzner holds 2 of 3 devnet\/\w+ nodes \(66\.7%\); the cap is 50%/,
    );
    assert.match(diversity[0].message, /Fix: move nodes to other companies/);
  });

  test("a hand-written program opening 8551 to the world on a bare-metal host is blocked", async () => {
    const host = hosts[0];
    const ruleset = [
      "table inet node {",
      "  chain input {",
      "    type filter hook input priority filter; policy accept;",
      "    tcp dport { 8545, 8551 } accept",
      "    tcp dport 30303 accept",
      "  }",
      "}",
    ].join("\n");
    const stack = await LocalWorkspace.createOrSelectStack(
      {
        stackName: `policy-engine-open-${process.pid}`,
        projectName: "handwritten",
        program: async () => {
          new command.remote.Command("firewall", {
            connection: { host: host.address, port: host.port, user: host.user, privateKey: privateKey },
            create: "nft -f -",
            stdin: ruleset,
            // A plaintext API key: named by no-plaintext-secrets. The connection (with its key) the SDK makes secret.
            environment: { L1_RPC: "https://mainnet.infura.io/v3/0123456789abcdef0123456789abcdef" },
          });
        },
      },
      { envVars: engine, pulumiCommand },
    );
    stacks.push(stack);
    const r = await preview(stack);
    assert.equal(r.ok, false, "the preview must fail");
    const open = r.violations.filter((v) => v.policy === "no-public-admin-ports");
    assert.equal(open.length, 1, JSON.stringify(r.violations, null, 2));
    assert.match(
      open[0].message,
      /\nPublic ingress to closed ports on firewall stdin line 4 \(command:remote:Command\): 0\.0\.0\.0\/0 may reach 8551\/tcp .*Fix: restrict the nftables accept/,
    );
    assert.match(open[0].urn ?? "", /command:remote:Command::firewall$/);
    // The API key went in as plaintext; the private key is a Pulumi secret (the command SDK marks the
    // connection secret), which the pack sees through the engine's secret markers and leaves alone.
    const secret = r.violations.filter((v) => v.policy === "no-plaintext-secrets");
    assert.equal(secret.length, 1, JSON.stringify(r.violations, null, 2));
    assert.match(secret[0].message, /environment\.L1_RPC holds an RPC URL with an API key outside a Pulumi secret/);
  });

  test("`pulumi policy analyze --file` on AWS, GCP and Azure state exports reports the expected violations", async () => {
    const file = join(work, "state.json");
    writeFileSync(file, JSON.stringify(cloudExport()));
    const r = await run(engine, ["policy", "analyze", "--file", file, "--policy-pack", POLICY_DIR], work);
    assert.notEqual(r.code, 0, r.out);
    const expected = [
      /no-public-admin-ports[\s\S]*?Public ingress to closed ports on engine-open \(aws:vpc\/securityGroupIngressRule:SecurityGroupIngressRule\): 0\.0\.0\.0\/0 may reach 8551\/tcp/,
      /Public ingress to closed ports on admin allows\[0\] \(gcp:compute\/firewall:Firewall\): 0\.0\.0\.0\/0 may reach 22\/tcp \(ssh\)/,
      /Public ingress to closed ports on nsg securityRules\[0\] \(azure-native:network:NetworkSecurityGroup\): Internet may reach 8551\/tcp/,
      /Unencrypted data disk on data \(aws:ebs\/volume:Volume\): gp3 of 2500 GB is not encrypted at rest/,
      /maxShare\.operator breached for ethereum\/mainnet .*azure holds 3 of 5 ethereum\/mainnet nodes \(60%\); the cap is 50%/,
    ];
    for (const re of expected) assert.match(r.out, re);
    // The compliant resources are not named.
    assert.doesNotMatch(r.out, /on p2p \(/);
    assert.doesNotMatch(r.out, /Unencrypted data disk on pd/);
  });
});

/** The CLI, with a bounded time. */
function run(envVars: Record<string, string>, args: string[], cwd: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(
      join(envVars.SOVEREIGN_ENGINE_BIN, "pulumi"),
      args,
      { env: envVars, cwd, timeout: 300_000, maxBuffer: 16 << 20 },
      (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, out: `${stdout}\n${stderr}` });
      },
    );
  });
}

/** A `pulumi stack export` of a three-cloud ethereum stack: three of five nodes on Azure, 8551 and SSH open, one unencrypted EBS volume. */
function cloudExport() {
  const stackUrn = "urn:pulumi:prod::chain::pulumi:pulumi:Stack::chain-prod";
  const resources: object[] = [{ urn: stackUrn, custom: false, type: "pulumi:pulumi:Stack" }];
  const provider = (pkg: string, props: object) => {
    const urn = `urn:pulumi:prod::chain::pulumi:providers:${pkg}::default`;
    resources.push({
      urn,
      custom: true,
      id: `${pkg}-provider`,
      type: `pulumi:providers:${pkg}`,
      inputs: props,
      outputs: props,
    });
    return `${urn}::${pkg}-provider`;
  };
  const aws = provider("aws", { region: "eu-central-1" });
  const gcp = provider("gcp", { project: "chain-prod", region: "asia-southeast1" });
  const azure = provider("azure-native", { location: "eastus" });
  const add = (type: string, name: string, props: object, prov: string) =>
    resources.push({
      urn: `urn:pulumi:prod::chain::${type}::${name}`,
      custom: true,
      id: `${name}-id`,
      type,
      inputs: props,
      outputs: props,
      parent: stackUrn,
      provider: prov,
    });
  const node = (id: string, provider: string, region: string, execution: string, consensus: string) =>
    nodeTags("prod", {
      id,
      chain: "ethereum",
      network: "mainnet",
      role: "full",
      provider,
      operator: provider,
      region,
      jurisdiction: "US",
      clients: { execution, consensus },
    });
  add(
    "aws:ec2/instance:Instance",
    "eth-aws",
    {
      instanceType: "m6i.2xlarge",
      availabilityZone: "eu-central-1a",
      rootBlockDevice: { volumeType: "gp3", volumeSize: 30, encrypted: true },
      tags: node("eth-1", "aws", "eu-central-1", "geth", "lighthouse"),
    },
    aws,
  );
  add(
    "aws:ebs/volume:Volume",
    "data",
    { availabilityZone: "eu-central-1a", type: "gp3", size: 2500, encrypted: false },
    aws,
  );
  add(
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    "p2p",
    { securityGroupId: "sg-1", ipProtocol: "tcp", fromPort: 30303, toPort: 30303, cidrIpv4: "0.0.0.0/0" },
    aws,
  );
  add(
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    "engine-open",
    { securityGroupId: "sg-1", ipProtocol: "tcp", fromPort: 8551, toPort: 8551, cidrIpv4: "0.0.0.0/0" },
    aws,
  );
  add(
    "gcp:compute/instance:Instance",
    "eth-gcp",
    {
      machineType: "n2-standard-8",
      zone: "asia-southeast1-b",
      bootDisk: { initializeParams: { size: 30, type: "pd-balanced" } },
      labels: toGcpLabels(node("eth-2", "gcp", "asia-southeast1", "reth", "teku")),
    },
    gcp,
  );
  add("gcp:compute/disk:Disk", "pd", { zone: "asia-southeast1-b", type: "pd-ssd", size: 2500 }, gcp);
  add(
    "gcp:compute/firewall:Firewall",
    "admin",
    { network: "net", direction: "INGRESS", sourceRanges: ["0.0.0.0/0"], allows: [{ protocol: "tcp", ports: ["22"] }] },
    gcp,
  );
  for (const [i, el, cl] of [
    [3, "nethermind", "nimbus"],
    [4, "besu", "lighthouse"],
    [5, "geth", "teku"],
  ] as const) {
    add(
      "azure-native:compute:VirtualMachine",
      `eth-azure-${i}`,
      {
        location: "eastus",
        hardwareProfile: { vmSize: "Standard_D8s_v5" },
        storageProfile: { osDisk: { diskSizeGB: 30, managedDisk: { storageAccountType: "Premium_LRS" } } },
        tags: node(`eth-${i}`, "azure", "eastus", el, cl),
      },
      azure,
    );
  }
  add(
    "azure-native:network:NetworkSecurityGroup",
    "nsg",
    {
      location: "eastus",
      securityRules: [
        {
          name: "engine",
          direction: "Inbound",
          access: "Allow",
          protocol: "Tcp",
          sourceAddressPrefix: "Internet",
          sourcePortRange: "*",
          destinationAddressPrefix: "*",
          destinationPortRange: "8551",
          priority: 100,
        },
      ],
    },
    azure,
  );
  return {
    version: 3,
    deployment: { manifest: { time: "2026-12-01T00:00:00Z", magic: "", version: "v3.259.0" }, resources },
  };
}
