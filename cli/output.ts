import { closeSync, lstatSync, openSync, renameSync, rmSync, statSync, writeFileSync, type Stats } from "node:fs";
import { terminalLines } from "../core/errors";
import { UsageError } from "./errors";

/**
 * Writes to --out, else to stdout. A regular file is replaced atomically (a half-written report
 * never replaces a good one); the file the command read is never overwritten; a symlink, FIFO or
 * device is refused rather than silently replaced by a regular file.
 */
export function emit(report: string, out?: string, inputs: readonly string[] = []) {
  // The same bytes either way: a file ends with a newline like stdout does. Values from specs,
  // previews or the network cannot carry an escape code or bidi override into any format (JSON
  // keeps them as \u escapes, which parse back to the same strings).
  const text = terminalLines(report.endsWith("\n") ? report : `${report}\n`);
  if (!out) {
    process.stdout.write(text);
    return;
  }
  const refuse = (why: string): never => {
    throw new UsageError(`cannot write --out ${out}: ${why}`);
  };
  const existing = statOrUndefined(() => lstatSync(out));
  if (existing) {
    if (existing.isSymbolicLink()) refuse("it is a symbolic link; give the path it points to, or remove the link");
    if (existing.isDirectory()) refuse("it is a directory");
    if (!existing.isFile())
      refuse(`it is not a regular file (${kindOf(existing)}); write to a regular file or to stdout`);
    for (const input of inputs) {
      const read = statOrUndefined(() => statSync(input));
      if (read && read.dev === existing.dev && read.ino === existing.ino)
        refuse(`it is the file this command read (${input}); choose another file`);
    }
  }
  const tmp = `${out}.tmp-${process.pid}`;
  try {
    // wx: never follow or reuse something already at the temporary name.
    const fd = openSync(tmp, "wx", existing ? existing.mode & 0o777 : 0o666);
    try {
      writeFileSync(fd, text);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, out);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") rmSync(tmp, { force: true });
    refuse(writeProblem(e as NodeJS.ErrnoException));
  }
  process.stderr.write(terminalLines(`wrote ${out}\n`));
}

function statOrUndefined(stat: () => Stats): Stats | undefined {
  try {
    return stat();
  } catch {
    return undefined;
  }
}

function kindOf(stats: Stats): string {
  return stats.isFIFO()
    ? "a named pipe"
    : stats.isCharacterDevice() || stats.isBlockDevice()
      ? "a device"
      : stats.isSocket()
        ? "a socket"
        : "not a file";
}

function writeProblem(e: NodeJS.ErrnoException): string {
  switch (e.code) {
    case "ENOENT":
      return "no such directory";
    case "ENOTDIR":
      return "a part of the path is not a directory";
    case "EISDIR":
      return "it is a directory";
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "EROFS":
      return "read-only file system";
    case "ENOSPC":
      return "no space left on the device";
    case "EEXIST":
      return `a file ${e.path ?? "with the temporary name"} is in the way; remove it`;
    case "ENAMETOOLONG":
      return "the path is too long";
    case "ELOOP":
      return "too many symbolic links in the path";
    default:
      return `cannot write it (${e.code ?? "unknown error"})`;
  }
}
