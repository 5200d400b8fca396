/**
 * The spec's `monitoring` section resolved into one demand group the planner places like gateways
 * (core/fleet-spec/resolve-gateways.ts): the same rules (at least two operators, never all in one
 * region, one left after losing any operator), its own machine profile and allowed sites.
 */
import type { Catalog } from "../catalog/load";
import type { Profile } from "../catalog/schema";
import { quote, type InputProblem } from "../errors";
import { own } from "../own";
import type { Monitoring } from "./monitoring";
import type { NodeGroup, Site } from "./resolve";
import { accessPolicy, overlaySites, type GatewayDemand } from "./resolve-gateways";
import type { FleetSpec } from "./schema";
import { didYouMean } from "./suggest";

/** Prometheus' port: one monitor per host, as one gateway per host (its HTTPS port). */
export const MONITOR_PORT = "9090/tcp";

/** What each monitor runs with, from the spec (Plan.monitors carries it to the components). */
export type MonitorSettings = Pick<
  Monitoring,
  "retention" | "scrapeIntervalSeconds" | "downAfterSeconds" | "groupWaitSeconds" | "groupIntervalSeconds"
>;

export interface MonitorLayer {
  group: NodeGroup & { gateway: GatewayDemand };
  settings: MonitorSettings;
}

/** Resolves `spec.monitoring` against the sites already resolved; problems name the field. */
export function resolveMonitors(
  spec: FleetSpec,
  catalog: Catalog,
  sites: Site[],
  problems: InputProblem[],
): MonitorLayer | undefined {
  const m = spec.monitoring;
  if (!m) return undefined;
  const size = own(catalog.gateways.sizes, m.size);
  if (!size) {
    const known = Object.keys(catalog.gateways.sizes);
    problems.push({
      path: "monitoring.size",
      message: `unknown machine size ${quote(m.size)}${didYouMean(m.size, known)} (known: ${known.join(", ")}, from catalog/gateways.yaml)`,
    });
  }
  const allowed = overlaySites(m.sites, "monitoring", sites, problems);
  if (!size) return undefined;
  const profile: Profile = {
    vcpu: size.vcpu,
    memoryGb: size.memoryGb,
    diskGb: m.diskGb,
    iops: 0,
    throughputMBps: 0,
    localNvme: "none",
    // Scrapes come in over the overlay; alerts going out are a few KB.
    egressGbMonth: 0,
    egressSource: { source: "scrapes come in over the overlay; outgoing alerts are a few KB", asOf: size.asOf },
    source: `monitor size ${m.size}: ${size.source}; disk from monitoring.diskGb`,
    asOf: size.asOf,
    estimate: size.estimate,
  };
  const { count, retention, scrapeIntervalSeconds, downAfterSeconds, groupWaitSeconds, groupIntervalSeconds } = m;
  return {
    group: {
      index: spec.chains.length + 1000,
      chain: "monitor",
      network: "",
      role: "monitor",
      count,
      chainKey: "monitors",
      profile,
      clients: {},
      p2pPorts: [MONITOR_PORT],
      gateway: {
        kind: "monitor",
        chains: [],
        path: "monitoring.count",
        owner: "the fleet's",
        scope: "monitoring",
        label: "",
        sites: allowed,
        // The access layer's floors only: the policy's shares are of chains' nodes, and two monitors
        // on two operators are a valid monitoring layer whatever maxShare says.
        policy: accessPolicy({}, 1),
      },
    },
    settings: { retention, scrapeIntervalSeconds, downAfterSeconds, groupWaitSeconds, groupIntervalSeconds },
  };
}
