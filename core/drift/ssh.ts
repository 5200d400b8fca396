/**
 * Runs a read-only script on a host with the system's OpenSSH client (`ssh`), for drift checks:
 * the key travels as a temporary file (0600, removed after), the host key is checked when one was
 * pinned, and the whole run is bounded. An answer that did not come is `unreachable`, never empty.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SSH_DEFAULTS } from "../layout/ssh";

export interface SshTarget {
  host: string;
  /** @default 22 */
  port?: number;
  /** @default "root" */
  user?: string;
  /** The host's public key ("ssh-ed25519 AAAA..."); without one any host key is accepted. */
  hostKey?: string;
  /** OpenSSH private key text. */
  privateKey?: string;
  /** A private key file (when no key text is given); else ssh's own identities and agent. */
  identityFile?: string;
}

export type SshResult = { ok: true; stdout: string } | { ok: false; reason: string };

/** `sh -s` on the host with `script` on stdin; at most `timeoutMs`. */
export async function runOverSsh(target: SshTarget, script: string, timeoutMs = 30_000): Promise<SshResult> {
  const dir = mkdtempSync(join(tmpdir(), "sovereign-ssh-"));
  try {
    const port = target.port ?? SSH_DEFAULTS.port;
    const args = ["-o", "BatchMode=yes", "-o", `ConnectTimeout=${Math.max(1, Math.ceil(timeoutMs / 3000))}`];
    args.push("-o", "LogLevel=ERROR", "-p", String(port));
    if (target.hostKey) {
      const known = join(dir, "known_hosts");
      writeFileSync(
        known,
        `${port === SSH_DEFAULTS.port ? target.host : `[${target.host}]:${port}`} ${target.hostKey.trim()}\n`,
      );
      args.push("-o", `UserKnownHostsFile=${known}`, "-o", "StrictHostKeyChecking=yes");
    } else {
      args.push("-o", "UserKnownHostsFile=/dev/null", "-o", "StrictHostKeyChecking=no");
    }
    if (target.privateKey) {
      const key = join(dir, "id");
      writeFileSync(key, target.privateKey.endsWith("\n") ? target.privateKey : `${target.privateKey}\n`, {
        mode: 0o600,
      });
      args.push("-i", key, "-o", "IdentitiesOnly=yes");
    } else if (target.identityFile) {
      args.push("-i", target.identityFile, "-o", "IdentitiesOnly=yes");
    }
    args.push(`${target.user ?? SSH_DEFAULTS.user}@${target.host}`, "sh -s");
    return await run(args, script, timeoutMs);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function run(args: string[], stdin: string, timeoutMs: number): Promise<SshResult> {
  return new Promise((resolve) => {
    const child = spawn("ssh", args, { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", (e) => {
      clearTimeout(timer);
      resolve({ ok: false, reason: `cannot run ssh: ${e.message}` });
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (signal) resolve({ ok: false, reason: `no answer within ${Math.round(timeoutMs / 1000)} s` });
      else if (code === 0) resolve({ ok: true, stdout });
      else resolve({ ok: false, reason: stderr.trim().split("\n").pop() || `ssh exited ${code}` });
    });
    child.stdin.on("error", () => undefined);
    child.stdin.end(stdin);
  });
}
