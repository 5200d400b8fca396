import { renameSync, rmSync, writeFileSync } from "node:fs";
import { UsageError } from "./errors";

/** Writes to --out atomically (a half-written report never replaces a good one), else to stdout. */
export function emit(report: string, out?: string) {
  // The same bytes either way: a file ends with a newline like stdout does.
  const text = report.endsWith("\n") ? report : `${report}\n`;
  if (!out) { process.stdout.write(text); return; }
  const tmp = `${out}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, out);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new UsageError(`cannot write --out ${out}: ${writeProblem(e as NodeJS.ErrnoException)}`);
  }
  process.stderr.write(`wrote ${out}\n`);
}

function writeProblem(e: NodeJS.ErrnoException): string {
  switch (e.code) {
    case "ENOENT": return "no such directory";
    case "ENOTDIR": return "a part of the path is not a directory";
    case "EISDIR": return "it is a directory";
    case "EACCES": case "EPERM": return "permission denied";
    case "EROFS": return "read-only file system";
    case "ENOSPC": return "no space left on the device";
    default: return e.message;
  }
}
