/** The bundled example's plan and policy, planned once per test file (not a test file itself). */
import { loadCatalog, type Catalog } from "../../core/catalog/load";
import type { Policy } from "../../core/diversity/policy";
import type { Plan } from "../../core/plan";
import { planFleet } from "../../core/planner/plan";
import { loadSpec } from "../../cli/load";

export interface Example {
  catalog: Catalog;
  plan: Plan;
  policy: Policy;
}

let example: Promise<Example> | undefined;

export function examplePlan(): Promise<Example> {
  example ??= (async () => {
    const catalog = loadCatalog();
    const { spec, fleet } = loadSpec(undefined, catalog);
    return { catalog, plan: await planFleet(fleet, catalog), policy: spec.policy };
  })();
  return example;
}
