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
  constructor(readonly problems: InputProblem[], readonly file?: string) {
    super(problems.map((p) => formatProblem(p, file)).join("\n"));
    this.name = "SpecError";
  }
}

export function formatProblem(p: InputProblem, file?: string): string {
  const where = [file, p.line].filter((x) => x !== undefined).join(":");
  return `${where ? where + ": " : ""}${p.path || "(top level)"}: ${p.message}`;
}

/** No placement keeps every rule: the CLI exits 3 and prints the reasons in plain words. */
export class InfeasibleError extends Error {
  constructor(readonly reasons: string[]) {
    super(`no plan keeps every rule:\n  - ${reasons.join("\n  - ")}`);
    this.name = "InfeasibleError";
  }
}

export function pathToString(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, key) =>
    typeof key === "number" ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key), "");
}

/** A plan file (`validate --plan`) that is not a plan of this version: the CLI exits 2 and prints every problem. */
export class SavedPlanError extends Error {
  constructor(readonly problems: InputProblem[], readonly file?: string) {
    super(problems.map((p) => formatProblem(p, file)).join("\n"));
    this.name = "SavedPlanError";
  }
}
