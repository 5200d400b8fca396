import { LineCounter, parseDocument, isMap, isScalar, visit, type Document } from "yaml";
import type { z } from "zod";
import { excerpt, quote, SpecError, pathToString, type InputProblem } from "../errors";
import { InputFileError, readInputFile } from "../input-file";
import { RESERVED_KEY, reservedKeyPaths } from "../own";
import { FleetSpec } from "./schema";
import { closest } from "./suggest";

/** Parses and validates a fleet spec given as YAML text. Throws SpecError naming every bad field. */
export function parseFleetYaml(text: string, file?: string): FleetSpec {
  if (text.trim() === "") {
    throw new SpecError(
      [{ path: "", message: "the spec is empty; start from examples/fleet.yaml or `sovereign schema`" }],
      file,
    );
  }
  const lineCounter = new LineCounter();
  // yaml's own uniqueKeys compares every pair of keys (minutes for a 30,000-key map): duplicateKeys is linear.
  const doc = parseDocument(text, { lineCounter, uniqueKeys: false, prettyErrors: false });
  if (doc.errors.length) {
    throw new SpecError(
      doc.errors.map((e) => ({
        path: "",
        message: `invalid YAML: ${e.message.split("\n")[0]}`,
        // prettyErrors: false leaves linePos unset; the offset is always there.
        line: e.linePos?.[0]?.line ?? lineCounter.linePos(e.pos[0]).line,
      })),
      file,
    );
  }
  const duplicates = duplicateKeys(doc);
  if (duplicates.length) {
    throw new SpecError(
      duplicates.slice(0, MAX_DUPLICATES).map((d) => ({
        path: "",
        message: `invalid YAML: Map keys must be unique (${quote(d.key)} is given twice)`,
        line: d.offset === undefined ? undefined : lineCounter.linePos(d.offset).line,
      })),
      file,
    );
  }
  if (doc.contents === null) {
    // Only comments: as empty as an empty file.
    throw new SpecError(
      [{ path: "", message: "the spec is empty; start from examples/fleet.yaml or `sovereign schema`" }],
      file,
    );
  }
  if (!isMap(doc.contents)) {
    throw new SpecError(
      [{ path: "", message: "the spec must be a mapping with name, chains, sites and policy" }],
      file,
    );
  }
  return validateFleetObject(toObject(doc, file), file, (path) => lineOf(doc, lineCounter, path));
}

/** Aliases a spec needs are few; more than this is a "billion laughs" document that expands without end. */
export const MAX_YAML_ALIASES = 100;

function toObject(doc: Document, file?: string): unknown {
  try {
    return doc.toJS({ maxAliasCount: MAX_YAML_ALIASES });
  } catch (e) {
    // yaml throws ReferenceError for both; anything else is a bug and goes on.
    if (!(e instanceof ReferenceError)) throw e;
    const message = /Excessive alias count/.test(e.message)
      ? `too many aliases: the YAML expands to more than ${MAX_YAML_ALIASES} aliased copies (a "billion laughs" document?); ` +
        "write the values out"
      : `invalid YAML: ${excerpt(e.message, 120)}`;
    throw new SpecError([{ path: "", message }], file);
  }
}

export function parseFleetFile(file: string): FleetSpec {
  let text: string;
  try {
    text = readInputFile(file);
  } catch (e) {
    if (!(e instanceof InputFileError)) throw e;
    throw new SpecError([{ path: "", message: `cannot read the spec: ${e.reason}` }], file);
  }
  return parseFleetYaml(text, file);
}

/** Validates an already-parsed object (e.g. from Pulumi stack config). */
/** One duplicate is enough to find the rest by; a generated file can repeat thousands. */
const MAX_DUPLICATES = 20;

/** Keys given twice in one mapping, anywhere in the document, in one pass over its nodes. */
function duplicateKeys(doc: Document): Array<{ key: string; offset?: number }> {
  const out: Array<{ key: string; offset?: number }> = [];
  visit(doc, {
    Map(_, map) {
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        const key = isScalar(pair.key) ? pair.key.value : String(pair.key);
        if (seen.has(key)) out.push({ key: String(key), offset: (pair.key as { range?: number[] })?.range?.[0] });
        seen.add(key);
      }
    },
  });
  return out.sort((a, b) => (a.offset ?? 0) - (b.offset ?? 0));
}

export function validateFleetObject(
  raw: unknown,
  file?: string,
  line?: (path: PropertyKey[]) => number | undefined,
): FleetSpec {
  const reserved = reservedKeyPaths(raw);
  if (reserved.length) {
    throw new SpecError(
      reserved.map((path) => ({ path: pathToString(path), message: RESERVED_KEY, line: line?.(path) })),
      file,
    );
  }
  // reportInput: without it zod 4 leaves issue.input undefined, and every wrong type read as "missing".
  const result = FleetSpec.safeParse(raw, { reportInput: true });
  if (result.success) return result.data;
  throw new SpecError(
    result.error.issues.flatMap((issue) => explainIssue(issue, line)),
    file,
  );
}

function explainIssue(issue: z.core.$ZodIssue, line?: (path: PropertyKey[]) => number | undefined): InputProblem[] {
  const path = issue.path as PropertyKey[];
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((key) => {
      const known = knownKeysAt(path);
      const guess = closest(key, known);
      return {
        path: pathToString([...path, key]),
        message: `unknown field${guess ? `; did you mean '${guess}'?` : ""} (allowed here: ${known.join(", ")})`,
        line: line?.([...path, key]),
      };
    });
  }
  let message = issue.message;
  if (issue.code === "invalid_type") {
    message =
      issue.input === undefined
        ? `required field is missing (expected ${issue.expected})`
        : `expected ${issue.expected}, got ${describe(issue.input)}`;
  } else if (issue.code === "invalid_union" || issue.code === "invalid_value") {
    message = `${issue.message}, got ${describe(issue.input)}`;
  }
  return [{ path: pathToString(path), message, line: line?.(path) }];
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "number" && !Number.isFinite(value)) return `${value} (not a finite number)`;
  if (typeof value === "string") return `string ${JSON.stringify(excerpt(value))}`;
  return `${typeof value} ${excerpt(String(value))}`;
}

/** The keys the schema allows in the object at `path`, for "did you mean" hints. */
function knownKeysAt(path: PropertyKey[]): string[] {
  let schema: any = FleetSpec;
  for (const key of path) {
    schema = unwrap(schema);
    if (typeof key === "number") schema = schema?.def?.element;
    else schema = schema?.def?.shape?.[key];
  }
  return Object.keys(unwrap(schema)?.def?.shape ?? {});
}

function unwrap(schema: any): any {
  while (schema?.def && ["optional", "default", "pipe", "nullable"].includes(schema.def.type)) {
    schema = schema.def.innerType ?? schema.def.in;
  }
  return schema;
}

function lineOf(doc: Document, counter: LineCounter, path: PropertyKey[]): number | undefined {
  for (let n = path.length; n >= 0; n--) {
    if (n > 0 && typeof path[n - 1] === "string") {
      // Point at the key itself: a block value (e.g. a mistyped `polcy:`) starts on the line after it.
      const parent = doc.getIn(path.slice(0, n - 1), true) as any;
      const pair = parent?.items?.find((p: any) => p.key?.value === path[n - 1]);
      if (pair?.key?.range) return counter.linePos(pair.key.range[0]).line;
    }
    const node = doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined;
    if (node?.range) return counter.linePos(node.range[0]).line;
  }
  return undefined;
}
