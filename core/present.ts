/**
 * `value` when it is there. For lookups the code's own invariants guarantee (an id the plan itself
 * produced, a key set one line above): if one ever fails, the error says which fact was missing
 * instead of a TypeError on `undefined` somewhere later.
 */
export function present<T>(value: T | null | undefined, what: string): T {
  if (value === undefined || value === null)
    throw new Error(`${what} is missing (a broken invariant; please report it)`);
  return value;
}
