/**
 * Reading a file a user names (a fleet spec, a saved plan) without blocking or reading forever:
 * opened with O_NONBLOCK (a FIFO opens at once instead of waiting for a writer), checked with
 * fstat before one byte is read (only regular files, up to a size limit), errors in plain words.
 */
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from "node:fs";

/** Neither a spec nor a plan comes near this; anything larger is not what the user meant to pass. */
export const MAX_INPUT_BYTES = 16 * 1024 * 1024;

/** Why a file could not be read, in words a user can act on; `message` never includes a stack. */
export class InputFileError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = "InputFileError";
  }
}

export function readInputFile(file: string, maxBytes: number = MAX_INPUT_BYTES): string {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw new InputFileError(openProblem(e as NodeJS.ErrnoException));
  }
  try {
    const stats = fstatSync(fd);
    if (stats.isDirectory()) throw new InputFileError("it is a directory; give the path of a file");
    if (!stats.isFile()) throw new InputFileError(`not a regular file (${kindOf(stats)}); give the path of a file`);
    if (stats.size > maxBytes) {
      throw new InputFileError(
        `larger than ${maxBytes / 1024 / 1024} MB (${(stats.size / 1024 / 1024).toFixed(1)} MB)`,
      );
    }
    return readAtMost(fd, maxBytes);
  } catch (e) {
    if (e instanceof InputFileError) throw e;
    throw new InputFileError(openProblem(e as NodeJS.ErrnoException));
  } finally {
    closeSync(fd);
  }
}

/** The whole file, or an error once it passes `maxBytes` (it may grow after fstat; /proc files say size 0). */
function readAtMost(fd: number, maxBytes: number): string {
  const chunks: Buffer[] = [];
  const buffer = Buffer.alloc(64 * 1024);
  for (let total = 0; ;) {
    const n = readSync(fd, buffer, 0, buffer.length, null);
    if (n === 0) return Buffer.concat(chunks).toString("utf8");
    total += n;
    if (total > maxBytes) throw new InputFileError(`larger than ${maxBytes / 1024 / 1024} MB`);
    chunks.push(Buffer.from(buffer.subarray(0, n)));
  }
}

function kindOf(stats: Stats): string {
  if (stats.isFIFO()) return "a named pipe";
  if (stats.isCharacterDevice()) return "a character device";
  if (stats.isBlockDevice()) return "a block device";
  if (stats.isSocket()) return "a socket";
  return "not a file";
}

/** Plain words for the errors open(2) and read(2) give on a user's path. */
export function openProblem(e: NodeJS.ErrnoException): string {
  switch (e.code) {
    case "ENOENT":
      return "no such file; check the path";
    case "EISDIR":
      return "it is a directory; give the path of a file";
    case "ENOTDIR":
      return "a part of the path is not a directory";
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "ELOOP":
      return "too many symbolic links (a link that points back at itself?)";
    case "ENAMETOOLONG":
      return "the path is too long";
    case "EAGAIN":
      return "not readable right now (a pipe or device?); give the path of a file";
    case "ENXIO":
    case "ENODEV":
      return "not a regular file (a device or socket); give the path of a file";
    case "EMFILE":
    case "ENFILE":
      return "too many open files";
    default:
      return `cannot read it (${e.code ?? "unknown error"})`;
  }
}
