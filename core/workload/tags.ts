/**
 * The tag scheme every Sovereign resource carries, in one place: the Pulumi components write it,
 * the CrossGuard policy pack reads it back (import this module; it has no Pulumi imports).
 *
 * AWS tags and Azure tags use the keys as they are (`sovereign:fleet`). GCP labels allow only
 * lower-case letters, digits, `_` and `-` (keys start with a letter, at most 63 characters), so on
 * GCP every key and value goes through {@link toGcpLabels}: `sovereign:fleet` -> `sovereign-fleet`,
 * values lower-cased with other characters replaced by `_` (`US` -> `us`). {@link fromGcpLabels}
 * turns them back (jurisdictions are upper-cased again). GCP firewall rules cannot carry labels;
 * they are tied to their node by the instance network tag and their description.
 */

export const TAG_PREFIX = "sovereign:";

/** Every key Sovereign writes. Client keys depend on the chain's layers, see {@link clientTagKey}. */
export const TAG_KEYS = {
  fleet: "sovereign:fleet",
  node: "sovereign:node",
  chain: "sovereign:chain",
  network: "sovereign:network",
  role: "sovereign:role",
  /** Client of a single-layer chain (layer `node`): bitcoind, nitro, anvil... */
  client: "sovereign:client",
  operator: "sovereign:operator",
  provider: "sovereign:provider",
  region: "sovereign:region",
  jurisdiction: "sovereign:jurisdiction",
} as const;
export type TagKey = (typeof TAG_KEYS)[keyof typeof TAG_KEYS];

/** Keys on every resource of a fleet, shared scaffolding (VPCs, resource groups) included. */
export const FLEET_TAG_KEYS: readonly string[] = [
  TAG_KEYS.fleet,
  TAG_KEYS.provider,
  TAG_KEYS.operator,
  TAG_KEYS.region,
  TAG_KEYS.jurisdiction,
];
/** Keys on every resource that belongs to one node (plus one client key per layer). */
export const NODE_TAG_KEYS: readonly string[] = [
  TAG_KEYS.fleet,
  TAG_KEYS.node,
  TAG_KEYS.chain,
  TAG_KEYS.network,
  TAG_KEYS.role,
  TAG_KEYS.operator,
  TAG_KEYS.provider,
  TAG_KEYS.region,
  TAG_KEYS.jurisdiction,
];

/** `sovereign:client` for the single `node` layer, `sovereign:<layer>` otherwise (`sovereign:execution`). */
export function clientTagKey(layer: string): string {
  return layer === "node" ? TAG_KEYS.client : `${TAG_PREFIX}${layer}`;
}

/** Layer of a client tag key, or undefined when the key is not a client key. */
export function layerOfTagKey(key: string): string | undefined {
  if (key === TAG_KEYS.client) return "node";
  if (!key.startsWith(TAG_PREFIX)) return undefined;
  const rest = key.slice(TAG_PREFIX.length);
  return (Object.keys(TAG_KEYS) as string[]).includes(rest) ? undefined : rest;
}

/** What the tags describe about a node (a PlannedNode fits). */
export interface TaggedNode {
  id: string;
  chain: string;
  network: string;
  role: string;
  provider: string;
  operator: string;
  region: string;
  jurisdiction: string;
  clients: Record<string, string>;
}

export interface FleetScope {
  fleet: string;
  provider: string;
  operator: string;
  region: string;
  jurisdiction: string;
}

/** Tags of shared scaffolding (networks, resource groups): the fleet and where it stands. */
export function fleetTags(scope: FleetScope): Record<string, string> {
  return {
    [TAG_KEYS.fleet]: scope.fleet,
    [TAG_KEYS.provider]: scope.provider,
    [TAG_KEYS.operator]: scope.operator,
    [TAG_KEYS.region]: scope.region,
    [TAG_KEYS.jurisdiction]: scope.jurisdiction,
  };
}

/** Tags of every resource of one node. */
export function nodeTags(fleet: string, node: TaggedNode): Record<string, string> {
  const tags: Record<string, string> = {
    [TAG_KEYS.fleet]: fleet,
    [TAG_KEYS.node]: node.id,
    [TAG_KEYS.chain]: node.chain,
    [TAG_KEYS.network]: node.network,
    [TAG_KEYS.role]: node.role,
    [TAG_KEYS.operator]: node.operator,
    [TAG_KEYS.provider]: node.provider,
    [TAG_KEYS.region]: node.region,
    [TAG_KEYS.jurisdiction]: node.jurisdiction,
  };
  for (const [layer, client] of Object.entries(node.clients)) tags[clientTagKey(layer)] = client;
  return tags;
}

/** Reads a node back from its tags (AWS/Azure form; pass GCP labels through {@link fromGcpLabels} first). */
export function nodeFromTags(tags: Record<string, string | undefined>): TaggedNode | undefined {
  const get = (k: string) => tags[k];
  const id = get(TAG_KEYS.node);
  if (!id) return undefined;
  const clients: Record<string, string> = {};
  for (const [key, value] of Object.entries(tags)) {
    const layer = layerOfTagKey(key);
    if (layer && value) clients[layer] = value;
  }
  return {
    id,
    clients,
    chain: get(TAG_KEYS.chain) ?? "",
    network: get(TAG_KEYS.network) ?? "",
    role: get(TAG_KEYS.role) ?? "",
    provider: get(TAG_KEYS.provider) ?? "",
    operator: get(TAG_KEYS.operator) ?? "",
    region: get(TAG_KEYS.region) ?? "",
    jurisdiction: get(TAG_KEYS.jurisdiction) ?? "",
  };
}

const GCP_MAX = 63;

/** `sovereign:fleet` -> `sovereign-fleet`; any other character outside [a-z0-9_-] -> `_`. */
export function gcpLabelKey(key: string): string {
  const mapped = key
    .toLowerCase()
    .replace(/:/g, "-")
    .replace(/[^a-z0-9_-]/g, "_")
    .slice(0, GCP_MAX);
  return /^[a-z]/.test(mapped) ? mapped : `k${mapped}`.slice(0, GCP_MAX);
}

/** Lower case; characters outside [a-z0-9_-] -> `_`; at most 63 characters. */
export function gcpLabelValue(value: string): string {
  return value
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, "_")
    .slice(0, GCP_MAX);
}

export function toGcpLabels(tags: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(tags).map(([k, v]) => [gcpLabelKey(k), gcpLabelValue(v)]));
}

/** GCP labels back to tag form: `sovereign-fleet` -> `sovereign:fleet`; jurisdictions upper-cased. */
export function fromGcpLabels(labels: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels)) {
    if (!k.startsWith("sovereign-")) {
      out[k] = v;
      continue;
    }
    const key = `${TAG_PREFIX}${k.slice("sovereign-".length)}`;
    out[key] = key === TAG_KEYS.jurisdiction ? v.toUpperCase() : v;
  }
  return out;
}
