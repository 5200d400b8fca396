/**
 * sovereign-infra: plan blockchain node fleets under a diversity policy and deploy them with Pulumi.
 *
 *   import { Fleet, AwsNodeHost, loadCatalog, planFleet } from "sovereign-infra";
 */
// Pulumi components
export * from "./components";

// Core API (no Pulumi): catalog, fleet spec, planner, diversity math, workload rendering, tags.
export {
  loadCatalog,
  checkIntegrity,
  CatalogError,
  DEFAULT_CATALOG_DIR,
  type Catalog,
  type ProviderId,
} from "./core/catalog/load";
export type { Chain, Client, Port, Profile, ProviderFile, Shape, StorageClass } from "./core/catalog/schema";
export {
  FleetSpec,
  ChainGroup,
  Sites,
  BareMetalHost as BareMetalHostSpec,
  fleetJsonSchema,
} from "./core/fleet-spec/schema";
export { parseFleetYaml, parseFleetFile, validateFleetObject } from "./core/fleet-spec/parse";
export {
  resolveFleet,
  type Fleet as ResolvedFleet,
  type NodeGroup,
  type Site,
  type SiteProvider,
} from "./core/fleet-spec/resolve";
export { planFleet, type PlanOptions } from "./core/planner/plan";
export {
  assemble,
  type Plan,
  type PlannedNode,
  type PlannedHost,
  type PlannedGateway,
  type PreviousNode,
} from "./core/plan";
export * from "./core/diversity";
export { Policy } from "./core/diversity/policy";
export { SpecError, InfeasibleError, formatProblem, type InputProblem } from "./core/errors";
export type { CostBreakdown, StorageChoice, NodeOption } from "./core/costs/options";
export * from "./core/workload";
export * from "./core/gateway";
