/**
 * Resources from the three places they come from: `pulumi preview --json`, `pulumi stack export`
 * (also what `pulumi policy analyze --file` reads), and the policy engine's arguments.
 */
import { SpecError } from "../errors";
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
    const provider = providerRef ? byUrn.get(providerUrn(providerRef)!) : undefined;
    return provider ? { ...r, providerProps: provider.props } : r;
  });
}

/** `pulumi preview --json`: the planned new state of every step that is not a delete. */
export function fromPreview(doc: Json): StackResources {
  const steps: Json[] = Array.isArray(doc.steps) ? doc.steps : [];
  const list = steps
    .filter((s) => s.op !== "delete" && s.op !== "discard" && (s.newState || s.oldState))
    .map((s) => {
      const state: Json = s.newState ?? s.oldState;
      return {
        urn: state.urn ?? s.urn,
        type: state.type,
        name: urnName(state.urn ?? s.urn),
        props: { ...(state.inputs ?? {}), ...(state.outputs ?? {}) },
        custom: state.custom !== false,
        parent: state.parent || undefined,
        providerRef: state.provider ?? s.provider,
      };
    });
  const config = Object.fromEntries(
    Object.entries(doc.config ?? {}).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
  );
  return { resources: withProviders(list), config, source: "preview" };
}

/** `pulumi stack export` (a checkpoint: `{ version, deployment: { resources } }`). */
export function fromStackExport(doc: Json): StackResources {
  const resources: Json[] = doc.deployment?.resources ?? doc.checkpoint?.latest?.resources ?? [];
  const list = resources.map((r) => ({
    urn: r.urn,
    type: r.type,
    name: urnName(r.urn),
    props: { ...(r.inputs ?? {}), ...(r.outputs ?? {}) },
    custom: r.custom !== false,
    parent: r.parent || undefined,
    providerRef: r.provider,
  }));
  return { resources: withProviders(list), config: {}, source: "export" };
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
  if (Array.isArray(d.steps)) return fromPreview(d);
  if (d.deployment || d.checkpoint) return fromStackExport(d);
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
