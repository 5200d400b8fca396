/**
 * What the gateway's timings cost a wallet when a node freezes: `npm run bench:gateway-timeouts`.
 * Two anvils on loopback behind the project's own rendered configuration (core/gateway), a viem
 * client whose one endpoint is the gateway (`timeout: 2000`, `retryCount: 0`: a request the client
 * gives up on counts as failed), 8 workers sending eth_blockNumber at 25/s each (200/s in all). After
 * LEAD_MS one node is frozen (SIGSTOP: its kernel still accepts connections, it answers nothing) for
 * FREEZE_MS, then woken; the run ends TAIL_MS later. Each setting gets fresh nodes and a fresh
 * gateway per run; settings alternate within a round (order rotated every round). Prints, per
 * setting, the medians over BENCH_RUNS (default 3) runs: requests, failed, p50, p99 and the longest
 * wait (failed requests included, at the time the client gave up), and the failed requests and p99
 * against the old defaults of the same run.
 * Settings: `defaults` (GATEWAY_TIMEOUTS, what `pulumi up` renders now), `old` (500 ms connect,
 * 10 s for every method, checks every 1 s: the renderer's defaults before method budgets), `drill`
 * (the drill's former inline timings: 200 ms connect, 300 ms server, checks every 500 ms).
 * Loopback only; every process is killed at the end.
 */
import { createPublicClient, http } from "viem";
import { readFileSync } from "node:fs";
import { GATEWAY_TIMEOUTS, type GatewayTimeouts } from "../core/gateway";
import { percentile, steadyLoad } from "../test/steady-load";
import { serverStates, startAnvil, startGateway, stopAll, waitFor, type Anvil } from "../test/gateway/processes";

const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 3));
const WORKERS = 8;
const PER_WORKER_RPS = 25;
const CLIENT_TIMEOUT_MS = 2000;
const LEAD_MS = 2000;
const FREEZE_MS = 6000;
const TAIL_MS = 2000;
const CHAIN = "devnet/local";

const SETTINGS: Record<string, GatewayTimeouts> = {
  defaults: {},
  old: {
    connectMs: 500,
    serverMs: 10000,
    headMs: 10000,
    heavyMs: 10000,
    traceMs: 10000,
    checkIntervalMs: 1000,
    checkTimeoutMs: 1000,
    fall: 2,
    rise: 2,
    lagIntervalMs: 1000,
    errorLimit: 2,
  },
  drill: {
    connectMs: 200,
    serverMs: 300,
    headMs: 300,
    heavyMs: 300,
    traceMs: 300,
    checkIntervalMs: 500,
    checkTimeoutMs: 400,
    fall: 2,
    rise: 2,
    lagIntervalMs: 500,
  },
};

interface Run {
  sent: number;
  failed: number;
  /** Requests that waited 500 ms or more (met the frozen node), failed ones included. */
  slow: number;
  p50: number;
  p99: number;
  max: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function freeze(n: Anvil): Promise<void> {
  n.process.kill("SIGSTOP");
  const state = () => readFileSync(`/proc/${n.process.pid}/stat`, "utf8").split(") ")[1][0];
  await waitFor(async () => state() === "T", 2000, "the node stopped");
}

/** One run: fresh nodes and gateway with `timeouts`, steady load, one node frozen for FREEZE_MS. */
async function run(name: string, timeouts: GatewayTimeouts): Promise<Run> {
  const [a, b] = await Promise.all([startAnvil(), startAnvil()]);
  const gw = await startGateway(
    {
      gateway: `gw-${name}`,
      chains: [
        {
          chain: CHAIN,
          upstreams: [
            { node: "node-a", url: a.url, operator: "op-a" },
            { node: "node-b", url: b.url, operator: "op-b" },
          ],
        },
      ],
      timeouts,
    },
    { captureLog: false },
  );
  await waitFor(async () => Object.values(await serverStates(gw)).every((s) => s.status === "UP"), 8000, "up");
  const client = createPublicClient({
    transport: http(`${gw.url}/${CHAIN}`, { timeout: CLIENT_TIMEOUT_MS, retryCount: 0 }),
  });
  const total = LEAD_MS + FREEZE_MS + TAIL_MS;
  const thaw = (async () => {
    await new Promise((r) => setTimeout(r, LEAD_MS));
    await freeze(b);
    await new Promise((r) => setTimeout(r, FREEZE_MS));
    b.process.kill("SIGCONT");
  })();
  const load = await steadyLoad(() => client.request({ method: "eth_blockNumber" }), {
    workers: WORKERS,
    gapMs: 1000 / PER_WORKER_RPS,
    ms: total,
  });
  await thaw;
  await Promise.all([gw.stop(), a.stop(), b.stop()]);
  // A failed request counts with the time the client waited for it.
  const waits = [...load.answered, ...load.failedAfter];
  return {
    sent: load.sent,
    failed: load.failed,
    slow: waits.filter((t) => t >= 500).length,
    p50: percentile(waits, 50),
    p99: percentile(waits, 99),
    max: Math.max(...waits),
  };
}

async function main(): Promise<void> {
  const names = Object.keys(SETTINGS);
  const runs: Record<string, Run[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let i = 0; i < RUNS; i++) {
    const order = names.map((_, j) => names[(i + j) % names.length]);
    for (const n of order) runs[n].push(await run(n, SETTINGS[n]));
    process.stderr.write(`round ${i + 1}/${RUNS} done\n`);
  }
  const d = GATEWAY_TIMEOUTS;
  console.log(
    `gateway timeouts bench: eth_blockNumber, viem (timeout ${CLIENT_TIMEOUT_MS} ms, no retry), ${WORKERS} workers x ${PER_WORKER_RPS}/s, ` +
      `one of two anvils frozen ${FREEZE_MS / 1000} s of ${(LEAD_MS + FREEZE_MS + TAIL_MS) / 1000} s; medians of ${RUNS} runs`,
  );
  console.log(
    `defaults: connect ${d.connectMs} ms, head ${d.headMs} ms, server ${d.serverMs} ms, checks every ${d.checkIntervalMs} ms (timeout ${d.checkTimeoutMs} ms, fall ${d.fall})`,
  );
  console.log(
    "| setting | requests | failed | waited >= 500 ms | p50 (ms) | p99 (ms) | longest wait (ms) | failed vs old | p99 vs old |",
  );
  console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
  const m = (n: string, k: keyof Run) => median(runs[n].map((r) => r[k]));
  for (const n of names) {
    const ratio = (k: keyof Run) => {
      const perRun = runs[n].map((r, i) => r[k] / Math.max(1, runs.old[i][k]));
      return median(perRun).toFixed(2);
    };
    console.log(
      `| ${n} | ${m(n, "sent")} | ${m(n, "failed")} | ${m(n, "slow")} | ${m(n, "p50").toFixed(1)} | ${m(n, "p99").toFixed(0)} | ${m(n, "max").toFixed(0)} | ${ratio("failed")} | ${ratio("p99")} |`,
    );
  }
  console.log(`failed per run: ${names.map((n) => `${n} ${runs[n].map((r) => r.failed).join("/")}`).join("; ")}`);
}

main()
  .catch((e) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(stopAll);
