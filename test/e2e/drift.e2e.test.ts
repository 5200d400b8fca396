// Drift of bare-metal hosts, through the Sovereign program itself (Pulumi.yaml, program/deploy.ts)
// with the real engine, on lab hosts sov-h26 and sov-h27: on each a devnet (anvil) node and a
// gateway, joined by the WireGuard overlay. The hosts are then broken by hand: on sov-h26 the
// node's container is stopped; on sov-h27 the node's compose file is edited and its nftables table
// flushed. Checked: `sovereign doctor --stack` exits 1 naming each host and cause; a host it cannot
// reach is "unknown" (exit 4), never ok; `pulumi up --refresh` (the documented repair) restores
// both hosts, the nodes answer again and doctor is clean (exit 0); destroy leaves the hosts clean.
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { Stack, UpResult } from "@pulumi/pulumi/automation";
import { stringify } from "yaml";
import { baremetalPaths } from "../../core/layout/baremetal";
import { nftTableName } from "../../core/workload/nftables";
import {
  REPO,
  hostLeftovers,
  labEnv,
  labHosts,
  programStack,
  setHostReachable,
  ssh,
  timer,
  overlaySuiteProblem,
  specHost,
} from "./lab";

const env = labEnv();
const HOSTS = [
  ["sov-h26", "netcup", "DE"],
  ["sov-h27", "scaleway", "FR"],
] as const;
const EVM = "devnet/local";
const FLEET = "drift-e2e";

const problem = overlaySuiteProblem(
  env,
  "drift",
  HOSTS.map(([h]) => h),
);

interface NodeOut {
  chain: string;
  site: string;
  rpcEndpoint: string;
}
interface DoctorJson {
  summary: { ok: number; drift: number; unknown: number };
  hosts: Array<{
    host: string;
    status: string;
    checks: Array<{ workload: string; check: string; subject: string; status: string; detail: string; repair: string }>;
  }>;
}

describe("drift on bare-metal hosts: seen by doctor, repaired by pulumi up --refresh", { skip: problem }, () => {
  const hosts = problem ? [] : labHosts(env);
  const host = (name: string) => hosts.find((h) => h.name === name)!;
  const work = mkdtempSync(join(tmpdir(), "sovereign-drift-e2e-"));
  const timings: Record<string, number> = {};
  const timed = timer(timings);
  let stack: Stack;
  let up: UpResult;
  let destroyed = false;

  /** `sovereign doctor --stack` as a user runs it, in the project directory with the lab's backend. */
  const doctor = (...extra: string[]) => {
    const r = spawnSync(
      process.execPath,
      [join(REPO, "bin", "sovereign.js"), "doctor", "--stack", stack.name, "--timeout", "20", ...extra],
      { cwd: REPO, env: { ...process.env, ...env }, encoding: "utf8", timeout: 120_000 },
    );
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const doctorJson = () => {
    const r = doctor("--format", "json");
    assert.ok(r.stdout.startsWith("{"), `doctor answered no JSON (exit ${r.status}): ${r.stderr}`);
    return { status: r.status, report: JSON.parse(r.stdout) as DoctorJson, stderr: r.stderr };
  };
  /** The node of a chain on a host, from the stack's outputs. */
  const nodeOn = (hostName: string) => {
    const [id, n] = Object.entries(up.outputs.nodes.value as Record<string, NodeOut>).find(
      ([, n]) => n.chain === "devnet" && n.site === `baremetal/${hostName}`,
    )!;
    return { id, port: Number(new URL(n.rpcEndpoint).port) };
  };
  /** eth_chainId asked on the node's host itself (loopback: the host firewall lets it through). */
  const chainId = (hostName: string) => {
    const { port } = nodeOn(hostName);
    const out = ssh(
      env,
      host(hostName),
      `curl -s --max-time 3 -H 'content-type: application/json' --data '{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}' http://127.0.0.1:${port} || true`,
    );
    return out ? (JSON.parse(out) as { result?: string }).result : undefined;
  };
  const viaGateways = () =>
    Object.values(up.outputs.gateways.value as Record<string, { endpoints: Record<string, string> }>).map((g) => {
      const r = spawnSync(
        "curl",
        [
          ...["-s", "--max-time", "5", "-H", "content-type: application/json"],
          ...["--data", '{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}', g.endpoints[EVM]],
        ],
        { encoding: "utf8" },
      );
      return r.stdout ? (JSON.parse(r.stdout) as { result?: string }).result : undefined;
    });

  before(async () => {
    const privateKey = readFileSync(hosts[0].privateKeyPath, "utf8");
    const machine = ([name, operator, country]: (typeof HOSTS)[number]) =>
      specHost(host(name), operator, country, { maxNodes: 2 });
    const spec = {
      name: FLEET,
      chains: [{ chain: "devnet", count: 2 }],
      sites: { baremetal: { hosts: HOSTS.map(machine) } },
      gateways: { count: 2, maxLagBlocks: 5 },
      policy: { maxShare: { operator: 0.5 } },
    };
    const specFile = join(work, "fleet.yaml");
    writeFileSync(specFile, stringify(spec));
    const image = execFileSync(
      "bash",
      [join(REPO, "e2e/lab/build-gateway-image.sh"), "--hosts", HOSTS.map(([h]) => h).join(",")],
      { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] },
    )
      .trim()
      .split("\n")
      .pop()!;
    stack = await timed("stack init", () => programStack(env, `drift-${process.pid}`, specFile, privateKey));
    await stack.setAllConfig({
      "sovereign:overlay": { value: "true" },
      "sovereign:wireguardGo": { value: env.SOVEREIGN_WIREGUARD_GO },
      "sovereign:gatewayImage": { value: image },
    });
  });

  after(async () => {
    for (const [name] of HOSTS) setHostReachable(name, true);
    try {
      // A destroy that fails here (the destroy test did not get to run) fails the suite.
      if (stack && !destroyed) await stack.destroy({ color: "never" });
    } finally {
      if (stack) await stack.workspace.removeStack(stack.name).catch(() => undefined);
      rmSync(work, { recursive: true, force: true });
      console.log(`drift e2e timings (s): ${JSON.stringify(timings)}`);
    }
  });

  test("pulumi up: a node and a gateway per host; doctor finds both hosts as deployed (exit 0)", async () => {
    up = await timed("up", () => stack.up({ color: "never" }));
    for (const [name] of HOSTS) assert.equal(chainId(name), "0x7a69", `the node on ${name} answers`);
    assert.deepEqual(viaGateways(), ["0x7a69", "0x7a69"]);
    const { status, report, stderr } = await timed("doctor clean", async () => doctorJson());
    assert.equal(status, 0, `doctor: ${stderr}`);
    assert.deepEqual(report.hosts.map((h) => [h.host, h.status]).sort(), HOSTS.map(([h]) => [h, "ok"]).sort());
    const checks = report.hosts.flatMap((h) => h.checks.map((c) => c.check));
    for (const kind of ["file", "container", "nftables"]) assert.ok(checks.includes(kind), `doctor checks ${kind}`);
  });

  test("a host doctor cannot reach is unknown (exit 4), never ok", async () => {
    setHostReachable(HOSTS[1][0], false);
    try {
      const { status, report } = await timed("doctor unreachable", async () => doctorJson());
      assert.equal(status, 4);
      const byHost = Object.fromEntries(report.hosts.map((h) => [h.host, h]));
      assert.equal(byHost[HOSTS[1][0]].status, "unknown");
      assert.ok(byHost[HOSTS[1][0]].checks.every((c) => c.status === "unknown" && /cannot check/.test(c.detail)));
      assert.equal(byHost[HOSTS[0][0]].status, "ok");
    } finally {
      setHostReachable(HOSTS[1][0], true);
    }
  });

  test("broken by hand: stopped container, edited compose file, flushed nftables table; doctor exits 1 naming each", async () => {
    const [h26, h27] = HOSTS.map(([h]) => h);
    const stopped = nodeOn(h26).id;
    const edited = nodeOn(h27).id;
    const paths = baremetalPaths(FLEET, edited);
    ssh(env, host(h26), `docker ps --format '{{.Names}}' | grep '_${stopped}-' | xargs docker stop >/dev/null`);
    ssh(env, host(h27), `echo '# edited by hand' >> ${paths.configRoot}/${edited}/compose.yaml`);
    ssh(env, host(h27), `nft flush table inet ${nftTableName(edited, FLEET)}`);
    assert.equal(chainId(h26), undefined, "the stopped node does not answer");

    const { status, report } = await timed("doctor drift", async () => doctorJson());
    assert.equal(status, 1);
    const drift = (h: string) =>
      report.hosts
        .find((x) => x.host === h)!
        .checks.filter((c) => c.status === "drift")
        .map((c) => [c.workload, c.check, c.detail]);
    const [stoppedDrift] = drift(h26);
    assert.deepEqual(stoppedDrift.slice(0, 2), [stopped, "container"]);
    assert.match(stoppedDrift[2], /^exited/);
    assert.deepEqual(
      drift(h27).map(([w, c]) => [w, c]),
      [
        [edited, "file"],
        [edited, "nftables"],
      ],
    );
    assert.match(drift(h27)[0][2], /edited since the deploy/);
    assert.match(drift(h27)[1][2], /^0 rule\(s\), deployed \d+ \(flushed or edited\)$/);
    // The table names the host and cause, and says what up repairs.
    const table = doctor();
    assert.equal(table.status, 1);
    assert.match(table.stdout, new RegExp(`${h26}: DRIFT: ${stopped} container`));
    assert.match(table.stdout, new RegExp(`${h27}: DRIFT: ${edited} file .*compose\\.yaml: edited since the deploy`));
    assert.match(table.stdout, /Repair: pulumi up --refresh/);
  });

  test("pulumi up --refresh repairs both hosts: the nodes answer again and doctor is clean", async () => {
    const result = await timed("up --refresh", () => stack.up({ color: "never", refresh: true }));
    assert.ok((result.summary.resourceChanges?.update ?? 0) > 0, JSON.stringify(result.summary.resourceChanges));
    for (const [name] of HOSTS) assert.equal(chainId(name), "0x7a69", `the node on ${name} answers again`);
    assert.deepEqual(viaGateways(), ["0x7a69", "0x7a69"]);
    const { status, report, stderr } = doctorJson();
    assert.equal(status, 0, `doctor after the repair: ${stderr} ${JSON.stringify(report.hosts)}`);
    assert.equal(report.summary.drift + report.summary.unknown, 0);
    // A second refresh finds nothing left to repair: its preview changes nothing.
    const again = await timed("preview --refresh, clean", () => stack.preview({ color: "never", refresh: true }));
    const changes = Object.entries(again.changeSummary).filter(([op, n]) => op !== "same" && op !== "read" && n > 0);
    assert.deepEqual(changes, [], JSON.stringify(again.changeSummary));
  });

  test("pulumi destroy succeeds and leaves the hosts clean", async () => {
    await timed("destroy", () => stack.destroy({ color: "never" }));
    destroyed = true;
    for (const [name] of HOSTS) assert.equal(hostLeftovers(env, host(name)), "", `${name} is clean`);
  });
});
