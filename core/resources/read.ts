/**
 * The one reader of Pulumi resources: turns what a preview, a state export or the policy engine
 * holds into machines, disks, public IPs and ingress rules, with provider, region, operator,
 * jurisdiction and what each machine serves. The policy pack and `sovereign cost` both use it.
 * Provider differences are each provider's rows (core/providers/<id>: its resource readers and how
 * it says where a resource stands); everything else is shared.
 */
import { CLOUD_ACT, operatorHome, regimesReaching } from "../catalog/legal";
import type { Catalog } from "../catalog/load";
import type { ProviderFile } from "../catalog/schema";
import { own } from "../own";
import { PROVIDERS, providerFacts, readerOf, type ProviderFacts, type ReaderKit } from "../providers";
import { fromGcpLabels, nodeFromTags, TAG_KEYS, TAG_PREFIX } from "../workload/tags";
import type { Machine, ProviderKind, RawResource, ReadResult, ServedChain, StackResources, TagMapping } from "./types";

type CatalogProvider = ProviderFile["id"];

type Json = Record<string, any>;

/** How the engine shows a value not known before deployment (preview JSON). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** Reads a property; unknown values (preview) and values that throw on access (policy engine) are undefined. */
export function get(obj: unknown, ...path: Array<string | number>): any {
  let v: any = obj;
  try {
    for (const key of path) {
      if (v === null || v === undefined) return undefined;
      v = v[key];
    }
  } catch {
    return undefined;
  }
  return v === UNKNOWN ? undefined : v;
}

const str = (v: unknown): string | undefined => (typeof v === "string" && v !== UNKNOWN && v !== "" ? v : undefined);
const num = (v: unknown): number | undefined => {
  const n = typeof v === "string" && v.trim() !== "" ? Number(v) : v;
  return typeof n === "number" && Number.isFinite(n) ? n : undefined;
};
/** A billed quantity: kept even when negative or infinite, so that quantityProblems can refuse it by name. */
const qty = (v: unknown): number | undefined => {
  const n = typeof v === "string" && v.trim() !== "" ? Number(v) : v;
  return typeof n === "number" && !Number.isNaN(n) ? n : undefined;
};
/** Elements of an array; the policy engine's proxy throws on unknown elements, which are left out. */
const list = (v: unknown): any[] => {
  if (!Array.isArray(v)) return [];
  const out: any[] = [];
  for (let i = 0; i < v.length; i++) {
    const x = get(v, i);
    if (x !== undefined) out.push(x);
  }
  return out;
};
const record = (v: unknown): Record<string, string> => {
  if (!v || typeof v !== "object" || Array.isArray(v)) return {};
  const out: Record<string, string> = {};
  for (const k of Object.keys(v)) {
    const x = get(v, k);
    if (typeof x === "string") out[k] = x;
  }
  return out;
};
/** `projects/p/zones/us-east4-a/diskTypes/pd-ssd` -> `pd-ssd`. */
const lastSegment = (v: unknown) => str(v)?.split("/").pop();

interface Context {
  resource: RawResource;
  config: Record<string, string>;
  catalog: Catalog;
}

/** Tags as `sovereign:*` keys: the provider's own reading (GCP labels), else `tags`, else `tagsAll`. */
function tagsOf(provider: ProviderFacts | undefined, props: Json, kit: ReaderKit): Record<string, string> {
  if (provider?.tagsOf) return provider.tagsOf(props, kit);
  const tags = record(get(props, "tags"));
  return Object.keys(tags).length ? tags : record(get(props, "tagsAll"));
}

function served(tags: Record<string, string>, name: string, mapping?: TagMapping): ServedChain | undefined {
  const ours = nodeFromTags(tags);
  if (ours?.chain)
    return { node: ours.id, chain: ours.chain, network: ours.network, role: ours.role, clients: ours.clients };
  if (!mapping?.chain || !tags[mapping.chain]) return undefined;
  const clients: Record<string, string> = {};
  for (const [layer, key] of Object.entries(mapping.clients ?? {})) if (tags[key]) clients[layer] = tags[key];
  return {
    node: (mapping.node && tags[mapping.node]) || name,
    chain: tags[mapping.chain],
    network: (mapping.network && tags[mapping.network]) || "mainnet",
    role: "full",
    clients,
  };
}

function machineFor(
  provider: ProviderKind,
  c: Context,
  region: string | undefined,
  shape: string | undefined,
  tags: Record<string, string>,
  mapping?: TagMapping,
): Machine {
  const r = c.resource;
  const file = c.catalog.providers.get(provider as CatalogProvider);
  const known = file?.shapes.find((s) => s.id === shape);
  const operator =
    file?.operator.id ?? tags[TAG_KEYS.operator] ?? (mapping?.operator && tags[mapping.operator]) ?? "unknown";
  const jurisdiction =
    file?.operator.headquarters ??
    tags[TAG_KEYS.jurisdiction] ??
    c.catalog.operators.get(operator)?.headquarters ??
    "unknown";
  return {
    urn: r.urn,
    name: r.name,
    type: r.type,
    provider,
    region: region ?? tags[TAG_KEYS.region],
    operator,
    jurisdiction,
    ...legalReach(c.catalog, operatorHome(c.catalog, operator)),
    shape,
    vcpu: known?.vcpu,
    memoryGb: known?.memoryGb,
    tags,
    served: served(tags, r.name, mapping),
  };
}

/**
 * A machine's legal reach from its operator's legal home in the catalog. A bare-metal or Akash
 * machine whose operator the catalog does not know counts as within every regime's reach: a
 * `sovereign:jurisdiction` tag may be a host's country, not its operator's legal home.
 */
function legalReach(catalog: Catalog, home: string | undefined) {
  const legal = regimesReaching(catalog, home);
  return { legal, cloudAct: legal.includes(CLOUD_ACT) };
}

/** "-1" / "all" / "*" -> all; "6" -> tcp; "17" -> udp. */
function protocolOf(v: unknown): string {
  const p = String(v ?? "all").toLowerCase();
  return own({ "-1": "all", "*": "all", "6": "tcp", "17": "udp", "1": "icmp" }, p) ?? p;
}

/** "22", "8000-9000", "*" -> ranges ("*" or absent = every port). */
function portRanges(values: unknown[]): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const v of values) {
    const s = String(v).trim();
    if (s === "*" || s === "") return [];
    const [a, b] = s.split("-").map(Number);
    if (Number.isFinite(a)) out.push([a, Number.isFinite(b) ? b : a]);
  }
  return out;
}

/** The kit a provider's reader gets for one resource of that provider. */
function readerKit(c: Context, provider: ProviderFacts, mapping?: TagMapping): ReaderKit {
  const r = c.resource;
  const id = provider.id as ProviderKind;
  const kit: ReaderKit = {
    get,
    str,
    qty,
    num,
    list,
    record,
    lastSegment,
    protocolOf,
    portRanges,
    fromLabels: fromGcpLabels,
    tags: () => tagsOf(provider, r.props, kit),
    disk: ({ suffix, ...rest }, tags = kit.tags()) => ({
      urn: r.urn,
      name: r.name + (suffix ?? ""),
      type: r.type,
      provider: id,
      region: region(),
      tags,
      ...rest,
    }),
    ip: (tags = kit.tags()) => ({ urn: r.urn, name: r.name, type: r.type, provider: id, region: region(), tags }),
    machine: (shape, tags = kit.tags()) => machineFor(id, c, region(), shape, tags, mapping),
    ingress: (fields) => ({ urn: r.urn, name: r.name, type: r.type, ...fields }),
  };
  const region = () => provider.regionOf?.(r.props, r.providerProps ?? {}, c.config, kit);
  return kit;
}

/** Every resource type some provider reads. */
export const KNOWN_TYPES: readonly string[] = PROVIDERS.flatMap((p) => Object.keys(p.resources));

/**
 * Nodes outside the clouds' instance types: a resource whose tags (or, for a command resource, its
 * environment) carry `sovereign:node` with provider `baremetal` or `akash`. The bare-metal host
 * component writes one such resource per node; an Akash deployment carries its tags the same way.
 */
function taggedNode(c: Context, mapping?: TagMapping): Machine | undefined {
  const p = c.resource.props;
  const tags = { ...record(get(p, "tags")), ...record(get(p, "environment")) };
  const provider = providerFacts(tags[TAG_KEYS.provider] ?? "");
  if (!tags[TAG_KEYS.node] || !provider || provider.kind === "cloud") return undefined;
  const machine = machineFor(provider.id as ProviderKind, c, undefined, str(tags[`${TAG_PREFIX}shape`]), tags, mapping);
  return { ...machine, monthlyUsd: qty(tags[`${TAG_PREFIX}monthlyUsd`]) };
}

/** Reads every resource. Component resources are skipped (their children are the real ones). */
export function readResources(stack: StackResources, catalog: Catalog, mapping?: TagMapping): ReadResult {
  const out: ReadResult = { machines: [], disks: [], publicIps: [], ingress: [], others: [], warnings: [] };
  for (const resource of stack.resources) {
    if (!resource.custom || resource.type.startsWith("pulumi:providers:")) continue;
    const c: Context = { resource, config: stack.config, catalog };
    const reader = readerOf(resource.type);
    if (reader) {
      const found = reader.read(resource.props, readerKit(c, reader.provider, mapping));
      out.machines.push(...(found.machines ?? []));
      out.disks.push(...(found.disks ?? []));
      out.publicIps.push(...(found.publicIps ?? []));
      out.ingress.push(...(found.ingress ?? []));
      // Rules and other resources that bill nothing by themselves stay listed.
      if (!found.machines?.length && !found.disks?.length && !found.publicIps?.length) out.others.push(resource);
      continue;
    }
    const node = taggedNode(c, mapping);
    if (node) out.machines.push(node);
    else out.others.push(resource);
  }
  for (const item of [...out.machines, ...out.disks, ...out.publicIps]) {
    if (!item.region && providerFacts(item.provider)?.kind === "cloud") {
      out.warnings.push(
        `${item.name} (${item.type}): no region found on the resource, its provider or the stack config`,
      );
    }
  }
  return out;
}

/** Provider of a resource type token, for messages about resources the reader does not model. */
export function providerOfType(type: string): string {
  return type.split(":")[0];
}
