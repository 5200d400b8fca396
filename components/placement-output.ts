import type { PlannedGateway, PlannedMonitor, PlannedNode } from "../core/plan";

/** Where the plan put a node, a gateway or a monitor, as the Fleet reports it. */
export interface FleetPlacementOutput {
  id: string;
  provider: string;
  /** The plan's site (`aws/us-east-1`, `akash`, `baremetal/<host>`): with id and clients, what the next plan keeps. */
  site: string;
  region: string;
  operator: string;
  jurisdiction: string;
  /** Catalog machine shape; absent on bare metal. */
  shape?: string;
  monthlyUsd: number;
}

/** The placement fields of a planned node or gateway. */
export function placementOutput(p: PlannedNode | PlannedGateway | PlannedMonitor): FleetPlacementOutput {
  return {
    id: p.id,
    provider: p.provider,
    site: p.site,
    region: p.region,
    operator: p.operator,
    jurisdiction: p.jurisdiction,
    ...(p.shape ? { shape: p.shape } : {}),
    monthlyUsd: p.monthlyUsd,
  };
}
