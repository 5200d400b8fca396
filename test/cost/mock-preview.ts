/**
 * A `pulumi preview --json` document from resources recorded under Pulumi mocks: the format the
 * engine prints (steps[].newState with urn, type, custom, parent, provider, inputs), secrets as
 * "[secret]" like the CLI shows them. Used to run `sovereign cost` on our own example stack.
 */
import { isSecretInput, type Recorded } from "../components/harness";

function mask(v: any): any {
  if (isSecretInput(v)) return "[secret]";
  if (Array.isArray(v)) return v.map(mask);
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, mask(x)]));
  return v;
}

export function previewDocument(resources: Recorded[], stack: string, config: Record<string, unknown> = {}): object {
  const urnOf = (r: Recorded) => `urn:pulumi:${stack}::sovereign::${r.type}::${r.name}`;
  const providerById = new Map(resources.filter((r) => r.type.startsWith("pulumi:providers:")).map((r) => [r.id, r]));
  const providerRef = (ref?: string) => {
    if (!ref) return undefined;
    const p = providerById.get(ref.slice(ref.lastIndexOf("::") + 2));
    return p ? `${urnOf(p)}::${p.id}` : undefined;
  };
  return {
    config,
    steps: resources.map((r) => ({
      op: "create",
      urn: urnOf(r),
      provider: providerRef(r.provider),
      newState: {
        urn: urnOf(r),
        custom: r.custom,
        type: r.type,
        inputs: mask(r.inputs),
        provider: providerRef(r.provider),
      },
    })),
    changeSummary: { create: resources.length },
  };
}
