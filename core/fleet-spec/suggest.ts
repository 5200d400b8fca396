import { closest as nearest, distance } from "fastest-levenshtein";

/** The candidate closest to `word`, if it is close enough to be a typo of it. */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  const list = [...candidates];
  // A typo is short; a long value is not worth an edit-distance table.
  if (list.length === 0 || word.length > 64) return undefined;
  const best = nearest(word, list);
  return distance(word.toLowerCase(), best.toLowerCase()) <= Math.max(2, Math.floor(word.length / 3))
    ? best
    : undefined;
}

/** " (did you mean 'x'?)" or "", for error messages. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const guess = closest(word, candidates);
  return guess ? `; did you mean '${guess}'?` : "";
}
