import type { Catalog } from "../catalog/load";

/** Implementations the catalog knows for a chain key's layer (the client cap applies from two). */
export function alternativesIn(catalog: Catalog) {
  return (chainKey: string, layer: string) => catalog.chains.get(chainKey.split("/")[0])?.clients[layer]?.length ?? 0;
}

/**
 * The solver's client counts of one group and layer as a sequence to hand out: clients take turns
 * (a, b, c, a, b, ...) so consecutive nodes differ.
 */
export function sequenceFromCounts(counts: ReadonlyArray<{ client: string; count: number }>): string[] {
  const left = counts.map((c) => ({ ...c }));
  const sequence: string[] = [];
  while (left.some((c) => c.count > 0)) {
    for (const c of left) if (c.count > 0) { sequence.push(c.client); c.count--; }
  }
  return sequence;
}
