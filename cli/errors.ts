import { formatProblem, SpecError, type InputProblem } from "../core/errors";

/**
 * Bad input that is not about the fleet spec: an option (`--fail`, `--out`), a command argument, a
 * saved plan file. The CLI exits 2 and prints the problems under `header`, or one `error:` line
 * per problem when there is no header; never "the fleet spec is not valid".
 */
export class UsageError extends Error {
  /** Problems tied to a field (`--fail: ...`, `nodes[2].clients: ...`), or one sentence that names what it is about. */
  constructor(
    problems: InputProblem[] | string,
    readonly options: { file?: string; header?: string } = {},
  ) {
    super(typeof problems === "string" ? problems : problems.map((p) => formatProblem(p, options.file)).join("\n"));
    this.name = "UsageError";
  }
}

/** Runs `fn`; a SpecError it throws about an option (not the spec) becomes a UsageError. */
export function asUsage<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof SpecError) throw new UsageError(e.problems, { file: e.file });
    throw e;
  }
}
