/** The plan contract (types), the plan assembler, and the plan as a JSON file (writer, reader, verifier). */
export * from "./types";
export { assemble } from "./assemble";
export {
  JSON_SCHEMA_VERSION,
  parseSavedPlan,
  planToJson,
  readSavedPlan,
  type SavedGateway,
  type SavedNode,
  type SavedPlan,
} from "./file";
export { checkSavedPlan } from "./verify";
export {
  NOTHING_DEPLOYED,
  deployedFromOutputs,
  parseDeployedState,
  readDeployedState,
  readDeployedMonitors,
  readDeployedReleases,
  type DeployedFleet,
  type DeployedReleases,
} from "./deployed";
export * from "./release";
export { withChecks } from "./checks";
export { AKASH_WARNING, planWarnings } from "./warnings";
export { budgetCheck, money, shareHostPrice, usd, withinBudget } from "./money";
