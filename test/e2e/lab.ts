/** The local lab (e2e/lab): hosts with their own addresses, the offline Pulumi engine, helpers to reach hosts. */
import { execFile, execFileSync, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { LocalWorkspace, PulumiCommand, type Stack } from "@pulumi/pulumi/automation";

export const REPO = resolve(__dirname, "..", "..");
const LAB_SCRIPTS = join(REPO, "e2e", "lab");

export interface LabHost {
  name: string;
  address: string;
  port: number;
  user: string;
  privateKeyPath: string;
  hostKey: string;
}

/**
 * A lab host as an entry of a spec's `sites.baremetal.hosts`: its address and SSH identity, the
 * operator and country a suite gives it, 4 CPUs, 8 GB and 40 USD a month.
 */
export function specHost(h: LabHost, operator: string, country: string, size: { maxNodes: number; diskGb?: number }) {
  return {
    ...{ name: h.name, address: h.address, operator, country, monthlyUsd: 40 },
    ...{ cpu: 4, memoryGb: 8, diskGb: size.diskGb ?? 100, maxNodes: size.maxNodes },
    ssh: { user: h.user, port: h.port, hostKey: h.hostKey },
  };
}

/** The environment e2e/lab/env.sh sets up (engine on PATH, offline Pulumi, file backend). */
export function labEnv(): Record<string, string> {
  const out = execFileSync("sh", ["-c", `. "${LAB_SCRIPTS}/env.sh" && env -0`], { encoding: "utf8" });
  return Object.fromEntries(
    out
      .split("\0")
      .filter(Boolean)
      .map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]),
  );
}

/** Why the lab cannot run here, or undefined when it can. */
export function labProblem(env: Record<string, string>): string | undefined {
  const pulumi = join(env.SOVEREIGN_ENGINE_BIN, "pulumi");
  if (!existsSync(pulumi)) return `the Pulumi engine is not built (${pulumi}); run: sudo bash e2e/lab/setup.sh`;
  if (!existsSync(env.SOVEREIGN_LAB_HOSTS_JSON))
    return `the lab hosts are not up (${env.SOVEREIGN_LAB_HOSTS_JSON}); run: sudo bash e2e/lab/setup.sh`;
  return undefined;
}

/**
 * Why a suite whose fleet uses the overlay on lab hosts `names` cannot run here (engine, hosts,
 * wireguard-go), or undefined when it can; said once on stderr so a skipped suite is never silent.
 */
export function overlaySuiteProblem(env: Record<string, string>, suite: string, names: string[]): string | undefined {
  const problem =
    labProblem(env) ?? (env.SOVEREIGN_WIREGUARD_GO ? missingHosts(env, names) : "wireguard-go is not built");
  if (problem) console.error(`\n*** ${suite} e2e cannot run: ${problem}; run: sudo bash e2e/lab/setup.sh ***\n`);
  return problem;
}

function missingHosts(env: Record<string, string>, names: string[]): string | undefined {
  const have = new Set(labHosts(env).map((h) => h.name));
  const missing = names.filter((n) => !have.has(n));
  return missing.length ? `needs lab hosts ${missing.join(", ")}` : undefined;
}

export function labHosts(env: Record<string, string>): LabHost[] {
  return JSON.parse(readFileSync(env.SOVEREIGN_LAB_HOSTS_JSON, "utf8"));
}

/** Runs a command on a lab host over SSH; returns stdout. */
export function ssh(env: Record<string, string>, host: LabHost, command: string): string {
  const r = spawnSync("ssh", sshArgs(env, host, command), { encoding: "utf8", timeout: 60_000 });
  if (r.status !== 0) throw new Error(`ssh ${host.name} '${command}' failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

/** As `ssh`, without blocking the event loop (for watchers that run beside client load). */
export function sshAsync(env: Record<string, string>, host: LabHost, command: string): Promise<string> {
  return new Promise((ok, fail) =>
    execFile("ssh", sshArgs(env, host, command), { encoding: "utf8", timeout: 60_000 }, (error, stdout, stderr) =>
      error ? fail(new Error(`ssh ${host.name} '${command}' failed: ${error.message} ${stderr}`)) : ok(stdout),
    ),
  );
}

function sshArgs(env: Record<string, string>, host: LabHost, command: string): string[] {
  return [
    "-i",
    host.privateKeyPath,
    "-o",
    `UserKnownHostsFile=${env.SOVEREIGN_LAB_KNOWN_HOSTS}`,
    "-o",
    "StrictHostKeyChecking=yes",
    "-o",
    "BatchMode=yes",
    "-o",
    "ConnectTimeout=5",
    "-p",
    String(host.port),
    `${host.user}@${host.address}`,
    command,
  ];
}

/**
 * What a destroy left on a lab host of a suite (every suite has hosts of its own): containers,
 * files under /srv/sovereign, Sovereign's nftables tables, the overlay interface, a DNS listener, a
 * monitor's listeners (Prometheus, Alertmanager and its cluster port, node_exporter).
 * Empty when the host is clean; else one line per leftover.
 */
export function hostLeftovers(env: Record<string, string>, host: LabHost): string {
  return ssh(
    env,
    host,
    [
      "docker ps -a --format 'container {{.Names}}'",
      "find /srv/sovereign -mindepth 1 -maxdepth 4 2>/dev/null | sed 's/^/file /' | head -5",
      "nft list tables | grep sovereign_ | sed 's/^/nftables /' || true",
      "ip -o link show dev sovwg0 2>/dev/null | sed 's/^/interface /' || true",
      "ss -Hlnu 'sport = :53' | sed 's/^/listener /'",
      "ss -Hltn '( sport = :9090 or sport = :9093 or sport = :9094 or sport = :9100 or sport = :9115 )' | sed 's/^/listener /'",
    ].join("; "),
  ).trim();
}

/**
 * Destroys a suite's stack and removes it. A failed destroy fails the suite: a destroy that leaves
 * a host dirty is a bug users meet (it was once caught, printed and passed).
 */
export async function destroyStack(stack: Stack, onOutput?: (out: string) => void): Promise<void> {
  await stack.destroy({ color: "never", onOutput });
  await stack.workspace.removeStack(stack.name);
}

/** Takes a host off the network (its link goes down) or brings it back. */
export function setHostReachable(name: string, reachable: boolean): void {
  execFileSync("bash", [join(LAB_SCRIPTS, reachable ? "host-up.sh" : "host-down.sh"), name], { stdio: "pipe" });
}

/** Asks a JSON-RPC endpoint, optionally from inside a lab host's network namespace. */
export function jsonRpc(url: string, method: string, fromNamespace?: string): { result?: string; error?: string } {
  const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method, params: [] });
  const curl = [
    "curl",
    "-sS",
    "--max-time",
    "5",
    "-X",
    "POST",
    "-H",
    "content-type: application/json",
    "--data",
    body,
    url,
  ];
  const [cmd, ...args] = fromNamespace ? ["ip", "netns", "exec", fromNamespace, ...curl] : curl;
  const r = spawnSync(cmd, args, { encoding: "utf8" });
  if (r.status !== 0) return { error: (r.stderr || `exit ${r.status}`).trim() };
  const parsed = JSON.parse(r.stdout);
  return parsed.error ? { error: JSON.stringify(parsed.error) } : { result: parsed.result };
}

/** `timed(phase, fn)`: runs fn and records its seconds under `phase` in `timings`. */
export function timer(timings: Record<string, number>) {
  return async <T>(phase: string, fn: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    try {
      return await fn();
    } finally {
      timings[phase] = Math.round(performance.now() - t0) / 1000;
    }
  };
}

/**
 * The stack's checkpoint and history files as stored by the lab's file backend, concatenated: what
 * to search for plain-text secrets (the Automation API's exportStack decrypts them).
 */
export function stateOnDisk(env: Record<string, string>, project: string, stack: string): string {
  const backend = join(env.PULUMI_BACKEND_URL.replace(/^file:\/\//, ""), ".pulumi");
  const history = join(backend, "history", project, stack);
  const files = [
    join(backend, "stacks", project, `${stack}.json`),
    ...(existsSync(history) ? readdirSync(history).map((f) => join(history, f)) : []),
  ];
  return files.map((f) => readFileSync(f, "utf8")).join("\n");
}

/**
 * A stack of the Sovereign program (Pulumi.yaml at the repo's root) in the lab's file backend, run
 * by the engine e2e/lab built (not whatever `pulumi` may be on PATH), for a spec file, with the lab's
 * SSH key and short dial limits.
 */
export async function programStack(
  env: Record<string, string>,
  name: string,
  specFile: string,
  privateKey: string,
): Promise<Stack> {
  const pulumiCommand = await PulumiCommand.get({ root: dirname(env.SOVEREIGN_ENGINE_BIN), skipVersionCheck: true });
  const stack = await LocalWorkspace.createOrSelectStack(
    { stackName: name, workDir: REPO },
    { envVars: env, pulumiCommand },
  );
  await stack.setAllConfig({
    "sovereign:fleetFile": { value: specFile },
    "sovereign:sshPrivateKey": { value: privateKey, secret: true },
    "sovereign:sshDialErrorLimit": { value: "2" },
    "sovereign:sshPerDialTimeout": { value: "5" },
  });
  return stack;
}
