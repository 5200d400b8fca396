import type { Catalog } from "../catalog/load";
import { profileForClients } from "../catalog/profile";
import { supportedClients, unsupportedMessage } from "../catalog/support";
import { cloudSiteLabels, hostNameProblem } from "../layout/node-labels";
import { CLOUD_ACT, isKnownHome, regimesReaching } from "../catalog/legal";
import { CLOUD_PROVIDERS, type Profile, type SITE_PROVIDERS } from "../catalog/schema";
import { canonicalAddress } from "../address";
import { quote, SpecError, type InputProblem } from "../errors";
import { own } from "../own";
import { resolveGateways, type AccessLayer, type GatewayDemand } from "./resolve-gateways";
import { resolveMonitors, type MonitorLayer } from "./resolve-monitors";
import type { BareMetalHost, FleetSpec } from "./schema";
import { didYouMean } from "./suggest";
import { present } from "../present";
import { SSH_DEFAULTS } from "../layout/ssh";

export type SiteProvider = (typeof SITE_PROVIDERS)[number];

/** A place a node can go: a cloud region, the Akash network, or one bare-metal host. */
export interface Site {
  /** `aws/us-east-1`, `akash`, `baremetal/fra-1`. */
  id: string;
  provider: SiteProvider;
  /** The company that can switch the node off. */
  operator: string;
  /** Failure domain for region caps and region outages. */
  region: string;
  country: string;
  /** Legal home of the operator. */
  jurisdiction: string;
  /**
   * Ids of the legal regimes (catalog/jurisdictions.yaml) within whose reach the operator is: by its
   * known legal home, else every regime but those the spec puts it outside (`outsideReach`).
   */
  legal: string[];
  /** Within the US CLOUD Act's reach: `legal` includes cloudAct. */
  cloudAct: boolean;
  /** Cap on nodes at this provider (spec `sites.<provider>.maxNodes`), shared by its sites. */
  providerMaxNodes?: number;
  host?: BareMetalHost;
}

/** One chain entry of the spec, with the catalog's facts filled in. */
export interface NodeGroup {
  index: number;
  chain: string;
  network: string;
  role: string;
  count: number;
  /** `chain/network`: shares and survival are counted per chain key. */
  chainKey: string;
  profile: Profile;
  /** Allowed client ids per layer, in catalog order. */
  clients: Record<string, string[]>;
  /** P2P ports (`30303/tcp`) any allowed client may listen on: nodes whose sets meet cannot share a host. */
  p2pPorts: string[];
  /** Set on the access layer's and the monitors' groups only: these are RPC gateways or monitors, not chain nodes. */
  gateway?: GatewayDemand;
  /**
   * Gateways serve this chain: a node outside the overlay (Akash) gets an mTLS terminator beside it,
   * which its price includes. @default false
   */
  behindGateways?: boolean;
}

export interface Fleet {
  spec: FleetSpec;
  /** The chains' groups (never gateways: the planner adds those itself, core/planner/gateways.ts). */
  groups: NodeGroup[];
  sites: Site[];
  /** The spec's `gateways`, resolved; absent without that section. */
  access?: AccessLayer;
  /** The spec's `monitoring`, resolved; absent without that section. */
  monitoring?: MonitorLayer;
}

/** Checks every name in the spec against the catalog and resolves sites and groups. */
export function resolveFleet(spec: FleetSpec, catalog: Catalog, file?: string, now: Date = new Date()): Fleet {
  const problems: InputProblem[] = [];
  const groups = spec.chains.flatMap((entry, index): NodeGroup[] => {
    const at = `chains[${index}]`;
    const chain = catalog.chains.get(entry.chain);
    if (!chain) {
      problems.push({
        path: `${at}.chain`,
        message: `unknown chain ${quote(entry.chain)}${didYouMean(entry.chain, catalog.chains.keys())} (known: ${[...catalog.chains.keys()].join(", ")})`,
      });
      return [];
    }
    const network = entry.network ?? chain.networks[0];
    if (!chain.networks.includes(network)) {
      problems.push({
        path: `${at}.network`,
        message: `${chain.id} has no network ${quote(network)} (known: ${chain.networks.join(", ")})`,
      });
    }
    const profile = own(chain.roles, entry.role);
    if (!profile) {
      problems.push({
        path: `${at}.role`,
        message: `${chain.id} has no role ${quote(entry.role)} (known: ${Object.keys(chain.roles).join(", ")})`,
      });
    }
    // Clients upstream no longer supports on this chain are never placed (catalog/clients.yaml: support).
    const supported = (layer: string) => supportedClients(catalog, chain.id, chain.clients[layer], now);
    const clients: Record<string, string[]> = {};
    for (const layer of chain.layers) clients[layer] = supported(layer);
    for (const [layer, ids] of Object.entries(entry.clients ?? {})) {
      if (!chain.layers.includes(layer)) {
        problems.push({
          path: `${at}.clients.${layer}`,
          message: `${chain.id} has no client layer ${quote(layer)}${didYouMean(layer, chain.layers)} (layers: ${chain.layers.join(", ")})`,
        });
        continue;
      }
      ids.forEach((id, i) => {
        const retired = chain.clients[layer].includes(id) && !supported(layer).includes(id);
        if (retired)
          problems.push({ path: `${at}.clients.${layer}[${i}]`, message: unsupportedMessage(catalog, id, chain.id) });
        else if (!chain.clients[layer].includes(id)) {
          problems.push({
            path: `${at}.clients.${layer}[${i}]`,
            message: `${quote(id)} is not a ${layer} client of ${chain.id}${didYouMean(id, chain.clients[layer])} (known: ${chain.clients[layer].join(", ")})`,
          });
        }
      });
      if (new Set(ids).size !== ids.length)
        problems.push({ path: `${at}.clients.${layer}`, message: "a client is listed twice" });
      clients[layer] = supported(layer).filter((id) => ids.includes(id));
    }
    if (!profile) return [];
    const p2pPorts = [
      ...new Set(
        Object.values(clients)
          .flat()
          .flatMap((id) =>
            (catalog.clients.get(id)?.ports ?? [])
              .filter((p) => p.exposure === "public")
              .map((p) => `${p.port}/${p.protocol}`),
          ),
      ),
    ].sort();
    return [
      {
        index,
        chain: chain.id,
        network,
        role: entry.role,
        count: entry.count,
        chainKey: `${chain.id}/${network}`,
        profile: profileForClients(profile, clients),
        clients,
        p2pPorts,
      },
    ];
  });

  const sites = resolveSites(spec, catalog, problems);
  checkLegalCaps(spec, catalog, problems);
  const survive = spec.policy.survive;
  if (survive && survive.operatorLoss === 0 && survive.regionLoss === 0) {
    problems.push({ path: "policy.survive", message: "set operatorLoss: 1 and/or regionLoss: 1, or remove survive" });
  }
  const access = resolveGateways(spec, catalog, groups, sites, problems);
  const monitoring = resolveMonitors(spec, catalog, sites, problems);
  if (problems.length) throw new SpecError(problems, file);
  const served = new Set(access?.groups.flatMap((g) => g.gateway.chains) ?? []);
  const chainGroups = groups.map((g) => (served.has(g.chainKey) ? { ...g, behindGateways: true } : g));
  return { spec, groups: chainGroups, sites, ...(access ? { access } : {}), ...(monitoring ? { monitoring } : {}) };
}

function resolveSites(spec: FleetSpec, catalog: Catalog, problems: InputProblem[]): Site[] {
  const sites: Site[] = [];
  for (const providerId of CLOUD_PROVIDERS) {
    const site = spec.sites[providerId];
    if (!site) continue;
    const provider = present(catalog.providers.get(providerId), `provider ${providerId} in the catalog`);
    const seen = new Set<string>();
    site.regions.forEach((regionId, i) => {
      const path = `sites.${providerId}.regions[${i}]`;
      const region = provider.regions.find((r) => r.id === regionId);
      if (!region) {
        const owner = catalog.regionProvider.get(regionId);
        problems.push({
          path,
          message: owner
            ? `${quote(regionId)} is a ${owner} region; move it under sites.${owner}.regions`
            : `unknown ${providerId} region ${quote(regionId)}${didYouMean(
                regionId,
                provider.regions.map((r) => r.id),
              )} (catalog has: ${provider.regions.map((r) => r.id).join(", ")})`,
        });
        return;
      }
      if (seen.has(regionId)) {
        problems.push({ path, message: `region ${quote(regionId)} is listed twice` });
        return;
      }
      seen.add(regionId);
      sites.push({
        id: `${providerId}/${regionId}`,
        provider: providerId,
        operator: provider.operator.id,
        region: regionId,
        country: region.country,
        jurisdiction: provider.operator.headquarters,
        ...reach(catalog, provider.operator.headquarters),
        providerMaxNodes: site.maxNodes,
      });
    });
  }
  if (spec.sites.akash) {
    const akash = present(catalog.providers.get("akash"), "provider akash in the catalog");
    sites.push({
      id: "akash",
      provider: "akash",
      operator: akash.operator.id,
      region: akash.regions[0].id,
      country: akash.regions[0].country,
      jurisdiction: akash.operator.headquarters,
      ...reach(
        catalog,
        akash.operator.headquarters,
        outsideReach(catalog, akash.operator.headquarters, spec.sites.akash.outsideReach, "sites.akash", problems),
      ),
      providerMaxNodes: spec.sites.akash.maxNodes,
    });
  }
  const names = new Set<string>();
  const addresses = new Set<string>();
  // Operators that rent out hosts too (catalog/operators.yaml: Hetzner has dedicated servers and a cloud) may own one.
  const cloudOperators = new Set(
    [...catalog.providers.values()].map((p) => p.operator.id).filter((id) => !catalog.operators.has(id)),
  );
  const cloudLabels = cloudSiteLabels(catalog);
  spec.sites.baremetal?.hosts.forEach((host, i) => {
    const path = `sites.baremetal.hosts[${i}]`;
    if (names.has(host.name))
      problems.push({
        path: `${path}.name`,
        message: `host name '${host.name}' is used twice; host names must be unique`,
      });
    const nameProblem = hostNameProblem(host.name, cloudLabels);
    if (nameProblem) problems.push({ path: `${path}.name`, message: nameProblem });
    // One box is one operator's, however its address is spelt (case, IPv6 forms, a trailing dot).
    const address = `${canonicalAddress(host.address)}:${host.ssh?.port ?? SSH_DEFAULTS.port}`;
    if (addresses.has(address))
      problems.push({ path: `${path}.address`, message: `address ${host.address} is used by another host` });
    if (cloudOperators.has(host.operator)) {
      problems.push({
        path: `${path}.operator`,
        message: `'${host.operator}' is a cloud provider; a bare-metal host's operator is the company renting it out (e.g. hetzner) — put cloud regions under sites.${host.operator}`,
      });
    }
    names.add(host.name);
    addresses.add(address);
    const home = host.jurisdiction ?? catalog.operators.get(host.operator)?.headquarters;
    const jurisdiction = home ?? host.country;
    sites.push({
      id: `baremetal/${host.name}`,
      provider: "baremetal",
      operator: host.operator,
      region: host.region ?? host.country.toLowerCase(),
      country: host.country,
      jurisdiction,
      ...reach(catalog, home, outsideReach(catalog, home, host.outsideReach, path, problems)),
      host,
    });
  });
  return sites;
}

/** A site's legal reach fields from its operator's legal home (undefined: unknown). */
function reach(catalog: Catalog, home: string | undefined, outside: readonly string[] = []) {
  const legal = regimesReaching(catalog, home, outside);
  return { legal, cloudAct: legal.includes(CLOUD_ACT) };
}

/**
 * The spec's `outsideReach` of a site: every id a regime of the catalog, and none contradicting a
 * legal home the catalog knows (a US operator is within the CLOUD Act's reach whatever the spec says).
 */
function outsideReach(
  catalog: Catalog,
  home: string | undefined,
  ids: readonly string[] | undefined,
  at: string,
  problems: InputProblem[],
): string[] {
  (ids ?? []).forEach((id, i) => {
    const path = `${at}.outsideReach[${i}]`;
    if (!catalog.regimes.has(id)) problems.push({ path, message: unknownRegime(catalog, id) });
    else if (isKnownHome(catalog, home) && present(catalog.regimes.get(id), `regime ${id}`).reaches.includes(home))
      problems.push({
        path,
        message: `the operator's legal home is ${home}, which ${id} reaches (catalog/jurisdictions.yaml); remove ${quote(id)}`,
      });
  });
  return [...(ids ?? [])];
}

/** `policy.maxShare.legal` names regimes of the catalog. */
function checkLegalCaps(spec: FleetSpec, catalog: Catalog, problems: InputProblem[]): void {
  for (const id of Object.keys(spec.policy.maxShare?.legal ?? {})) {
    if (!catalog.regimes.has(id))
      problems.push({ path: `policy.maxShare.legal.${id}`, message: unknownRegime(catalog, id) });
  }
}

function unknownRegime(catalog: Catalog, id: string): string {
  const known = [...catalog.regimes.keys()];
  return `unknown legal regime ${quote(id)}${didYouMean(id, known)} (catalog/jurisdictions.yaml has: ${known.join(", ")})`;
}
