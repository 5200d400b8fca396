/**
 * What every policy of the pack shares: the catalog, the one resource reader (core/resources),
 * and messages that say what is wrong, on which resource, and how to fix it.
 */
import type { ReportViolation, ResourceValidationArgs, StackValidationArgs } from "@pulumi/policy";
import { loadCatalog, type Catalog } from "../core/catalog/load";
import { fromPolicy, readResources, type ReadResult, type TagMapping } from "../core/resources";

export const catalog = (): Catalog => loadCatalog();

/** The reader over the one resource a resource policy validates (its provider resource gives the region). */
export function readOne(args: ResourceValidationArgs, mapping?: TagMapping): ReadResult {
  return readResources(fromPolicy([args]), catalog(), mapping);
}

/** The reader over the whole stack (a stack policy: outputs at analyze time, planned state at preview). */
export function readStack(args: StackValidationArgs, mapping?: TagMapping): ReadResult {
  return readResources(fromPolicy(args.resources), catalog(), mapping);
}

/** `<what> on <resource>: <detail>. Fix: <how>` */
export function message(what: string, resource: string, detail: string, fix: string): string {
  return `${what} on ${resource}: ${detail}. Fix: ${fix}`;
}

/** Policies are plain objects: tests call validateResource/validateStack with args they build. */
export type Report = ReportViolation;

/** The JSON Schema of a TagMapping, for policies whose config takes the user's own tag keys. */
export const TAG_MAPPING_SCHEMA = {
  type: "object",
  description:
    "Where your own tags say what a machine serves, for stacks that do not use Sovereign's components (sovereign:* tags are always read).",
  properties: {
    chain: { type: "string", description: "Tag key holding the chain id (catalog/chains.yaml), e.g. chain" },
    network: { type: "string", description: "Tag key holding the network. @default mainnet" },
    node: { type: "string", description: "Tag key holding the node name. @default the resource name" },
    clients: {
      type: "object",
      additionalProperties: { type: "string" },
      description: "Tag key per client layer, e.g. { execution: el-client }",
    },
    operator: { type: "string", description: "Tag key holding the operator of resources outside the clouds" },
  },
  additionalProperties: false,
} as const;
