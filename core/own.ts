/**
 * `record[key]` when the record has `key` itself. Names from users (roles, layers, clients,
 * operators) meet objects built from JSON or YAML: a name like `constructor` or `toString` must
 * find nothing, not a function inherited from Object.prototype.
 */
export function own<V>(record: Readonly<Record<string, V>>, key: string): V | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

export const RESERVED_KEY = "'__proto__' cannot be a key or a name (JavaScript reserves it); rename it";

/**
 * Paths of every `__proto__` key in parsed JSON or YAML: zod drops such keys from records without
 * a word, so a client layer (or any field) named so would vanish instead of being reported.
 */
export function reservedKeyPaths(raw: unknown, path: PropertyKey[] = [], out: PropertyKey[][] = []): PropertyKey[][] {
  // Deeper than any spec or plan: the schema reports such nesting as a wrong type anyway.
  if (typeof raw !== "object" || raw === null || path.length > 32) return out;
  if (Array.isArray(raw)) raw.forEach((v, i) => reservedKeyPaths(v, [...path, i], out));
  else
    for (const key of Object.keys(raw)) {
      if (key === "__proto__") out.push([...path, key]);
      else reservedKeyPaths((raw as Record<string, unknown>)[key], [...path, key], out);
    }
  return out;
}
