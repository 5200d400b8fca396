/** One problem in a user's input, tied to the field that holds it. */
export interface InputProblem {
  /** Dotted path of the field, e.g. `policy.maxShare.operator` or `chains[1].clients.execution[0]`. */
  path: string;
  message: string;
  /** 1-based line in the YAML source, when the input came from YAML. */
  line?: number;
}

/** Bad input: the CLI exits 2 and prints every problem. */
export class SpecError extends Error {
  constructor(
    readonly problems: InputProblem[],
    readonly file?: string,
  ) {
    super(problems.map((p) => formatProblem(p, file)).join("\n"));
    this.name = "SpecError";
  }
}

export function formatProblem(p: InputProblem, file?: string): string {
  const where = [file === undefined ? undefined : excerpt(file, 200), p.line].filter((x) => x !== undefined).join(":");
  // The message quotes values through `excerpt`; the cap is the net under messages that forgot to.
  return `${where ? where + ": " : ""}${excerpt(p.path, 200) || "(top level)"}: ${excerpt(p.message, MAX_MESSAGE)}`;
}

const MAX_MESSAGE = 2000;

/** At most `max` characters of a user's value for an error message: a name, not megabytes of it. */
export function excerpt(value: string, max = 60): string {
  if (value.length <= max) return value;
  return `${value.slice(0, max)}… (${value.length} characters)`;
}

/** A user-given name quoted for a message, shortened and with control characters shown as escapes. */
export function quote(value: string): string {
  return `'${excerpt(value).replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)}'`;
}

/** No placement keeps every rule: the CLI exits 3 and prints the reasons in plain words. */
export class InfeasibleError extends Error {
  constructor(readonly reasons: string[]) {
    super(`no plan keeps every rule:\n  - ${reasons.join("\n  - ")}`);
    this.name = "InfeasibleError";
  }
}

export function pathToString(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (acc, key) =>
      typeof key === "number" ? `${acc}[${key}]` : acc ? `${acc}.${excerpt(String(key))}` : excerpt(String(key)),
    "",
  );
}

/** A plan file (`validate --plan`) that is not a plan of this version: the CLI exits 2 and prints every problem. */
export class SavedPlanError extends Error {
  constructor(
    readonly problems: InputProblem[],
    readonly file?: string,
  ) {
    super(problems.map((p) => formatProblem(p, file)).join("\n"));
    this.name = "SavedPlanError";
  }
}

/**
 * A source on the network (a release feed, an image registry) did not answer in time, answered with
 * an error, or answered with data that fails validation: nothing was written. The CLI exits 4.
 */
export class SourceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SourceError";
  }
}
