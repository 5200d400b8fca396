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
  // One problem, one line: a line break or escape code inside a value is shown, never acted on.
  return terminalText(
    `${where ? where + ": " : ""}${excerpt(p.path, 200) || "(top level)"}: ${excerpt(p.message, MAX_MESSAGE)}`,
  );
}

const MAX_MESSAGE = 2000;

/** At most `max` characters of a user's value for an error message: a name, not megabytes of it. */
export function excerpt(value: string, max = 60): string {
  if (value.length <= max) return value;
  return `${value.slice(0, max)}… (${value.length} characters)`;
}

/**
 * Characters a terminal acts on instead of showing: C0/C1 controls (escape sequences, line
 * breaks), bidi overrides and isolates (text that reads differently than it is), line and
 * paragraph separators.
 */
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/g;
const LINE_BREAK_OR_TAB = /[\n\t]/;
const escapeChar = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;

/** One line for a terminal: every character in UNPRINTABLE shown as `\u001b`, never sent. */
export function terminalText(text: string): string {
  return text.replace(UNPRINTABLE, escapeChar);
}

/** A whole report or message: as terminalText, but its own line breaks and tabs kept. */
export function terminalLines(text: string): string {
  return text.replace(UNPRINTABLE, (c) => (LINE_BREAK_OR_TAB.test(c) ? c : escapeChar(c)));
}

/** A user-given name quoted for a message, shortened and with control characters shown as escapes. */
export function quote(value: string): string {
  return `'${terminalText(excerpt(value))}'`;
}

/** No placement keeps every rule: the CLI exits 3 and prints the reasons in plain words. */
export class InfeasibleError extends Error {
  constructor(readonly reasons: string[]) {
    super(`no plan keeps every rule:\n  - ${reasons.map(terminalText).join("\n  - ")}`);
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
