/**
 * One autocannon load run in its own process (so the load generator does not share an event loop,
 * nor a CPU pin, with the bench that starts it): `node --import tsx bench/gateway-load.ts <url>
 * <connections> <seconds> [<JSON-RPC body>]` prints one JSON line {rps, p50, p99, errors}, latencies in ms from each
 * response's own time (sub-millisecond; autocannon's histogram keeps whole milliseconds).
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { promisify } from "node:util";
import autocannon from "autocannon";

export interface Measure {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

export const BODY = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_blockNumber", params: [] });

export const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};

export async function load(url: string, connections: number, seconds: number, body = BODY): Promise<Measure> {
  const times: number[] = [];
  const result = await new Promise<autocannon.Result>((ok, fail) => {
    const instance = autocannon(
      {
        url,
        method: "POST",
        body,
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

/** {@link load} in a child process of its own, under `taskset -c <cpus>` when given. */
export async function loadInOwnProcess(
  url: string,
  connections: number,
  seconds: number,
  cpus?: string,
  body = BODY,
): Promise<Measure> {
  const worker = [
    ...["--import", "tsx", resolve(__dirname, "gateway-load.ts")],
    url,
    String(connections),
    String(seconds),
    body,
  ];
  const [cmd, ...args] = cpus ? ["taskset", "-c", cpus, process.execPath, ...worker] : [process.execPath, ...worker];
  const { stdout } = await promisify(execFile)(cmd, args, {
    cwd: resolve(__dirname, ".."),
    timeout: (seconds + 30) * 1000,
  });
  return JSON.parse(stdout.trim().split("\n").pop()!);
}

/** CPU time (user + system, in clock ticks of 10 ms) a process has used so far. */
export function cpuTicks(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return Number(f[11]) + Number(f[12]);
}

/** `BENCH_PIN=anvil=0,haproxy=1,load=0` as { anvil: "0", haproxy: "1", load: "0" } (taskset CPU lists). */
export function pinning(spec = process.env.BENCH_PIN ?? ""): Partial<Record<"anvil" | "haproxy" | "load", string>> {
  return Object.fromEntries(
    spec
      .split(",")
      .filter(Boolean)
      .map((kv) => kv.split("=") as [string, string]),
  );
}

if (require.main === module) {
  const [url, connections, seconds, body] = process.argv.slice(2);
  load(url, Number(connections), Number(seconds), body ?? BODY).then(
    (m) => console.log(JSON.stringify(m)),
    (e) => {
      console.error(e);
      process.exitCode = 1;
    },
  );
}
