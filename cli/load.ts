import { resolve } from "node:path";
import type { Catalog } from "../core/catalog/load";
import { parseFleetFile } from "../core/fleet-spec/parse";
import { resolveFleet } from "../core/fleet-spec/resolve";

/** The spec used when none is given: the bundled example fleet. */
export const EXAMPLE_SPEC = resolve(__dirname, "..", "examples", "fleet.yaml");

/** Reads, validates and resolves the spec (or the bundled example) against the catalog. */
export function loadSpec(specPath: string | undefined, catalog: Catalog) {
  const file = specPath ?? EXAMPLE_SPEC;
  const spec = parseFleetFile(file);
  return { spec, fleet: resolveFleet(spec, catalog, file), file };
}
