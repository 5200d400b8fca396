import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";

/** The templates that ship with the package (`templates/` at the repository root). */
export const DEFAULT_TEMPLATE_DIR = resolve(__dirname, "..", "..", "templates");

const cache = new Map<string, string>();

/** Raw text of a template file, read once per process. */
export function readTemplate(name: string, dir: string = DEFAULT_TEMPLATE_DIR): string {
  const file = join(dir, name);
  let text = cache.get(file);
  if (text === undefined) {
    text = readFileSync(file, "utf8");
    cache.set(file, text);
  }
  return text;
}

const FIELD = /\{\{(\w+)\}\}/g;

/** Replaces every `{{name}}`; a field without a value is an error, never left in the output. */
export function fill(text: string, values: Record<string, string>, what = "template"): string {
  return text.replace(FIELD, (_, name: string) => {
    const v = values[name];
    if (v === undefined) throw new Error(`${what}: no value for {{${name}}}`);
    return v;
  });
}

/** Fills `{{name}}` fields in every string of a parsed (YAML) template. */
export function fillDeep<T>(value: T, values: Record<string, string>, what = "template"): T {
  if (typeof value === "string") return fill(value, values, what) as T;
  if (Array.isArray(value)) return value.map((v) => fillDeep(v, values, what)) as T;
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fillDeep(v, values, what)])) as T;
  }
  return value;
}
