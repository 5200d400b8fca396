/**
 * `npm run bench:gateway`: the same work, side by side in one run, on loopback with autocannon (each
 * load run in its own process, bench/gateway-load.ts): `eth_getBalance` of anvil's funded account at
 * BENCH_CONNECTIONS (default 16) connections, through
 *   direct   the anvil itself;
 *   bare     a bare HAProxy pass-through (one frontend, one server, no checks: the engine's own limit);
 *   gateway  Sovereign's gateway (the configuration core/gateway renders, hot path: no integrity set);
 *   erpc     eRPC 0.0.56 alone in front of the same anvil (no consensus, no cache);
 *   quorum   integrity reads through Sovereign's gateway: HAProxy -> eRPC consensus over three anvils
 *            (agreement 2 of 3, the configuration core/gateway renders).
 * Per path: throughput, p50/p99, and CPU time per request of every process on the path (from
 * /proc/<pid>/stat), with ratios against the bare HAProxy. Paths rotate order each run; medians of
 * BENCH_RUNS (default 3) runs of BENCH_SECONDS (default 4). BENCH_PIN (e.g. `anvil=0,load=0,haproxy=1`)
 * pins processes as in the other gateway benches (eRPC shares HAProxy's pin); BENCH_THREADS sets every
 * HAProxy's nbthread alike (on a machine whose cores the load and the nodes share, threads contend). Goals (issue 22): the
 * gateway's proxy CPU per request within 1.15x of the bare HAProxy's; at least 3x eRPC's throughput
 * on the hot path; the quorum's cost stated per participant. Every process is killed at the end.
 */
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadavg } from "node:os";
import { cpuTicks, loadInOwnProcess, pinning, type Measure } from "./gateway-load";
import {
  HAPROXY,
  freePort,
  rpc,
  serverStates,
  startAnvil,
  startErpc,
  startGateway,
  stopAll,
  tempDir,
  track,
  waitFor,
  type Anvil,
} from "../test/gateway/processes";
import { renderErpcConfig } from "../core/gateway/integrity";
import { parseGatewayConfig } from "../core/gateway";
import { parse, stringify } from "yaml";

const RUNS = Math.max(3, Number(process.env.BENCH_RUNS ?? 3));
const SECONDS = Math.max(2, Number(process.env.BENCH_SECONDS ?? 4));
const CONNECTIONS = Math.max(2, Number(process.env.BENCH_CONNECTIONS ?? 16));
/** HAProxy threads of the bare proxy and both gateways alike (BENCH_THREADS); unset, HAProxy's default: one per CPU. */
const THREADS = process.env.BENCH_THREADS ? Math.max(1, Number(process.env.BENCH_THREADS)) : undefined;
const PIN = pinning();
const DEV = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
const BODY = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_getBalance", params: [DEV, "latest"] });
const HONEST = "0x21e19e0c9bab2400000";

const PATHS = ["direct", "bare", "gateway", "erpc", "quorum"] as const;
type Path = (typeof PATHS)[number];

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** A bare HAProxy pass-through to `upstream`: no checks, no rules, no log. */
async function startBareHaproxy(upstream: string): Promise<{ url: string; pid: number }> {
  const dir = tempDir("sov-bare-");
  const port = await freePort();
  const cfg = [
    "global",
    "    tune.bufsize 16384",
    ...(THREADS ? [`    nbthread ${THREADS}`] : []),
    "defaults",
    "    mode http",
    "    timeout connect 1s",
    "    timeout client 30s",
    "    timeout server 30s",
    "frontend rpc",
    `    bind 127.0.0.1:${port}`,
    "    default_backend node",
    "backend node",
    `    server n ${new URL(upstream).host}`,
    "",
  ].join("\n");
  writeFileSync(join(dir, "bare.cfg"), cfg);
  const argv = [HAPROXY, "-db", "-f", join(dir, "bare.cfg")];
  const [cmd, ...args] = PIN.haproxy ? ["taskset", "-c", PIN.haproxy, ...argv] : argv;
  const p = track(spawn(cmd, args, { stdio: "ignore" }));
  const url = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await rpc(url, "eth_chainId").catch(() => undefined)) === "0x7a69", 5000, "bare haproxy");
  return { url, pid: p.pid! };
}

/** eRPC alone in front of `node`: the gateway renderer's eRPC config without a consensus policy. */
async function startErpcAlone(node: Anvil): Promise<{ url: string; pid: number }> {
  const dir = tempDir("sov-erpc-");
  const [port, metricsPort] = [await freePort(), await freePort()];
  const c = parseGatewayConfig({
    gateway: "erpc-alone",
    metrics: "127.0.0.1:1",
    erpc: { port, metricsPort, timeoutMs: 2000, sitOutSeconds: 300 },
    chains: [{ chain: "devnet/local", upstreams: [{ node: "node-a", url: node.url, operator: "bench" }] }],
  });
  const config = parse(
    renderErpcConfig(c, [
      {
        chain: c.chains[0],
        integrity: { agreement: 1, participants: 1, operators: 1, minOperators: 1, methods: ["none"], chainId: 31337 },
      },
    ]),
  );
  delete config.projects[0].networks[0].failsafe;
  const yaml = stringify(config);
  if (/consensus/.test(yaml)) throw new Error("eRPC alone must run without a consensus policy");
  const e = await startErpc(
    { erpcYaml: yaml, paths: { erpc: join(dir, "erpc.yaml") }, config: c },
    { cpus: PIN.haproxy },
  );
  const url = `http://127.0.0.1:${port}/sovereign/evm/31337`;
  await waitFor(async () => (await rpc(url, "eth_getBalance", [DEV, "latest"])) === HONEST, 10000, "eRPC alone");
  return { url, pid: e.pid };
}

async function main(): Promise<void> {
  const [node, b, c] = await Promise.all([0, 1, 2].map(() => startAnvil({ cpus: PIN.anvil })));
  const bare = await startBareHaproxy(node.url);
  const gw = await startGateway(
    {
      gateway: "gw-bench",
      threads: THREADS,
      chains: [{ chain: "devnet/local", upstreams: [{ node: "node-a", url: node.url, operator: "op-a" }] }],
    },
    { captureLog: false, cpus: PIN.haproxy },
  );
  const qgw = await startGateway(
    {
      gateway: "gw-quorum",
      threads: THREADS,
      erpc: { port: await freePort(), metricsPort: await freePort(), timeoutMs: 2000, sitOutSeconds: 300 },
      chains: [
        {
          chain: "devnet/local",
          upstreams: [node, b, c].map((n, i) => ({ node: `node-${"abc"[i]}`, url: n.url, operator: `op-${"abc"[i]}` })),
          integrity: { chainId: 31337, methods: ["eth_getBalance", "eth_call"] },
        },
      ],
    },
    { captureLog: false, cpus: PIN.haproxy },
  );
  const qerpc = await startErpc(qgw.rendered, { cpus: PIN.haproxy });
  const erpc = await startErpcAlone(node);
  const upAll = async () =>
    [...Object.values(await serverStates(gw)), ...Object.values(await serverStates(qgw))].every(
      (s) => s.status === "UP",
    );
  await waitFor(upAll, 10000, "gateways up");
  const targets: Record<Path, { url: string; proxies: number[]; anvils: Anvil[] }> = {
    direct: { url: node.url, proxies: [], anvils: [node] },
    bare: { url: bare.url, proxies: [bare.pid], anvils: [node] },
    gateway: { url: `${gw.url}/devnet/local`, proxies: [gw.process.pid!], anvils: [node] },
    erpc: { url: erpc.url, proxies: [erpc.pid], anvils: [node] },
    quorum: { url: `${qgw.url}/devnet/local`, proxies: [qgw.process.pid!, qerpc.pid], anvils: [node, b, c] },
  };
  for (const p of PATHS) {
    const got = await rpc(targets[p].url, "eth_getBalance", [DEV, "latest"]);
    if (got !== HONEST) throw new Error(`${p}: eth_getBalance answered ${got}`);
  }
  const results: Record<Path, { m: Measure[]; proxyUs: number[]; proxyUsEach: number[][]; anvilUs: number[] }> =
    Object.fromEntries(PATHS.map((p) => [p, { m: [], proxyUs: [], proxyUsEach: [], anvilUs: [] }])) as never;
  const run = async (p: Path, seconds: number) => {
    const t = targets[p];
    const pids = [...t.proxies, ...t.anvils.map((a) => a.process.pid!)];
    const t0 = pids.map(cpuTicks);
    const m = await loadInOwnProcess(t.url, CONNECTIONS, seconds, PIN.load, BODY);
    const us = pids.map((pid, i) => ((cpuTicks(pid) - t0[i]) * 10000) / (m.rps * seconds));
    return {
      m,
      proxyEach: us.slice(0, t.proxies.length),
      anvil: us.slice(t.proxies.length).reduce((a, x) => a + x, 0),
    };
  };
  for (const p of PATHS) await run(p, 1); // warm-up
  for (let i = 0; i < RUNS; i++) {
    const order = PATHS.map((_, j) => PATHS[(i + j) % PATHS.length]);
    for (const p of order) {
      const r = await run(p, SECONDS);
      results[p].m.push(r.m);
      results[p].proxyUsEach.push(r.proxyEach);
      results[p].proxyUs.push(r.proxyEach.reduce((a, x) => a + x, 0));
      results[p].anvilUs.push(r.anvil);
    }
    process.stderr.write(`run ${i + 1}/${RUNS} done\n`);
  }
  const pins = Object.entries(PIN)
    .map(([k, v]) => `${k} on CPU ${v}`)
    .join(", ");
  console.log(
    `gateway side-by-side: eth_getBalance at ${CONNECTIONS} connections on loopback, ${RUNS} runs x ${SECONDS} s, medians (${pins || "no CPU pinning"}; ${THREADS ? `nbthread ${THREADS}` : "HAProxy default threads"}; load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")})`,
  );
  console.log(
    "| path | req/s | p50 (ms) | p99 (ms) | errors | proxy CPU µs/req | node CPU µs/req | proxy CPU vs bare | req/s vs bare |",
  );
  console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
  const rps = (p: Path) => median(results[p].m.map((m) => m.rps));
  const proxy = (p: Path) => median(results[p].proxyUs);
  const anvil = (p: Path) => median(results[p].anvilUs);
  let errors = 0;
  for (const p of PATHS) {
    const e = results[p].m.reduce((a, m) => a + m.errors, 0);
    errors += e;
    console.log(
      `| ${p} | ${rps(p).toFixed(0)} | ${median(results[p].m.map((m) => m.p50)).toFixed(3)} | ${median(results[p].m.map((m) => m.p99)).toFixed(3)} | ${e} | ${p === "direct" ? "-" : proxy(p).toFixed(1)} | ${anvil(p).toFixed(1)} | ${p === "direct" ? "-" : (proxy(p) / proxy("bare")).toFixed(2) + "x"} | ${(rps(p) / rps("bare")).toFixed(2)}x |`,
    );
  }
  const cpuRatio = proxy("gateway") / proxy("bare");
  const tputRatio = rps("gateway") / rps("erpc");
  const erpcInQuorum = median(results.quorum.proxyUsEach.map((x) => x[1]));
  const haproxyInQuorum = median(results.quorum.proxyUsEach.map((x) => x[0]));
  console.log(
    `gateway proxy CPU per request: ${cpuRatio.toFixed(2)}x the bare HAProxy's (goal <= 1.15x): ${cpuRatio <= 1.15 ? "met" : "MISSED"}`,
  );
  console.log(
    `gateway throughput: ${tputRatio.toFixed(2)}x eRPC alone's (goal >= 3x): ${tputRatio >= 3 ? "met" : "MISSED"}`,
  );
  console.log(
    `quorum read (3 participants, agreement 2): HAProxy ${haproxyInQuorum.toFixed(1)} µs + eRPC ${erpcInQuorum.toFixed(1)} µs + nodes ${anvil("quorum").toFixed(1)} µs of CPU per request = ${((haproxyInQuorum + erpcInQuorum + anvil("quorum")) / 3).toFixed(1)} µs per participant; eRPC ${(erpcInQuorum / 3).toFixed(1)} µs and node ${(anvil("quorum") / 3).toFixed(1)} µs per participant; ${(rps("quorum") / rps("gateway")).toFixed(2)}x the hot path's throughput`,
  );
  if (errors) process.exitCode = 1;
}

main()
  .catch((e) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(stopAll);
