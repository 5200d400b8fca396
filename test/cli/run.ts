/** The real CLI (bin/sovereign.js) as a user runs it, from the repository root: exit code and both streams. */
import { execFile } from "node:child_process";
import { join } from "node:path";

export const ROOT = join(__dirname, "..", "..");
const CLI = join(ROOT, "bin", "sovereign.js");

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

export const sovereign = (...args: string[]): Promise<Run> =>
  new Promise((resolve) =>
    execFile(process.execPath, [CLI, ...args], { cwd: ROOT, timeout: 120_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === "number" ? error.code : null) : 0, stdout, stderr }),
    ),
  );
