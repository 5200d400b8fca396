export * from "./types";
export {
  fromPolicy,
  fromPreview,
  fromStackExport,
  readPulumiDocument,
  urnName,
  type PolicyResourceLike,
} from "./sources";
export { get, KNOWN_TYPES, readResources, UNKNOWN } from "./read";
export { diversityNodes } from "./nodes";
