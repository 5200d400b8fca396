/**
 * What single settings of the rendered gateway configuration cost: `node --import tsx
 * bench/gateway-variants.bench.ts`. Starts one anvil and one HAProxy per variant (the rendered
 * haproxy.cfg with one edit each), all at once, then measures direct and every variant in the same
 * rounds (order shuffled every round), each load run in its own autocannon process
 * (bench/gateway-load.ts). Prints medians: throughput as a share of direct, added p50.
 * Env: VARIANTS (comma list, default all), BENCH_RUNS (3), BENCH_SECONDS (3), BENCH_CONNECTIONS
 * (comma list, 16), BENCH_PIN (e.g. `anvil=0,haproxy=1,load=1`: taskset CPU lists). Investigation
 * only: the real comparison is `npm run bench:gateway`, which runs the configuration as rendered.
 */
import { startAnvil, startGateway, stopAll, waitFor, serverStates, type Gateway } from "../test/gateway/processes";
import { cpuTicks, loadInOwnProcess, pinning, type Measure } from "./gateway-load";

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const CONNS = (process.env.BENCH_CONNECTIONS ?? "16").split(",").map(Number);
const PIN = pinning();

const drop = (re: RegExp) => (cfg: string) => cfg.replace(re, "");
const addGlobal = (line: string) => (cfg: string) => cfg.replace(/^global\n/m, `global\n    ${line}\n`);
const addBackend = (line: string) => (cfg: string) => cfg.replace(/^(backend rpc_[^\n]*\n)/m, `$1    ${line}\n`);
const compose =
  (...fs: Array<(c: string) => string>) =>
  (c: string) =>
    fs.reduce((a, f) => f(a), c);

const noRetry = compose(
  drop(/^ +retry-on .*\n/m),
  drop(/^ +acl rpc_write .*\n/m),
  drop(/^ +http-request disable-l7-retry.*\n/m),
);
const allOff = compose(
  (c) => c.replace(/^ +log global$/m, "    no log"),
  drop(/^ +option http-buffer-request\n/m),
  drop(/^ +tune\.bufsize .*\n/m),
  noRetry,
  drop(/^ +lua-load .*\n/m),
);
const VARIANTS: Record<string, (cfg: string) => string> = {
  rendered: (c) => c,
  "log-off": (c) => c.replace(/^ +log global$/m, "    no log"),
  "no-buffer-request": drop(/^ +option http-buffer-request\n/m),
  "bufsize-16k": drop(/^ +tune\.bufsize .*\n/m),
  "bufsize-8k": compose(drop(/^ +tune\.bufsize .*\n/m), addGlobal("tune.bufsize 8192")),
  "bufsize-64k": compose(drop(/^ +tune\.bufsize .*\n/m), addGlobal("tune.bufsize 65536")),
  "no-l7-retry": noRetry,
  "no-write-acl": compose(drop(/^ +acl rpc_write .*\n/m), drop(/^ +http-request disable-l7-retry.*\n/m)),
  nbthread1: addGlobal("nbthread 1"),
  nbthread2: addGlobal("nbthread 2"),
  "reuse-always": addBackend("http-reuse always"),
  roundrobin: (c) => c.replace(/balance leastconn/, "balance roundrobin"),
  "no-lua": drop(/^ +lua-load .*\n/m),
  // The per-method-class time budgets (issue 18 §2): a regex over the body per class and request.
  "no-method-classes": (c) => c.replace(/^ +http-request set-timeout server .*\n/gm, ""),
  "no-checks": (c) => c.replace(/^( +server node-a [^ ]+) check/m, "$1"),
  "ring-log": (c) =>
    c
      .replace(/^ +log stdout format raw local0 info$/m, "    log ring@gwlog format raw local0 info")
      .replace(/^defaults\n/m, "ring gwlog\n    size 1048576\n    format raw\n\ndefaults\n"),
  // No body buffering; L7 retries only for a request whose whole body (by Content-Length) was read with its headers.
  "whole-body-rule": compose(drop(/^ +option http-buffer-request\n/m), (c) =>
    c.replace(
      /^ +http-request disable-l7-retry if rpc_write$/m,
      [
        "    acl has_length req.hdr_cnt(content-length) eq 1",
        "    acl body_whole req.body_size,sub(txn.body_len) eq 0",
        "    http-request set-var(txn.body_len) req.body_len",
        "    http-request disable-l7-retry if rpc_write || !has_length || !body_whole",
      ].join("\n"),
    ),
  ),
  "all-off": allOff,
  "all-off-nbthread1": compose(allOff, addGlobal("nbthread 1")),
  minimal: (c) => {
    const bind = /^ +bind (127\.0\.0\.1:\d+)$/m.exec(c)![1];
    const server = /^ +server node-a ([^ ]+)/m.exec(c)![1];
    const metrics = /frontend metrics\n +bind ([^\n]+)/.exec(c)![1];
    return [
      "global",
      "    nbthread 1",
      "defaults",
      "    mode http",
      "    timeout connect 5s",
      "    timeout client 30s",
      "    timeout server 30s",
      "frontend rpc",
      `    bind ${bind}`,
      "    http-request set-path /",
      "    default_backend b",
      "backend rpc_devnet.local",
      `    server node-a ${server}`,
      "backend b",
      `    server node-a ${server}`,
      "frontend metrics",
      `    bind ${metrics}`,
      "    stats enable",
      "    stats uri /stats",
      "",
    ].join("\n");
  },
};

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const measure = (url: string, connections: number) => loadInOwnProcess(url, connections, SECONDS, PIN.load);

async function main(): Promise<void> {
  const names = (process.env.VARIANTS ?? Object.keys(VARIANTS).join(",")).split(",");
  // BENCH_BASE: variants (comma list) applied first to every variant but `minimal`.
  const base = compose(
    ...(process.env.BENCH_BASE ?? "")
      .split(",")
      .filter(Boolean)
      .map((n) => VARIANTS[n]),
  );
  const node = await startAnvil({ cpus: PIN.anvil });
  const gws: Record<string, Gateway> = {};
  for (const name of names) {
    if (!VARIANTS[name]) throw new Error(`no variant ${name}; one of ${Object.keys(VARIANTS).join(" ")}`);
    gws[name] = await startGateway(
      {
        gateway: "gw-bench",
        chains: [{ chain: "devnet/local", upstreams: [{ node: "node-a", url: node.url, operator: "bench" }] }],
      },
      {
        captureLog: false,
        cpus: PIN.haproxy,
        editConfig: name === "minimal" ? VARIANTS[name] : compose(base, VARIANTS[name]),
      },
    );
  }
  for (const gw of Object.values(gws))
    await waitFor(async () => Object.values(await serverStates(gw)).every((s) => s.status !== "DOWN"), 5000, "up");
  const targets: Record<string, string> = { direct: node.url };
  for (const [n, gw] of Object.entries(gws)) targets[n] = `${gw.url}/devnet/local`;
  for (const c of CONNS) {
    const got: Record<string, Measure[]> = Object.fromEntries(Object.keys(targets).map((k) => [k, []]));
    const pids: Record<string, number> = { direct: node.process.pid! };
    for (const [n, gw] of Object.entries(gws)) pids[n] = gw.process.pid!;
    // HAProxy's CPU per request (anvil's for direct): robust to other load on the machine, unlike req/s.
    const usPerReq: Record<string, number[]> = Object.fromEntries(Object.keys(targets).map((k) => [k, []]));
    for (let i = 0; i < RUNS; i++) {
      const order = Object.keys(targets).sort(() => Math.random() - 0.5);
      for (const k of order) {
        const t0 = cpuTicks(pids[k]);
        const m = await measure(targets[k], c);
        got[k].push(m);
        usPerReq[k].push(((cpuTicks(pids[k]) - t0) * 10000) / (m.rps * SECONDS));
      }
      process.stderr.write(`c=${c} round ${i + 1}/${RUNS}\n`);
    }
    const d = median(got.direct.map((m) => m.rps));
    const dp50 = median(got.direct.map((m) => m.p50));
    console.log(
      `\n${c} connections, ${RUNS} x ${SECONDS} s, pin ${process.env.BENCH_PIN ?? "none"}, base ${process.env.BENCH_BASE ?? "rendered"}`,
    );
    console.log(
      "| variant | req/s | % of direct | p50 (ms) | added p50 (ms) | CPU µs/req (haproxy; anvil for direct) | errors |",
    );
    console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
    for (const [k, ms] of Object.entries(got)) {
      const r = median(ms.map((m) => m.rps));
      const p = median(ms.map((m) => m.p50));
      const e = ms.reduce((a, m) => a + m.errors, 0);
      console.log(
        `| ${k} | ${r.toFixed(0)} | ${((100 * r) / d).toFixed(1)} | ${p.toFixed(3)} | ${(p - dp50).toFixed(3)} | ${median(usPerReq[k]).toFixed(1)} | ${e} |`,
      );
    }
  }
}

main()
  .catch((e) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(stopAll);
