/**
 * The spec's `gateways` section resolved into demand groups the planner places like nodes: one
 * group serving every chain (`count`) or one per chain (`perChain`), each with its machine profile,
 * its allowed sites and the access layer's rules.
 */
import type { Catalog } from "../catalog/load";
import { HOURS_PER_MONTH, OUTSIDE_OVERLAY, type Profile } from "../catalog/schema";
import { quote, type InputProblem } from "../errors";
import type { Policy } from "../diversity/policy";
import { own } from "../own";
import type { GatewaysIntegrity } from "./gateways";
import type { FleetSpec } from "./schema";
import type { NodeGroup, Site } from "./resolve";
import { didYouMean } from "./suggest";
import { present } from "../present";

/** Seconds in the month prices are quoted for. */
const SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600;
/** The public HTTPS port of a gateway: one gateway per host, as for nodes whose public ports meet. */
export const GATEWAY_PUBLIC_PORT = "443/tcp";

/** What makes a demand group a group of gateways rather than chain nodes. */
export interface GatewayDemand {
  /**
   * What the machines are: RPC gateways, or the fleet's monitors (core/fleet-spec/resolve-monitors.ts),
   * placed by the same rules and split apart into Plan.gateways and Plan.monitors.
   */
  kind: "gateway" | "monitor";
  /** Chain keys whose nodes are the upstreams (none for monitors: they watch every chain). */
  chains: string[];
  /** Spec field that sets the count, for messages: `gateways.count`, `gateways.perChain.ethereum/mainnet`. */
  path: string;
  /** Whose gateways these are, for messages: `the fleet's`, `ethereum/mainnet's`. */
  owner: string;
  /** Scope of their policy checks: `fleet` (they serve every chain) or the chain key. */
  scope: string;
  /** Label inside gateway ids: "" for gateways of every chain, else the chain (`ethereum`, `ethereum-sepolia`). */
  label: string;
  /** Site ids allowed. */
  sites: string[];
  /** The access layer's rules for this group (see accessPolicy). */
  policy: Policy;
}

export interface AccessLayer {
  /** Demand groups, after the chains' groups; `gateway` is set on each. */
  groups: Array<NodeGroup & { gateway: GatewayDemand }>;
  maxLagBlocks: number;
  minSurviving: number;
  /** The spec's `gateways.integrity`, when set. */
  integrity?: GatewaysIntegrity;
  /** Site ids whose nodes are backup upstreams. */
  backupSites: string[];
  /** The load assumed per chain to price egress. */
  traffic: { requestsPerSecond: number; responseKb: number; estimate: boolean; source: string };
}

/**
 * The rules gateways are placed under: the policy's operator, region, jurisdiction and legal caps, and
 * whatever the policy says, at least two operators (or the policy's minOperators if higher) and
 * `minSurviving` gateways left after losing any one operator or any one region. `floors` is only
 * lowered by `compare` for its single-cloud baselines, which have one operator by definition.
 */
export function accessPolicy(
  policy: Policy,
  minSurviving: number,
  floors: "all" | "region" | "none" = "all",
  minOperators = 2,
): Policy {
  const caps = Object.fromEntries(
    (["operator", "region", "jurisdiction", "legal"] as const).flatMap((d) =>
      policy.maxShare?.[d] === undefined ? [] : [[d, policy.maxShare[d]]],
    ),
  );
  return {
    ...(Object.keys(caps).length ? { maxShare: caps } : {}),
    // gateways.minOperators, not policy.minOperators: the nodes' floor (often 3) refused two gateways.
    ...(floors === "all" ? { minOperators: Math.max(2, minOperators) } : {}),
    ...(floors === "none"
      ? {}
      : { survive: { operatorLoss: floors === "all" ? 1 : 0, regionLoss: 1, minNodes: minSurviving } }),
  };
}

/** The spec's `gateways` section. */
type GatewaysSpec = NonNullable<FleetSpec["gateways"]>;
/** A gateway group before its sites and policy, which every group shares. */
type Demand = Omit<GatewayDemand, "kind" | "sites" | "policy"> & { count: number };

/** Resolves `spec.gateways` against the chains and sites already resolved; problems name the field. */
export function resolveGateways(
  spec: FleetSpec,
  catalog: Catalog,
  chains: NodeGroup[],
  sites: Site[],
  problems: InputProblem[],
): AccessLayer | undefined {
  const g = spec.gateways;
  if (!g) return undefined;
  const size = gatewaySize(g, catalog, problems);
  const allowed = overlaySites(g.sites, "gateways", sites, problems);
  const backupSites = g.backup ? siteRefs(g.backup, "gateways.backup", sites, problems) : [];
  const chainKeys = [...new Set(chains.map((c) => c.chainKey))];
  const traffic = assumedTraffic(g, catalog);
  const integrity = g.integrity && integrityByChainKey(g.integrity, chainKeys, problems);
  const demands = gatewayDemands(g, catalog, chains, chainKeys, problems);
  const vcpu = g.vcpu ?? size?.vcpu;
  const memoryGb = g.memoryGb ?? size?.memoryGb;
  if (vcpu === undefined || memoryGb === undefined) return undefined;

  const policy = accessPolicy(spec.policy, g.minSurviving, "all", g.minOperators);
  const groups = demands.map((d, k): AccessLayer["groups"][number] => ({
    index: spec.chains.length + k,
    chain: "gateway",
    network: "",
    role: "gateway",
    count: d.count,
    chainKey: d.label ? `gateways:${d.chains[0]}` : "gateways",
    profile: gatewayProfile(d, { vcpu, memoryGb }, size && { name: g.size, ...size }, traffic, catalog),
    clients: {},
    p2pPorts: [GATEWAY_PUBLIC_PORT],
    gateway: {
      kind: "gateway",
      chains: d.chains,
      path: d.path,
      owner: d.owner,
      scope: d.scope,
      label: d.label,
      sites: allowed,
      policy,
    },
  }));
  return {
    groups,
    maxLagBlocks: g.maxLagBlocks,
    minSurviving: g.minSurviving,
    ...(integrity ? { integrity } : {}),
    backupSites,
    traffic,
  };
}

/** The catalog's gateway size the spec names; an unknown one is a problem that says how to fix it. */
function gatewaySize(g: GatewaysSpec, catalog: Catalog, problems: InputProblem[]) {
  const size = own(catalog.gateways.sizes, g.size);
  if (!size) {
    const known = Object.keys(catalog.gateways.sizes);
    const custom = g.vcpu !== undefined && g.memoryGb !== undefined;
    problems.push({
      path: "gateways.size",
      message: `unknown gateway size ${quote(g.size)}${didYouMean(g.size, known)} (known: ${known.join(", ")})${custom ? "; with vcpu and memoryGb given, leave size out" : "; or give vcpu and memoryGb"}`,
    });
  }
  return size;
}

/** The load assumed per chain (the spec's `gateways.traffic`, else the catalog's) and where it comes from. */
function assumedTraffic(g: GatewaysSpec, catalog: Catalog): AccessLayer["traffic"] {
  const requestsPerSecond = g.traffic?.requestsPerSecond ?? catalog.gateways.traffic.requestsPerSecond;
  const responseKb = g.traffic?.responseKb ?? catalog.gateways.traffic.responseKb;
  const fromCatalog = g.traffic?.requestsPerSecond === undefined || g.traffic?.responseKb === undefined;
  const assumption = `${requestsPerSecond} requests/s per chain at ${responseKb} KB per response`;
  const source = fromCatalog
    ? `${assumption}: ${catalog.gateways.traffic.source}`
    : `${assumption}, from the spec (gateways.traffic)`;
  return { requestsPerSecond, responseKb, estimate: true, source };
}

/** integrity.perChain keyed like perChain (`chain` alone when the fleet runs it on one network). */
function integrityByChainKey(
  integrity: NonNullable<GatewaysSpec["integrity"]>,
  chainKeys: string[],
  problems: InputProblem[],
) {
  return {
    ...integrity,
    perChain: Object.fromEntries(
      Object.entries(integrity.perChain ?? {}).flatMap(([key, v]) => {
        const chainKey = chainKeyOf(key, chainKeys, `gateways.integrity.perChain.${key}`, problems);
        return chainKey ? [[chainKey, v]] : [];
      }),
    ),
  };
}

/** One group serving every chain (`count`), then one per chain (`perChain`), each listed once. */
function gatewayDemands(
  g: GatewaysSpec,
  catalog: Catalog,
  chains: NodeGroup[],
  chainKeys: string[],
  problems: InputProblem[],
): Demand[] {
  const demands: Demand[] = [];
  if (g.count !== undefined) {
    demands.push({
      chains: chainKeys,
      count: g.count,
      path: "gateways.count",
      owner: "the fleet's",
      scope: "fleet",
      label: "",
    });
  }
  const perChainKeys = new Set<string>();
  for (const [key, count] of Object.entries(g.perChain ?? {})) {
    const chainKey = chainKeyOf(key, chainKeys, `gateways.perChain.${key}`, problems);
    if (!chainKey) continue;
    if (perChainKeys.has(chainKey)) {
      problems.push({ path: `gateways.perChain.${key}`, message: `${chainKey} is listed twice` });
      continue;
    }
    perChainKeys.add(chainKey);
    const group = present(
      chains.find((c) => c.chainKey === chainKey),
      `chain group ${chainKey}`,
    );
    const first = catalog.chains.get(group.chain)?.networks[0] === group.network;
    const label = first ? group.chain : `${group.chain}-${group.network}`;
    demands.push({
      chains: [chainKey],
      count,
      path: `gateways.perChain.${key}`,
      owner: `${chainKey}'s`,
      scope: chainKey,
      label,
    });
  }
  return demands;
}

/** The machine one gateway of a group needs: its size, and its share of the group's egress. */
function gatewayProfile(
  d: Demand,
  machine: { vcpu: number; memoryGb: number },
  size: (NonNullable<ReturnType<typeof gatewaySize>> & { name: string }) | undefined,
  traffic: AccessLayer["traffic"],
  catalog: Catalog,
): Profile {
  const requests = d.chains.length * traffic.requestsPerSecond;
  // Clients spread requests over the endpoints, so each gateway carries an equal share.
  const egressGbMonth = round((requests * traffic.responseKb * SECONDS_PER_MONTH) / 1e6 / d.count);
  return {
    ...machine,
    diskGb: size?.diskGb ?? 20,
    iops: 0,
    throughputMBps: 0,
    localNvme: "none",
    egressGbMonth,
    egressSource: { source: traffic.source, asOf: catalog.gateways.traffic.asOf, estimate: true },
    source: size ? `gateway size ${size.name}: ${size.source}` : "gateway vcpu and memoryGb from the spec",
    asOf: size?.asOf ?? catalog.gateways.traffic.asOf,
    estimate: size?.estimate,
  };
}

const round = (x: number) => Math.round(x * 100) / 100;

/**
 * The site ids a section's `sites` allows (every site without it), inside the overlay only: a
 * gateway or monitor must reach every node, and one on a site outside the overlay (an Akash lease,
 * no WireGuard) could not reach the nodes in it, so such sites never hold one.
 */
export function overlaySites(
  refs: readonly string[] | undefined,
  section: "gateways" | "monitoring",
  sites: Site[],
  problems: InputProblem[],
): string[] {
  const inOverlay = new Set(sites.filter((s) => !OUTSIDE_OVERLAY.has(s.provider)).map((s) => s.id));
  const what = section === "gateways" ? "a gateway: gateways reach" : "a monitor: monitors scrape";
  refs?.forEach((ref, i) => {
    const matched = sites.filter((s) => s.id === ref || s.provider === ref || s.host?.name === ref);
    if (matched.length && matched.every((s) => !inOverlay.has(s.id)))
      problems.push({
        path: `${section}.sites[${i}]`,
        message: `'${ref}' cannot hold ${what} the fleet's nodes over the WireGuard overlay, and a lease on ${matched[0].provider} runs no WireGuard (nodes there are reached over mTLS); remove it from ${section}.sites`,
      });
  });
  return (refs ? siteRefs([...refs], `${section}.sites`, sites, problems) : sites.map((s) => s.id)).filter((id) =>
    inOverlay.has(id),
  );
}

/** Site ids named by a list of site ids or providers (`aws` = every aws site of the fleet). */
function siteRefs(refs: string[], path: string, sites: Site[], problems: InputProblem[]): string[] {
  const out = new Set<string>();
  refs.forEach((ref, i) => {
    const matched = sites.filter((s) => s.id === ref || s.provider === ref || (s.host && s.host.name === ref));
    if (!matched.length) {
      const known = [...new Set([...sites.map((s) => s.id), ...sites.map((s) => s.provider)])];
      problems.push({
        path: `${path}[${i}]`,
        message: `'${ref}' is not a site of the fleet${didYouMean(ref, known)} (sites: ${sites.map((s) => s.id).join(", ")}; or a provider: ${[...new Set(sites.map((s) => s.provider))].join(", ")})`,
      });
      return;
    }
    for (const s of matched) {
      if (out.has(s.id)) problems.push({ path: `${path}[${i}]`, message: `site ${s.id} is listed twice` });
      else out.add(s.id);
    }
  });
  return [...out];
}

/** `ethereum/mainnet` as is, `ethereum` when the fleet runs one network of it. */
function chainKeyOf(key: string, chainKeys: string[], path: string, problems: InputProblem[]): string | undefined {
  if (chainKeys.includes(key)) return key;
  const byChain = chainKeys.filter((k) => k.split("/")[0] === key);
  if (byChain.length === 1) return byChain[0];
  problems.push({
    path,
    message: byChain.length
      ? `the fleet runs ${key} on several networks (${byChain.join(", ")}); key it by chain/network`
      : `the fleet runs no chain '${key}'${didYouMean(key, chainKeys)} (chains: ${chainKeys.join(", ")})`,
  });
  return undefined;
}
