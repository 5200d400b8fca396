// `pulumi up` for real: the Pulumi engine built from Go modules, three SSH hosts with their own
// addresses and Docker engines (e2e/lab), and a live JSON-RPC node (anvil) on each planned host.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { Stack, UpResult } from "@pulumi/pulumi/automation";
import { stringify } from "yaml";
import { jsonRpc, labEnv, labHosts, labProblem, programStack, setHostReachable, ssh, type LabHost } from "./lab";

const env = labEnv();
const problem = labProblem(env);
// On the project's machine kind CI must run this suite; say loudly why it cannot.
if (problem) console.error(`\n*** e2e suite cannot run: ${problem} ***\n`);

const OPERATORS = [
  { operator: "hetzner", country: "DE", monthlyUsd: 110 },
  { operator: "ovh", country: "FR", monthlyUsd: 95 },
  { operator: "home", country: "NL", monthlyUsd: 0 },
];

function fleetSpec(hosts: LabHost[], count: number, hostKeyOf = (h: LabHost) => h.hostKey) {
  return {
    name: "lab",
    chains: [{ chain: "devnet", count }],
    sites: {
      baremetal: {
        hosts: hosts.slice(0, 3).map((h, i) => ({
          name: h.name,
          address: h.address,
          ...OPERATORS[i],
          cpu: 4,
          memoryGb: 8,
          diskGb: 100,
          maxNodes: 2,
          ssh: { user: h.user, port: h.port, hostKey: hostKeyOf(h) },
        })),
      },
    },
    policy: { maxShare: { operator: 0.5 }, minOperators: 3, survive: { operatorLoss: 1, minNodes: 2 } },
  };
}

interface NodeOut {
  id: string;
  rpcEndpoint: string;
  publicIp: string;
  provider: string;
  hostPortOffset?: number;
}

/** A fleet of `count` devnet nodes on one lab host (no diversity rules: one operator). */
function oneHostSpec(name: string, host: LabHost, count: number) {
  return {
    name,
    chains: [{ chain: "devnet", count }],
    sites: {
      baremetal: {
        hosts: [
          {
            name: host.name,
            address: host.address,
            operator: "hetzner",
            country: "DE",
            monthlyUsd: 50,
            cpu: 4,
            memoryGb: 8,
            diskGb: 100,
            maxNodes: 4,
            ssh: { user: host.user, port: host.port, hostKey: host.hostKey },
          },
        ],
      },
    },
    policy: {},
  };
}

/** The program's stack for a spec file; only the test runner (at the bridge address) may call RPC. */
async function labStack(
  env: Record<string, string>,
  name: string,
  specFile: string,
  privateKey: string,
): Promise<Stack> {
  const stack = await programStack(env, name, specFile, privateKey);
  await stack.setConfig("sovereign:rpcAllowCidrs[0]", { value: "10.77.0.1/32" }, true);
  return stack;
}

describe("bare-metal fleet with the real Pulumi engine", { skip: problem }, () => {
  const work = mkdtempSync(join(tmpdir(), "sovereign-e2e-"));
  const specFile = join(work, "fleet.yaml");
  const hosts = problem ? [] : labHosts(env);
  const privateKey = problem ? "" : readFileSync(hosts[0].privateKeyPath, "utf8");
  const log: string[] = [];
  const timings: Record<string, number> = {};
  let stack: Stack;

  const timed = async <T>(phase: string, fn: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    try {
      return await fn();
    } finally {
      timings[phase] = Math.round(performance.now() - t0) / 1000;
    }
  };
  const up = (phase: string) => timed(phase, () => stack.up({ onOutput: (s) => log.push(s), color: "never" }));
  const nodesOf = (r: UpResult) => Object.values(r.outputs.nodes.value as Record<string, NodeOut>);
  const changes = (r: UpResult) =>
    Object.fromEntries(Object.entries(r.summary.resourceChanges ?? {}).filter(([op, n]) => op !== "same" && n));

  before(async () => {
    writeFileSync(specFile, stringify(fleetSpec(hosts, 3)));
    stack = await timed("stack init", () => labStack(env, `e2e-${process.pid}`, specFile, privateKey));
  });

  after(async () => {
    if (!stack) return;
    for (const h of hosts.slice(0, 3)) setHostReachable(h.name, true);
    try {
      // A no-op after the destroy test; a destroy that fails here fails the suite.
      await stack.destroy({ color: "never" });
    } finally {
      await stack.workspace.removeStack(stack.name).catch(() => undefined);
      console.log(`e2e timings (s): ${JSON.stringify(timings)}`);
      writeFileSync(join(work, "timings.json"), JSON.stringify(timings, null, 2));
    }
  });

  test("pulumi up: every node answers JSON-RPC on the host the plan chose", async () => {
    const result = await up("up");
    const nodes = nodesOf(result);
    assert.equal(nodes.length, 3);
    const used = new Set<string>();
    for (const node of nodes) {
      assert.equal(node.provider, "baremetal");
      const host = hosts.find((h) => node.id.includes(h.name))!;
      assert.ok(host, `${node.id} names its host`);
      used.add(host.name);
      assert.equal(node.publicIp, host.address, `${node.id} is on ${host.name}`);
      assert.equal(jsonRpc(node.rpcEndpoint, "eth_chainId").result, "0x7a69");
      assert.match(jsonRpc(node.rpcEndpoint, "eth_blockNumber").result ?? "", /^0x[0-9a-f]+$/);
      // The container runs on that host's own Docker engine, named by fleet and node.
      assert.match(ssh(env, host, "docker ps --format '{{.Names}}'"), new RegExp(`^lab_${node.id}-node$`, "m"));
    }
    // maxShare.operator 0.5 of 3 nodes and minOperators 3: one node per operator.
    assert.equal(used.size, 3);
  });

  test("the host firewall lets only rpcAllowCidrs reach RPC, with Docker in front", async () => {
    const node = nodesOf(await stack.up({ color: "never" }))[0];
    const other = hosts.find((h) => !node.id.includes(h.name))!;
    assert.equal(jsonRpc(node.rpcEndpoint, "eth_chainId").result, "0x7a69");
    const fromOther = jsonRpc(node.rpcEndpoint, "eth_chainId", other.name);
    assert.ok(fromOther.error, `RPC from ${other.name} (not allow-listed) must fail, got ${JSON.stringify(fromOther)}`);
    // It was the node's firewall that dropped it (Docker DNAT-ed the packets to the container first).
    const host = hosts.find((h) => node.id.includes(h.name))!;
    const dropped = ssh(env, host, "nft list ruleset").match(/proto-dst 8545 counter packets (\d+)/);
    assert.ok(dropped && Number(dropped[1]) > 0, "the forward chain's rpc drop rule counted the packets");
  });

  test("pulumi up again changes nothing; one more node creates only that node", async () => {
    const again = await up("second up");
    assert.deepEqual(changes(again), {});
    writeFileSync(specFile, stringify(fleetSpec(hosts, 4)));
    const before = new Set(nodesOf(again).map((n) => n.id));
    const grown = await up("up with one more node");
    const added = nodesOf(grown).filter((n) => !before.has(n.id));
    assert.equal(added.length, 1);
    const c = changes(grown);
    assert.deepEqual(Object.keys(c), ["create"], `only creates, got ${JSON.stringify(c)}`);
    assert.equal(jsonRpc(added[0].rpcEndpoint, "eth_chainId").result, "0x7a69");
  });

  test("an unreachable host fails alone, with a clear error, and the next up converges", async () => {
    await timed("destroy (before failure test)", () => stack.destroy({ color: "never" }));
    const down = hosts[1];
    setHostReachable(down.name, false);
    let message = "";
    try {
      await up("up with a host down");
      assert.fail("up must fail while a host is unreachable");
    } catch (e) {
      message = String((e as Error).message);
    } finally {
      setHostReachable(down.name, true);
    }
    assert.match(message, new RegExp(down.address.replace(/\./g, "\\.")), "the error names the unreachable host");
    const exported = await stack.exportStack();
    const created = (exported.deployment.resources ?? [])
      .filter((r: { type: string }) => r.type === "sovereign:baremetal:NodeHost")
      .map((r: { urn: string }) => r.urn);
    assert.ok(
      created.some((u: string) => !u.includes(down.name)),
      "nodes on the other hosts were deployed",
    );
    const result = await up("up after the host returned");
    const nodes = nodesOf(result);
    assert.equal(nodes.length, 4);
    for (const n of nodes) assert.equal(jsonRpc(n.rpcEndpoint, "eth_chainId").result, "0x7a69");
  });

  test("no secret in plaintext in the state, the outputs or the logs", async () => {
    // The key's random part (its first line is the same for every OpenSSH key).
    const keyBody = privateKey
      .split("\n")
      .filter((l) => l && !l.startsWith("-----"))
      .slice(1)
      .join("");
    const probes = [keyBody.slice(0, 32), keyBody.slice(keyBody.length / 2, keyBody.length / 2 + 32)];
    // The checkpoint and every history file on disk (the Automation API's exportStack decrypts secrets).
    const backend = join(env.PULUMI_BACKEND_URL.replace(/^file:\/\//, ""), ".pulumi");
    const history = join(backend, "history", "sovereign", stack.name);
    const state = [
      join(backend, "stacks", "sovereign", `${stack.name}.json`),
      ...readdirSync(history).map((f) => join(history, f)),
    ]
      .map((f) => readFileSync(f, "utf8"))
      .join("\n");
    const outputs = JSON.stringify(await stack.outputs());
    for (const probe of probes) {
      assert.ok(!state.includes(probe), "the SSH key is not in the state");
      assert.ok(!outputs.includes(probe), "the SSH key is not in the outputs");
      assert.ok(!log.join("").includes(probe), "the SSH key is not in the logs");
    }
    assert.match(state, /"4dabf18193072939515e22adb298388d"/, "secrets are stored as Pulumi secrets");
  });

  test("a host that shows another host key is refused (no one can pose as a host)", async () => {
    const [h1, h2] = hosts;
    writeFileSync(specFile, stringify(fleetSpec(hosts, 4, (h) => (h.name === h1.name ? h2.hostKey : h.hostKey))));
    await assert.rejects(
      () => up("up with a wrong host key"),
      (e: Error) => /host key|hostkey|knownhosts|mismatch/i.test(e.message),
    );
    writeFileSync(specFile, stringify(fleetSpec(hosts, 4)));
  });

  test("pulumi destroy leaves the hosts clean", async () => {
    await timed("destroy", () => stack.destroy({ color: "never", onOutput: (s) => log.push(s) }));
    for (const h of hosts.slice(0, 3)) {
      assert.equal(ssh(env, h, "docker ps -aq").trim(), "", `${h.name}: no containers`);
      assert.equal(
        ssh(env, h, "find /srv/sovereign -mindepth 1 2>/dev/null | head -5").trim(),
        "",
        `${h.name}: no files`,
      );
      assert.doesNotMatch(ssh(env, h, "nft list tables"), /sovereign_/, `${h.name}: no firewall tables`);
    }
  });
});

describe("two fleets on one bare-metal host never touch each other", { skip: problem }, () => {
  const work = mkdtempSync(join(tmpdir(), "sovereign-e2e-fleets-"));
  const hosts = problem ? [] : labHosts(env);
  const host = hosts[2];
  const privateKey = problem ? "" : readFileSync(host.privateKeyPath, "utf8");
  const stacks: Record<string, Stack> = {};
  const timings: Record<string, number> = {};
  const timed = async <T>(phase: string, fn: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    try {
      return await fn();
    } finally {
      timings[phase] = Math.round(performance.now() - t0) / 1000;
    }
  };
  const up = async (fleet: string, phase: string) =>
    nodesOf(await timed(phase, () => stacks[fleet].up({ color: "never" })));
  const nodesOf = (r: UpResult) => Object.values(r.outputs.nodes.value as Record<string, NodeOut>);
  // A balance set on prod's chain: the mark that prod's node (and its state) survived.
  const MARK = "0x00000000000000000000000000000000000000a1";
  const markRpc = (url: string, method: string, params: unknown[]) => {
    const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method, params });
    return JSON.parse(
      execFileSync("curl", ["-sS", "--max-time", "5", "-H", "content-type: application/json", "--data", body, url], {
        encoding: "utf8",
      }),
    );
  };
  let prodRpc = "";

  before(async () => {
    for (const fleet of ["prod", "staging"]) {
      const file = join(work, `${fleet}.yaml`);
      writeFileSync(file, stringify(oneHostSpec(fleet, host, 1)));
      stacks[fleet] = await labStack(env, `e2e-${fleet}-${process.pid}`, file, privateKey);
    }
  });

  after(async () => {
    for (const stack of Object.values(stacks)) {
      try {
        // A no-op after the destroy tests; a destroy that fails here fails the suite.
        await stack.destroy({ color: "never" });
      } finally {
        await stack.workspace.removeStack(stack.name).catch(() => undefined);
      }
    }
    console.log(`e2e two-fleet timings (s): ${JSON.stringify(timings)}`);
  });

  test("prod and staging both plan devnet-<host>-1 on the same host; prod comes up", async () => {
    const [prod] = await up("prod", "prod up");
    assert.equal(prod.id, `devnet-${host.name}-1`);
    prodRpc = prod.rpcEndpoint;
    assert.equal(jsonRpc(prodRpc, "eth_chainId").result, "0x7a69");
    assert.equal(markRpc(prodRpc, "anvil_setBalance", [MARK, "0x1234"]).result, null);
  });

  test("staging needing prod's host port gets an error naming fleet prod, and prod is untouched", async () => {
    await assert.rejects(
      () => up("staging", "staging up (port held by prod)"),
      (e: Error) => /host port 8545\/tcp is held by node devnet-\S+ of fleet prod/.test(e.message),
    );
    assert.equal(markRpc(prodRpc, "eth_getBalance", [MARK, "latest"]).result, "0x1234");
    assert.match(
      ssh(env, host, "docker ps --format '{{.Names}}'"),
      new RegExp(`^prod_devnet-${host.name}-1-node$`, "m"),
    );
    assert.doesNotMatch(ssh(env, host, "docker ps -a --format '{{.Names}}'"), /staging_/);
    assert.doesNotMatch(
      ssh(env, host, "nft list tables"),
      /sovereign_staging_/,
      "no firewall table of the refused node",
    );
  });

  test("with its own port offset staging runs beside prod", async () => {
    await stacks.staging.setConfig("sovereign:hostPortOffset", { value: "100" });
    const [staging] = await up("staging", "staging up (offset 100)");
    assert.equal(staging.id, `devnet-${host.name}-1`);
    assert.equal(staging.rpcEndpoint, `http://${host.address}:8645`);
    assert.equal(staging.hostPortOffset, 100);
    assert.equal(jsonRpc(staging.rpcEndpoint, "eth_chainId").result, "0x7a69");
    assert.equal(markRpc(staging.rpcEndpoint, "eth_getBalance", [MARK, "latest"]).result, "0x0", "two chains, not one");
    assert.equal(markRpc(prodRpc, "eth_getBalance", [MARK, "latest"]).result, "0x1234");
  });

  test("destroying staging leaves prod's node, data and firewall as they were", async () => {
    const prodDir = `/srv/sovereign/fleets/prod/data/devnet-${host.name}-1`;
    const before = ssh(env, host, `find ${prodDir} | sort`);
    await timed("staging destroy", () => stacks.staging.destroy({ color: "never" }));
    assert.equal(markRpc(prodRpc, "eth_getBalance", [MARK, "latest"]).result, "0x1234", "prod's chain state is there");
    assert.equal(ssh(env, host, `find ${prodDir} | sort`), before, "prod's data directory is as it was");
    assert.match(
      ssh(env, host, "docker ps --format '{{.Names}}'"),
      new RegExp(`^prod_devnet-${host.name}-1-node$`, "m"),
    );
    assert.doesNotMatch(ssh(env, host, "docker ps -a --format '{{.Names}}'"), /staging_/);
    const tables = ssh(env, host, "nft list tables");
    assert.match(tables, new RegExp(`sovereign_prod_devnet-${host.name}-1`));
    assert.doesNotMatch(tables, /sovereign_staging_/);
    assert.equal(ssh(env, host, "ls /srv/sovereign/fleets").trim(), "prod");
    assert.equal(ssh(env, host, "ls /srv/sovereign/claims").trim(), `prod_devnet-${host.name}-1.ports`);
  });

  test("destroying prod then leaves the host clean", async () => {
    await timed("prod destroy", () => stacks.prod.destroy({ color: "never" }));
    assert.equal(ssh(env, host, "docker ps -aq").trim(), "");
    assert.equal(ssh(env, host, "find /srv/sovereign -mindepth 1 2>/dev/null | head -5").trim(), "");
    assert.doesNotMatch(ssh(env, host, "nft list tables"), /sovereign_/);
  });
});
