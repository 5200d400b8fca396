/**
 * `npm run bench:gateway`: what the RPC gateway (HAProxy with the configuration core/gateway
 * renders) costs against calling the node directly, measured in the same run on loopback with
 * autocannon: throughput at BENCH_CONNECTIONS (default 16) connections, and latency at one
 * connection (each response's time from autocannon's `response` event, sub-millisecond). Direct and
 * gateway runs alternate (order swapped every run); medians of BENCH_RUNS (default 5, at least 3)
 * runs of BENCH_SECONDS (default 4) each. Targets: >= 80% of direct throughput, < 2 ms added p50.
 * Loopback only: one anvil and one HAProxy, both killed at the end.
 */
import { execFileSync } from "node:child_process";
import autocannon from "autocannon";
import { HAPROXY, rpc, serverStates, startAnvil, startGateway, stopAll, waitFor } from "../test/gateway/processes";

const RUNS = Math.max(3, Number(process.env.BENCH_RUNS ?? 5));
const SECONDS = Math.max(2, Number(process.env.BENCH_SECONDS ?? 4));
const CONNECTIONS = Math.max(2, Number(process.env.BENCH_CONNECTIONS ?? 16));
const BODY = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_blockNumber", params: [] });

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};

interface Measure {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

async function load(url: string, connections: number, seconds: number): Promise<Measure> {
  const times: number[] = [];
  const result = await new Promise<autocannon.Result>((ok, fail) => {
    const instance = autocannon(
      {
        url,
        method: "POST",
        body: BODY,
        headers: { "content-type": "application/json" },
        connections,
        duration: seconds,
      },
      (err, res) => (err ? fail(err) : ok(res)),
    );
    instance.on("response", (_client, status, _bytes, ms) => {
      if (status === 200) times.push(ms);
    });
  });
  return {
    rps: result.requests.average,
    p50: quantile(times, 0.5),
    p99: quantile(times, 0.99),
    errors: result.errors + result.timeouts + result.non2xx,
  };
}

async function main(): Promise<void> {
  const node = await startAnvil();
  const threads = process.env.BENCH_THREADS ? Number(process.env.BENCH_THREADS) : undefined;
  const accessLog = process.env.BENCH_ACCESS_LOG !== "0";
  const gw = await startGateway(
    {
      gateway: "gw-bench",
      threads,
      accessLog,
      chains: [{ chain: "devnet/local", upstreams: [{ node: "node-a", url: node.url, operator: "bench" }] }],
    },
    { captureLog: false },
  );
  await waitFor(async () => Object.values(await serverStates(gw)).every((s) => s.status === "UP"), 5000, "gateway up");
  const via = `${gw.url}/devnet/local`;
  if ((await rpc(via, "eth_chainId")) !== "0x7a69") throw new Error("the gateway does not answer eth_chainId");
  const targets = { direct: node.url, gateway: via };
  const runs: Record<"direct" | "gateway", { tput: Measure[]; lat: Measure[] }> = {
    direct: { tput: [], lat: [] },
    gateway: { tput: [], lat: [] },
  };
  await load(node.url, CONNECTIONS, 1); // warm-up
  await load(via, CONNECTIONS, 1);
  for (let i = 0; i < RUNS; i++) {
    const order: Array<"direct" | "gateway"> = i % 2 ? ["gateway", "direct"] : ["direct", "gateway"];
    for (const k of order) runs[k].tput.push(await load(targets[k], CONNECTIONS, SECONDS));
    for (const k of order) runs[k].lat.push(await load(targets[k], 1, SECONDS));
    process.stderr.write(`run ${i + 1}/${RUNS} done\n`);
  }
  const sum = (k: "direct" | "gateway") => ({
    rps: median(runs[k].tput.map((m) => m.rps)),
    loadP50: median(runs[k].tput.map((m) => m.p50)),
    loadP99: median(runs[k].tput.map((m) => m.p99)),
    p50: median(runs[k].lat.map((m) => m.p50)),
    p99: median(runs[k].lat.map((m) => m.p99)),
    errors: [...runs[k].tput, ...runs[k].lat].reduce((a, m) => a + m.errors, 0),
  });
  const d = sum("direct"),
    g = sum("gateway");
  const ratio = g.rps / d.rps;
  const added = g.p50 - d.p50;
  const f = (x: number) => x.toFixed(3);
  console.log(
    `gateway bench: eth_blockNumber on loopback, ${RUNS} runs x ${SECONDS} s, medians (${execFileSync(HAPROXY, ["-v"], { encoding: "utf8" }).split("\n")[0]}; threads ${threads ?? "default"}, access log ${accessLog ? "on" : "off"})`,
  );
  console.log(
    `| path | req/s @${CONNECTIONS} conns | p50 @${CONNECTIONS} (ms) | p99 @${CONNECTIONS} (ms) | p50 @1 conn (ms) | p99 @1 conn (ms) | errors |`,
  );
  console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const [k, s] of [
    ["direct", d],
    ["gateway", g],
  ] as const) {
    console.log(
      `| ${k} | ${s.rps.toFixed(0)} | ${f(s.loadP50)} | ${f(s.loadP99)} | ${f(s.p50)} | ${f(s.p99)} | ${s.errors} |`,
    );
  }
  console.log(
    `throughput through the gateway: ${(ratio * 100).toFixed(1)}% of direct (target >= 80%): ${ratio >= 0.8 ? "met" : "MISSED"}`,
  );
  console.log(`added p50 latency at 1 connection: ${f(added)} ms (target < 2 ms): ${added < 2 ? "met" : "MISSED"}`);
  console.log(`added p50 latency at ${CONNECTIONS} connections: ${f(g.loadP50 - d.loadP50)} ms`);
  if (d.errors || g.errors) process.exitCode = 1;
}

main()
  .catch((e) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(stopAll);
