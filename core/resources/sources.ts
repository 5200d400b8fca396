/**
 * Resources from the three places they come from: `pulumi preview --json`, `pulumi stack export`
 * (also what `pulumi policy analyze --file` reads), and the policy engine's arguments.
 */
import { z } from "zod";
import { pathToString, SpecError } from "../errors";
import type { RawResource, StackResources } from "./types";

type Json = Record<string, any>;

/** `urn:pulumi:stack::project::parent$type::name` -> name. */
export function urnName(urn: string): string {
  const i = urn.lastIndexOf("::");
  return i < 0 ? urn : urn.slice(i + 2);
}

/** `urn::id` provider reference -> urn. */
function providerUrn(ref: unknown): string | undefined {
  if (typeof ref !== "string" || !ref) return undefined;
  const i = ref.lastIndexOf("::");
  return i < 0 ? ref : ref.slice(0, i);
}

function withProviders(list: Array<RawResource & { providerRef?: string }>): RawResource[] {
  const byUrn = new Map(list.map((r) => [r.urn, r]));
  return list.map(({ providerRef, ...r }) => {
    const urn = providerUrn(providerRef);
    const provider = urn ? byUrn.get(urn) : undefined;
    return provider ? { ...r, providerProps: provider.props } : r;
  });
}

/** The state of one resource, as a preview step or an export gives it; other fields are kept out of the way. */
const ResourceState = z.looseObject({
  urn: z.string().min(1),
  type: z.string().min(1),
  inputs: z.record(z.string(), z.unknown()).nullish(),
  outputs: z.record(z.string(), z.unknown()).nullish(),
  custom: z.boolean().optional(),
  parent: z.string().nullish(),
  provider: z.string().nullish(),
});
type ResourceState = z.infer<typeof ResourceState>;

const Preview = z.looseObject({
  steps: z.array(
    z.looseObject({
      op: z.string().optional(),
      urn: z.string().optional(),
      provider: z.string().nullish(),
      newState: ResourceState.nullish(),
      oldState: ResourceState.nullish(),
    }),
  ),
  config: z.record(z.string(), z.unknown()).nullish(),
});

const Resources = z.array(ResourceState).nullish();
const StackExport = z.looseObject({
  deployment: z.looseObject({ resources: Resources }).optional(),
  checkpoint: z.looseObject({ latest: z.looseObject({ resources: Resources }).nullish() }).optional(),
});

/** Enough to fix a file by; a broken generator can repeat one mistake thousands of times. */
const MAX_PROBLEMS = 20;

/** `doc` in the shape of `schema`, or a SpecError naming each field that is not. */
function parseShape<T>(schema: z.ZodType<T>, doc: unknown, what: string, file?: string): T {
  const result = schema.safeParse(doc);
  if (result.success) return result.data;
  throw new SpecError(
    result.error.issues.slice(0, MAX_PROBLEMS).map((i) => ({
      path: pathToString(i.path),
      message: `${i.message} (not what ${what} writes)`,
    })),
    file,
  );
}

function fromState(state: ResourceState, providerRef?: string | null) {
  return {
    urn: state.urn,
    type: state.type,
    name: urnName(state.urn),
    props: { ...(state.inputs ?? {}), ...(state.outputs ?? {}) },
    custom: state.custom !== false,
    parent: state.parent || undefined,
    providerRef: (state.provider ?? providerRef) || undefined,
  };
}

/** `pulumi preview --json`: the planned new state of every step that is not a delete. */
export function fromPreview(doc: unknown, file?: string): StackResources {
  const preview = parseShape(Preview, doc, "`pulumi preview --json`", file);
  const list = preview.steps.flatMap((s) => {
    const state = s.op === "delete" || s.op === "discard" ? undefined : (s.newState ?? s.oldState);
    return state ? [fromState(state, s.provider)] : [];
  });
  const config = Object.fromEntries(
    Object.entries(preview.config ?? {}).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
  );
  return { resources: withProviders(list), config, source: "preview" };
}

/** `pulumi stack export` (a checkpoint: `{ version, deployment: { resources } }`). */
export function fromStackExport(doc: unknown, file?: string): StackResources {
  const exported = parseShape(StackExport, doc, "`pulumi stack export`", file);
  const resources = exported.deployment?.resources ?? exported.checkpoint?.latest?.resources ?? [];
  return { resources: withProviders(resources.map((r) => fromState(r))), config: {}, source: "export" };
}

/** What the policy engine passes for one resource (ResourceValidationArgs and PolicyResource fit). */
export interface PolicyResourceLike {
  urn: string;
  type: string;
  name: string;
  props: Record<string, any>;
  provider?: { props?: Record<string, any> };
  parent?: { urn: string };
}

export function fromPolicy(resources: readonly PolicyResourceLike[]): StackResources {
  return {
    resources: resources.map((r) => ({
      urn: r.urn,
      type: r.type,
      name: r.name,
      props: r.props ?? {},
      // The engine passes components too; their type tokens have no module path (`sovereign:aws:NodeHost`).
      custom: !isComponentType(r.type),
      parent: r.parent?.urn,
      providerProps: r.provider?.props,
    })),
    config: {},
    source: "policy",
  };
}

/** Custom resource types are `pkg:module/path:Type` or provider types; ours are `sovereign:<module>:<Type>` components. */
function isComponentType(type: string): boolean {
  return type.startsWith("sovereign:") || type === "pulumi:pulumi:Stack";
}

/** Tells a preview from an export by shape; `file` names the file in errors. */
export function readPulumiDocument(doc: unknown, file: string): StackResources {
  if (!doc || typeof doc !== "object")
    throw new SpecError(
      [{ path: "", message: "not a JSON object: pass `pulumi preview --json` output or a `pulumi stack export`" }],
      file,
    );
  const d = doc as Json;
  if ("steps" in d) return fromPreview(d, file);
  if (d.deployment || d.checkpoint) return fromStackExport(d, file);
  throw new SpecError(
    [
      {
        path: "",
        message:
          "neither a preview (no `steps`) nor a stack export (no `deployment`): run `pulumi preview --json > preview.json` or `pulumi stack export > state.json`",
      },
    ],
    file,
  );
}
