/**
 * Real processes for the gateway tests and bench, on loopback only: anvil nodes (from
 * @foundry-rs/anvil) and HAProxy (Debian's /usr/sbin/haproxy) running a configuration rendered by
 * core/gateway. Every process started here is killed by `stopAll()`.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import {
  renderApiKeyMap,
  renderCertificateFile,
  renderGatewayConfig,
  renderUpstreamAuthMap,
  upstreamCaScript,
  upstreamCertificateScript,
  type GatewayApiKey,
  type GatewayConfigInput,
  type RenderedGatewayConfig,
  type UpstreamCertificateUsage,
} from "../../core/gateway";
import { renderUpstreamTerminator } from "../../core/workload/upstream-terminator";

export const ANVIL = resolve(__dirname, "..", "..", "node_modules", "@foundry-rs", "anvil-linux-amd64", "bin", "anvil");
export const HAPROXY = process.env.HAPROXY ?? "/usr/sbin/haproxy";

const started = new Set<ChildProcess>();
const dirs = new Set<string>();

export async function freePort(host = "127.0.0.1"): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once("error", fail);
    s.listen(0, host, () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => ok(port));
    });
  });
}

/** A fresh temp directory, removed by `stopAll()`. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.add(dir);
  return dir;
}

/** Kills `p` in `stopAll()`. */
export function track(p: ChildProcess): ChildProcess {
  started.add(p);
  p.once("exit", () => started.delete(p));
  return p;
}

export interface Anvil {
  port: number;
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/**
 * An anvil on 127.0.0.1, or on the lab bridge address for lab hosts to reach (automine on
 * transactions; no block timer unless `blockTime`).
 */
export async function startAnvil(
  options: { blockTime?: number; host?: "127.0.0.1" | "10.77.0.1"; /** `taskset -c` CPU list */ cpus?: string } = {},
): Promise<Anvil> {
  const host = options.host ?? "127.0.0.1";
  const port = await freePort(host);
  const args = ["--host", host, "--port", String(port), "--silent", "--chain-id", "31337"];
  if (options.blockTime) args.push("--block-time", String(options.blockTime));
  const [cmd, ...argv] = options.cpus ? ["taskset", "-c", options.cpus, ANVIL, ...args] : [ANVIL, ...args];
  const p = track(spawn(cmd, argv, { stdio: ["ignore", "ignore", "pipe"] }));
  const url = `http://${host}:${port}`;
  await waitFor(
    async () => (await rpc(url, "eth_chainId").catch(() => undefined)) !== undefined,
    10000,
    `anvil on ${port}`,
  );
  return { port, url, process: p, stop: () => stop(p) };
}

export interface Gateway {
  url: string;
  metrics: string;
  rendered: RenderedGatewayConfig;
  process: ChildProcess;
  log: () => string;
  stop(): Promise<void>;
}

/** HAProxy with the rendered config (and secret files) in a fresh temp directory. */
export async function startGateway(
  input: Omit<GatewayConfigInput, "configDir" | "metrics" | "listen">,
  secrets: {
    apiKeys?: GatewayApiKey[];
    tls?: { certificate: string; privateKey: string };
    /** The upstream CA and the gateway's client certificate + key (PEM), for mtls upstreams. */
    upstreamTls?: { ca: string; pem: string };
    /** The nodes' RPC password by chain key, for chains whose kind wants credentials. */
    upstreamAuth?: Record<string, string>;
    /** Keep HAProxy's log for `log()`. @default true (the bench turns it off: reading it costs the bench process CPU) */
    captureLog?: boolean;
    /** Run HAProxy under `taskset -c <cpus>` (the bench pins processes to CPUs). */
    cpus?: string;
    /** Edits the rendered haproxy.cfg before it is written: only for the variant bench, which measures what single settings cost. */
    editConfig?: (cfg: string) => string;
  } = {},
): Promise<Gateway> {
  const dir = tempDir("sov-gw-");
  const port = await freePort();
  const metricsPort = await freePort();
  const rendered = renderGatewayConfig({
    ...input,
    configDir: dir,
    runAs: null,
    listen: { address: "127.0.0.1", port },
    metrics: `127.0.0.1:${metricsPort}`,
  });
  writeFileSync(
    rendered.paths.config,
    secrets.editConfig ? secrets.editConfig(rendered.haproxyCfg) : rendered.haproxyCfg,
  );
  writeFileSync(rendered.paths.lagCheck, rendered.lagCheckLua);
  if (rendered.config.apiKeys)
    writeFileSync(rendered.paths.apiKeys, renderApiKeyMap(secrets.apiKeys ?? []), { mode: 0o600 });
  if (secrets.tls)
    writeFileSync(rendered.paths.certificate, renderCertificateFile(secrets.tls.certificate, secrets.tls.privateKey), {
      mode: 0o600,
    });
  if (secrets.upstreamTls) {
    writeFileSync(rendered.paths.upstreamCa, secrets.upstreamTls.ca);
    writeFileSync(rendered.paths.upstreamClient, secrets.upstreamTls.pem, { mode: 0o600 });
  }
  if (Object.keys(rendered.upstreamAuth).length)
    writeFileSync(
      rendered.paths.upstreamAuth,
      renderUpstreamAuthMap(input.gateway, rendered.upstreamAuth, secrets.upstreamAuth ?? {}),
      { mode: 0o600 },
    );
  const capture = secrets.captureLog ?? true;
  const argv = [HAPROXY, "-db", "-f", rendered.paths.config];
  const [cmd, ...args] = secrets.cpus ? ["taskset", "-c", secrets.cpus, ...argv] : argv;
  const p = track(spawn(cmd, args, { stdio: ["ignore", capture ? "pipe" : "ignore", "pipe"] }));
  let log = "";
  p.stdout?.on("data", (d) => {
    log += d;
  });
  p.stderr!.on("data", (d) => {
    log += d;
  });
  const metrics = `http://127.0.0.1:${metricsPort}`;
  const exited = new Promise<void>((_, fail) =>
    p.once("exit", (code) => fail(new Error(`haproxy exited ${code}: ${log}`))),
  );
  exited.catch(() => undefined);
  await Promise.race([
    exited,
    waitFor(async () => (await fetch(`${metrics}/stats;csv`).catch(() => undefined))?.ok === true, 10000, "haproxy"),
  ]);
  return {
    url: `${rendered.scheme}://127.0.0.1:${port}`,
    metrics,
    rendered,
    process: p,
    log: () => log,
    stop: () => stop(p),
  };
}

/**
 * A gateway's eRPC sidecar (integrity reads) with its rendered erpc.yaml, written beside the
 * gateway's config: eRPC 0.0.56 built from the vendored source by e2e/lab/build-erpc.sh (cached).
 */
export async function startErpc(
  rendered: { erpcYaml?: string; paths: { erpc: string }; config: { erpc: { port: number; metricsPort: number } } },
  options: { cpus?: string } = {},
): Promise<{ metrics: string; pid: number; log: () => string }> {
  const yaml = rendered.erpcYaml;
  if (!yaml) throw new Error("the gateway's config has no chain with integrity");
  const binary = execFileSync(
    "bash",
    [resolve(__dirname, "..", "..", "e2e", "lab", "build-erpc.sh"), "--binary-only"],
    {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    },
  )
    .trim()
    .split("\n")
    .pop()!;
  writeFileSync(rendered.paths.erpc, yaml);
  const argv = [binary, rendered.paths.erpc];
  const [cmd, ...args] = options.cpus ? ["taskset", "-c", options.cpus, ...argv] : argv;
  const p = track(spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] }));
  let log = "";
  p.stdout!.on("data", (d) => (log += d));
  p.stderr!.on("data", (d) => (log += d));
  const e = rendered.config.erpc;
  await waitFor(
    async () => (await fetch(`http://127.0.0.1:${e.port}/healthcheck`).catch(() => undefined)) !== undefined,
    15000,
    `eRPC on ${e.port}: ${log.slice(-500)}`,
  );
  return { metrics: `http://127.0.0.1:${e.metricsPort}/metrics`, pid: p.pid!, log: () => log };
}

/** Server state by `backend/server` from HAProxy's stats CSV: status (UP, DOWN, DRAIN...) and weight. */
export async function serverStates(gw: Gateway): Promise<Record<string, { status: string; weight: number }>> {
  const csv = await (await fetch(`${gw.metrics}/stats;csv`)).text();
  const [header, ...rows] = csv.trim().split("\n");
  const cols = header.replace(/^# /, "").split(",");
  const idx = (n: string) => cols.indexOf(n);
  const out: Record<string, { status: string; weight: number }> = {};
  for (const r of rows) {
    const f = r.split(",");
    if (f[1] === "FRONTEND" || f[1] === "BACKEND") continue;
    out[`${f[idx("pxname")]}/${f[idx("svname")]}`] = { status: f[idx("status")], weight: Number(f[idx("weight")]) };
  }
  return out;
}

let nextId = 1;
/** One JSON-RPC call; resolves to the result, rejects on an error object or a non-JSON answer. */
export async function rpc(
  url: string,
  method: string,
  params: unknown[] = [],
  headers: Record<string, string> = {},
): Promise<any> {
  const r = await rpcRaw(url, method, params, headers);
  if (r.status !== 200) throw new Error(`${method}: HTTP ${r.status} ${r.text}`);
  const body = JSON.parse(r.text);
  if (body.error) throw new Error(`${method}: ${JSON.stringify(body.error)}`);
  return body.result;
}

export async function rpcRaw(
  url: string,
  method: string,
  params: unknown[] = [],
  headers: Record<string, string> = {},
): Promise<{ status: number; text: string }> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ jsonrpc: "2.0", id: nextId++, method, params }),
    signal: AbortSignal.timeout(15000),
  });
  return { status: res.status, text: await res.text() };
}

export async function waitFor(test: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await test().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function stop(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return Promise.resolve();
  return new Promise((ok) => {
    const timer = setTimeout(() => p.kill("SIGKILL"), 3000);
    p.once("exit", () => {
      clearTimeout(timer);
      ok();
    });
    p.kill("SIGCONT");
    p.kill("SIGTERM");
  });
}

/** Kills every process this module started and removes the temp directories. */
export async function stopAll(): Promise<void> {
  await Promise.all([...started].map(stop));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs.clear();
}

/** A throw-away self-signed EC certificate (one day) for `cn`, valid for `ip` when given; PEM strings. */
export function selfSignedCertificate(cn: string, ip?: string): { certificate: string; privateKey: string } {
  const dir = mkdtempSync(join(tmpdir(), "sov-gw-cert-"));
  try {
    const [key, cert] = [join(dir, "key.pem"), join(dir, "cert.pem")];
    execFileSync(
      "openssl",
      [
        ...["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1"],
        ...["-subj", `/CN=${cn}`, ...(ip ? ["-addext", `subjectAltName=IP:${ip}`] : [])],
        ...["-keyout", key, "-out", cert],
      ],
      { stdio: "ignore" },
    );
    return { certificate: readFileSync(cert, "utf8"), privateKey: readFileSync(key, "utf8") };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A fleet's upstream CA (certificate + key, PEM), drawn by the same script UpstreamCa runs. */
export function upstreamCa(fleet: string): string {
  return execFileSync("sh", ["-c", upstreamCaScript(fleet)], { encoding: "utf8" });
}

/** A certificate + key of `caPem`, issued by the same script UpstreamCertificate runs. */
export function upstreamCertificate(caPem: string, name: string, usage: UpstreamCertificateUsage): string {
  return execFileSync("sh", ["-c", upstreamCertificateScript(name, usage)], { input: caPem, encoding: "utf8" });
}

export interface Terminator {
  port: number;
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** The mTLS terminator an Akash node gets (core/workload/upstream-terminator), on loopback in front of `rpc`. */
export async function startTerminator(
  node: string,
  rpc: string,
  serverPem: string,
  caCertificate: string,
): Promise<Terminator> {
  const dir = mkdtempSync(join(tmpdir(), "sov-term-"));
  dirs.add(dir);
  const port = await freePort();
  const t = renderUpstreamTerminator({ node, rpc, port, dir });
  writeFileSync(t.paths.certificate, serverPem, { mode: 0o600 });
  writeFileSync(t.paths.ca, caCertificate);
  writeFileSync(t.paths.config, t.haproxyCfg.replace(`bind :${port}`, `bind 127.0.0.1:${port}`));
  let log = "";
  const p = track(spawn(HAPROXY, ["-db", "-f", t.paths.config], { stdio: ["ignore", "pipe", "pipe"] }));
  p.stdout!.on("data", (d) => (log += d));
  p.stderr!.on("data", (d) => (log += d));
  await waitFor(
    async () =>
      new Promise<boolean>((ok) => {
        const c = createConnection({ host: "127.0.0.1", port }, () => {
          c.destroy();
          ok(true);
        });
        c.once("error", () => ok(false));
      }),
    10000,
    `terminator on ${port}`,
  );
  return { port, url: `https://127.0.0.1:${port}`, process: p, stop: () => stop(p) };
}
