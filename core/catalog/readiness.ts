/**
 * Whether a fleet's nodes follow their chains: every pinned client past each network upgrade, and
 * every client still supported upstream. One entry for `plan`, `validate`, `outage` and the program.
 */
import type { PolicyCheck } from "../diversity";
import type { Catalog } from "./load";
import { supportChecks } from "./support";
import { DEFAULT_UPGRADE_WINDOW_DAYS, upgradeChecks, type ReadinessCheckOptions } from "./upgrades";

export function readinessChecks(
  catalog: Catalog,
  nodes: ReadonlyArray<{ id: string; chainKey: string; clients: Record<string, string> }>,
  opts: ReadinessCheckOptions,
): PolicyCheck[] {
  const windowDays = opts.windowDays ?? DEFAULT_UPGRADE_WINDOW_DAYS;
  return [...upgradeChecks(catalog, nodes, opts), ...supportChecks(catalog, nodes, { now: opts.now, windowDays })];
}
