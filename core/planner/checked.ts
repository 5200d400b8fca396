import type { Catalog } from "../catalog/load";
import { readinessChecks } from "../catalog/readiness";
import type { ReadinessCheckOptions } from "../catalog/upgrades";
import type { Fleet } from "../fleet-spec/resolve";
import { withChecks } from "../plan/checks";
import type { Plan } from "../plan/types";
import { planFleet, type PlanOptions } from "./plan";

/**
 * The plan every command and the program judge: placed by the solver, then checked against the
 * catalog's upgrades and client support. A pinned client below an active upgrade's minimum, or one
 * upstream dropped, is off the chain, so a plan holding it breaks the policy wherever it is read.
 */
export async function planChecked(
  fleet: Fleet,
  catalog: Catalog,
  options: PlanOptions = {},
  readiness: ReadinessCheckOptions = { now: new Date() },
): Promise<Plan> {
  const planned = await planFleet(fleet, catalog, options);
  return withChecks(planned, readinessChecks(catalog, planned.nodes, readiness));
}
