/**
 * The providers, one line each: everything one provider is to the pure core lives in its folder
 * (core/providers/<id>/), and everything else (spec sites, the catalog's provider files, resolve,
 * compare, the resource reader, resource prices, the policy pack's fixes) derives from this list.
 * The Pulumi side registers the same ids in components/index.ts; test/providers.test.ts fails
 * when a provider lacks one of its parts.
 */
import { akash } from "./akash";
import { aws } from "./aws";
import { azure } from "./azure";
import { baremetal } from "./baremetal";
import { gcp } from "./gcp";
import { hetzner } from "./hetzner";
import type { ProviderFacts, ResourceReader } from "./types";

export const PROVIDERS = [aws, gcp, azure, akash, baremetal, hetzner] as const;

type Provider = (typeof PROVIDERS)[number];
export type SiteProviderId = Provider["id"];
export type CatalogProviderId = Extract<Provider, { kind: "cloud" | "market" }>["id"];
export type CloudProviderId = Extract<Provider, { kind: "cloud" }>["id"];

const idsOf = <T extends string>(kinds: ReadonlyArray<ProviderFacts["kind"]>) =>
  PROVIDERS.filter((p) => kinds.includes(p.kind)).map((p) => p.id) as unknown as readonly [T, ...T[]];

/** Providers with a catalog file (catalog/providers/<id>.yaml): clouds and marketplaces. */
export const CATALOG_PROVIDER_IDS = idsOf<CatalogProviderId>(["cloud", "market"]);
/** The clouds: sites are regions (`sites.<cloud>.regions`). */
export const CLOUD_PROVIDER_IDS = idsOf<CloudProviderId>(["cloud"]);
/** Every provider a planned node can have. */
export const SITE_PROVIDER_IDS = idsOf<SiteProviderId>(["cloud", "market", "hosts"]);

const byId = new Map<string, ProviderFacts>(PROVIDERS.map((p) => [p.id, p]));

/** A provider's facts, or undefined for an id no folder registers. */
export function providerFacts(id: string): ProviderFacts | undefined {
  return byId.get(id);
}

const readers = new Map<string, { provider: ProviderFacts; read: ResourceReader }>(
  PROVIDERS.flatMap((provider) =>
    Object.entries(provider.resources as Record<string, ResourceReader>).map(
      ([type, read]) => [type, { provider, read }] as const,
    ),
  ),
);

/** The provider that reads a resource type, and its reader. */
export function readerOf(type: string): { provider: ProviderFacts; read: ResourceReader } | undefined {
  return readers.get(type);
}

/** Resource types some provider lists as billing nothing by themselves. */
export const FREE_PROVIDER_TYPES: ReadonlySet<string> = new Set(PROVIDERS.flatMap((p) => p.freeTypes));

export type * from "./types";
