/**
 * `npm run bench:gateway`: what the RPC gateway (HAProxy with the configuration core/gateway
 * renders, unedited) costs against calling the node directly, measured in the same run on loopback
 * with autocannon, each load run in its own process (bench/gateway-load.ts, so the load generator
 * shares neither this process's event loop nor its CPU pin): throughput at each of
 * BENCH_CONNECTIONS (default 16,64; the target is judged at the first), and latency at one
 * connection (each response's own time, sub-millisecond). Direct and gateway runs alternate (order
 * swapped every run); medians of BENCH_RUNS (default 5, at least 3) runs of BENCH_SECONDS (default
 * 4) each. BENCH_PIN (e.g. `anvil=0,load=0,haproxy=1`) pins the processes with taskset, the same
 * pins for both paths: anvil and the load generator then get the same CPU whether or not HAProxy
 * is in the path. Targets: >= 80% of direct throughput, < 2 ms added p50.
 * Loopback only: one anvil and one HAProxy, both killed at the end.
 */
import { execFileSync } from "node:child_process";
import { loadavg } from "node:os";
import { cpuTicks, loadInOwnProcess, pinning, type Measure } from "./gateway-load";
import { HAPROXY, rpc, serverStates, startAnvil, startGateway, stopAll, waitFor } from "../test/gateway/processes";

const RUNS = Math.max(3, Number(process.env.BENCH_RUNS ?? 5));
const SECONDS = Math.max(2, Number(process.env.BENCH_SECONDS ?? 4));
const CONNECTIONS = (process.env.BENCH_CONNECTIONS ?? "16,64").split(",").map((c) => Math.max(2, Number(c)));
const PIN = pinning();

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

type Path = "direct" | "gateway";

async function main(): Promise<void> {
  const node = await startAnvil({ cpus: PIN.anvil });
  const threads = process.env.BENCH_THREADS ? Number(process.env.BENCH_THREADS) : undefined;
  const accessLog = process.env.BENCH_ACCESS_LOG !== "0";
  const gw = await startGateway(
    {
      gateway: "gw-bench",
      threads,
      accessLog,
      chains: [{ chain: "devnet/local", upstreams: [{ node: "node-a", url: node.url, operator: "bench" }] }],
    },
    { captureLog: false, cpus: PIN.haproxy },
  );
  await waitFor(async () => Object.values(await serverStates(gw)).every((s) => s.status === "UP"), 5000, "gateway up");
  const via = `${gw.url}/devnet/local`;
  if ((await rpc(via, "eth_chainId")) !== "0x7a69") throw new Error("the gateway does not answer eth_chainId");
  const targets: Record<Path, string> = { direct: node.url, gateway: via };
  // CPU time per request of anvil and HAProxy in the runs at the first connection count (µs), by path.
  const cpu: Record<Path, { anvil: number[]; haproxy: number[] }> = {
    direct: { anvil: [], haproxy: [] },
    gateway: { anvil: [], haproxy: [] },
  };
  const load = async (k: Path, connections: number, seconds = SECONDS) => {
    const t0 = [cpuTicks(node.process.pid!), cpuTicks(gw.process.pid!)];
    const m = await loadInOwnProcess(targets[k], connections, seconds, PIN.load);
    const us = (t: number) => (t * 10000) / (m.rps * seconds);
    if (connections !== CONNECTIONS[0]) return m;
    cpu[k].anvil.push(us(cpuTicks(node.process.pid!) - t0[0]));
    cpu[k].haproxy.push(us(cpuTicks(gw.process.pid!) - t0[1]));
    return m;
  };
  const runs: Record<Path, { tput: Record<number, Measure[]>; lat: Measure[] }> = {
    direct: { tput: Object.fromEntries(CONNECTIONS.map((c) => [c, []])), lat: [] },
    gateway: { tput: Object.fromEntries(CONNECTIONS.map((c) => [c, []])), lat: [] },
  };
  await load("direct", CONNECTIONS[0], 1); // warm-up
  await load("gateway", CONNECTIONS[0], 1);
  for (let i = 0; i < RUNS; i++) {
    const order: Path[] = i % 2 ? ["gateway", "direct"] : ["direct", "gateway"];
    for (const c of CONNECTIONS) for (const k of order) runs[k].tput[c].push(await load(k, c));
    for (const k of order) runs[k].lat.push(await load(k, 1));
    process.stderr.write(`run ${i + 1}/${RUNS} done\n`);
  }
  const f = (x: number) => x.toFixed(3);
  const pins = Object.entries(PIN)
    .map(([k, v]) => `${k} on CPU ${v}`)
    .join(", ");
  console.log(
    `gateway bench: eth_blockNumber on loopback, ${RUNS} runs x ${SECONDS} s, medians (${execFileSync(HAPROXY, ["-v"], { encoding: "utf8" }).split("\n")[0]}; threads ${threads ?? "default"}, access log ${accessLog ? "on" : "off"}; ${pins || "no CPU pinning"}; load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")})`,
  );
  console.log("| path | connections | req/s | p50 (ms) | p99 (ms) | errors |");
  console.log("| --- | ---: | ---: | ---: | ---: | ---: |");
  const ratios: number[] = [];
  let errors = 0;
  for (const c of CONNECTIONS) {
    const rps: Record<Path, number> = { direct: 0, gateway: 0 };
    for (const k of ["direct", "gateway"] as const) {
      const ms = runs[k].tput[c];
      rps[k] = median(ms.map((m) => m.rps));
      const e = ms.reduce((a, m) => a + m.errors, 0);
      errors += e;
      console.log(
        `| ${k} | ${c} | ${rps[k].toFixed(0)} | ${f(median(ms.map((m) => m.p50)))} | ${f(median(ms.map((m) => m.p99)))} | ${e} |`,
      );
    }
    ratios.push(rps.gateway / rps.direct);
  }
  const p50: Record<Path, number> = { direct: 0, gateway: 0 };
  for (const k of ["direct", "gateway"] as const) {
    const ms = runs[k].lat;
    p50[k] = median(ms.map((m) => m.p50));
    const e = ms.reduce((a, m) => a + m.errors, 0);
    errors += e;
    console.log(
      `| ${k} | 1 | ${median(ms.map((m) => m.rps)).toFixed(0)} | ${f(p50[k])} | ${f(median(ms.map((m) => m.p99)))} | ${e} |`,
    );
  }
  for (const [i, c] of CONNECTIONS.entries())
    console.log(
      `throughput through the gateway at ${c} connections: ${(ratios[i] * 100).toFixed(1)}% of direct` +
        (i === 0 ? ` (target >= 80%): ${ratios[i] >= 0.8 ? "met" : "MISSED"}` : ""),
    );
  const added = p50.gateway - p50.direct;
  const us = (xs: number[]) => median(xs).toFixed(1);
  console.log(
    `CPU per request at ${CONNECTIONS[0]} connections (µs, medians): direct: anvil ${us(cpu.direct.anvil)}; gateway: anvil ${us(cpu.gateway.anvil)}, haproxy ${us(cpu.gateway.haproxy)}`,
  );
  console.log(`added p50 latency at 1 connection: ${f(added)} ms (target < 2 ms): ${added < 2 ? "met" : "MISSED"}`);
  if (errors) process.exitCode = 1;
}

main()
  .catch((e) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(stopAll);
