/**
 * The access layer in the planner: gateways are extra demand groups of the same MILP (their own
 * profile, allowed sites and rules; one per host, as they all listen on 443), split back out of the
 * solution into Plan.gateways.
 */
import { allowedCount, shareNeeded } from "../diversity";
import { operatorQuorum } from "../diversity/quorum";
import { SpecError } from "../errors";
import type { Fleet } from "../fleet-spec/resolve";
import type { PlannedGateway, PlannedHost, PlannedIntegrity, PlannedMonitor, PlannedNode } from "../plan";
import type { Candidates } from "./candidates";
import type { Reason } from "./explain";
import { legalReasons } from "./explain-legal";
import { PLACE_DIMENSIONS, valueLimits, type RuleFamily } from "./limits";

/** The groups placed like gateways: the access layer's, then the monitors'. */
const serviceGroups = (fleet: Fleet) => [
  ...(fleet.access?.groups ?? []),
  ...(fleet.monitoring ? [fleet.monitoring.group] : []),
];

/** The fleet as the solver sees it: the chains' groups, then the gateways' and the monitors' groups. */
export function withGateways(fleet: Fleet): Fleet {
  const services = serviceGroups(fleet);
  return services.length ? { ...fleet, groups: [...fleet.groups, ...services] } : fleet;
}

/** A placed machine without chain, role or clients (with the disk priced for it). */
function machineOf(n: PlannedNode) {
  const { chainKey: _key, chain: _chain, network: _network, role: _role, clients: _clients, ...machine } = n;
  return { ...machine, sources: [...new Set(n.sources)] };
}

/** Separates the gateways and monitors from the nodes of a solved demand fleet; hosts list each apart. */
export function splitGateways(
  fleet: Fleet,
  placed: PlannedNode[],
  hosts: PlannedHost[],
): { nodes: PlannedNode[]; gateways: PlannedGateway[]; monitors: PlannedMonitor[]; hosts: PlannedHost[] } {
  const monitoring = fleet.monitoring;
  const monitors = monitoring
    ? placed
        .filter((n) => n.chainKey === monitoring.group.chainKey)
        .map((n): PlannedMonitor => ({ ...machineOf(n), ...monitoring.settings }))
    : [];
  const monitorIds = new Set(monitors.map((m) => m.id));
  const access = fleet.access;
  const groups = new Map((access?.groups ?? []).map((g) => [g.chainKey, g]));
  const nodes = placed.filter((n) => !groups.has(n.chainKey) && !monitorIds.has(n.id));
  const gateways = placed
    .filter((n) => groups.has(n.chainKey))
    .map((n): PlannedGateway => {
      const group = groups.get(n.chainKey)!;
      const { chains } = group.gateway;
      return {
        ...machineOf(n),
        chains,
        maxLagBlocks: access!.maxLagBlocks,
        backup: nodes
          .filter((m) => chains.includes(m.chainKey) && access!.backupSites.includes(m.site))
          .map((m) => m.id),
        traffic: {
          requestsPerSecond:
            Math.round(((chains.length * access!.traffic.requestsPerSecond) / group.count) * 100) / 100,
          responseKb: access!.traffic.responseKb,
          // Bare metal and Akash do not bill egress; the load is the same.
          egressGbMonth: group.profile.egressGbMonth,
        },
        ...(access?.integrity ? { integrity: integrityOf(chains, nodes, access.integrity) } : {}),
      };
    });
  const ids = new Set(gateways.map((g) => g.id));
  return {
    nodes,
    gateways,
    monitors,
    hosts: hosts.map((h) => {
      const on = h.nodes.filter((id) => ids.has(id));
      const watching = h.nodes.filter((id) => monitorIds.has(id));
      return on.length || watching.length
        ? {
            ...h,
            nodes: h.nodes.filter((id) => !ids.has(id) && !monitorIds.has(id)),
            ...(on.length ? { gateways: on } : {}),
            ...(watching.length ? { monitors: watching } : {}),
          }
        : h;
    }),
  };
}

/**
 * The quorum of each chain's integrity reads, from how many of its nodes each operator holds: the
 * spec's minOperators (per chain, else the section's). A chain whose nodes sit on too few operators
 * is refused, naming the field and the fix: answering from fewer would be one operator's word.
 */
function integrityOf(
  chains: string[],
  nodes: PlannedNode[],
  spec: NonNullable<NonNullable<Fleet["access"]>["integrity"]>,
): Record<string, PlannedIntegrity> {
  return Object.fromEntries(
    chains.map((key) => {
      const own = spec.perChain?.[key];
      const minOperators = own?.minOperators ?? spec.minOperators;
      const methods = own?.methods ?? spec.methods;
      const q = operatorQuorum(
        nodes.filter((n) => n.chainKey === key).map((n) => n.operator),
        minOperators,
      );
      if ("problem" in q)
        throw new SpecError([
          {
            path: own?.minOperators
              ? `gateways.integrity.perChain.${key}.minOperators`
              : "gateways.integrity.minOperators",
            message: `${key}: ${q.problem}; lower it, or spread ${key}'s nodes over more operators (policy.minOperators, policy.maxShare.operator)`,
          },
        ]);
      return [key, { ...q, ...(methods ? { methods: [...methods] } : {}) }];
    }),
  );
}

/** Names for a message; an empty list says "none" rather than leaving nothing after a colon. */
const list = (xs: string[]) => (xs.length ? xs.join(", ") : "none");
const regionNote = (dim: string) => (dim === "region" ? " (never all in one region)" : "");

/**
 * Reasons the access layer cannot be placed that can be read off the spec without solving, in the
 * spec's words: too few gateways for a rule, or too few operators or regions among the allowed
 * sites. A reason from a spec rule carries its family (so a relaxation drops it); one from the
 * access layer's own floor (two operators, survive one operator or region loss) carries none.
 */
export function gatewayReasons(
  fleet: Fleet,
  candidates: Candidates,
  relaxed: ReadonlySet<RuleFamily> = new Set(),
): Reason[] {
  // The survival floor is the access layer's own: relaxing the spec's survive rule keeps it.
  const dropped = new Set([...relaxed].filter((f) => f !== "survive"));
  const reasons: Reason[] = [];
  const say = (text: string, family?: RuleFamily) => reasons.push({ family, text });
  for (const group of serviceGroups(fleet)) {
    const { path, owner, policy, kind } = group.gateway;
    const section = kind === "gateway" ? "gateways" : "monitoring";
    const count = group.count;
    const sites = (candidates.byGroup.get(group) ?? []).map((c) => c.site);
    const p = group.profile;
    if (!sites.length) {
      say(
        `${kind}s (${p.vcpu} vCPU, ${p.memoryGb} GB) fit no site allowed by ${section}.sites: ${list(candidates.misfits.get(group.index) ?? [])}`,
      );
      continue;
    }
    if (sites.every((s) => s.host) && count > sites.length) {
      say(
        `${path} ${count}: a host runs at most one ${kind} (it listens on ${group.p2pPorts[0]}), and only ${sites.length} host(s) can take one (${list(sites.map((s) => s.host!.name))}) — allow cloud sites in ${section}.sites, or add hosts`,
      );
    }
    for (const dim of PLACE_DIMENSIONS) {
      const limits = valueLimits(policy, dim, count, dropped);
      if (!limits.length) continue;
      const binding = limits.reduce((a, b) => (b.limit < a.limit ? b : a));
      const isCap = binding.family !== "survive";
      const cap = policy.maxShare?.[dim];
      const keep = policy.survive?.minNodes;
      const family = isCap ? binding.family : undefined;
      const values = [...new Set(sites.map((s) => s[dim]))].sort();
      if (binding.limit <= 0) {
        say(
          isCap
            ? `maxShare.${dim} ${cap} allows no ${dim} even one of ${owner} ${count} ${kind}(s); raise ${path} to at least ${Math.ceil(1 / cap! - 1e-9)} or maxShare.${dim} to ${shareNeeded(1, count)}`
            : `the ${section === "gateways" ? "access layer" : "monitors"} must keep ${keep} ${kind}(s) after losing any one ${dim}${regionNote(dim)}, so ${path} must be above ${keep}; it is ${count}`,
          family,
        );
        continue;
      }
      const needed = Math.ceil(count / binding.limit);
      if (values.length < needed) {
        const why = isCap
          ? `maxShare.${dim} ${cap} allows at most ${allowedCount(cap!, count)} of ${owner} ${count} ${kind}s per ${dim}`
          : `${owner} ${count} ${kind}s must keep ${keep} after losing any one ${dim}${regionNote(dim)}`;
        say(
          `${why}, so they need at least ${needed} ${dim}s; the sites ${kind}s may use offer ${values.length} (${list(values)}) — allow more sites in ${section}.sites${isCap ? ` or raise maxShare.${dim} to ${shareNeeded(Math.ceil(count / values.length), count)}` : ""}`,
          family,
        );
      }
    }
    reasons.push(
      ...legalReasons(
        { policy, total: count, sites, of: `${owner} ${count} ${kind}s`, subject: `a ${kind}`, onePerHost: true },
        relaxed,
      ),
    );
    // Absent only where compare lowers the floors (a single-cloud baseline has one operator).
    const minOps = policy.minOperators;
    if (minOps === undefined) continue;
    // Above the floor of two, gateways.minOperators sets it: relaxing that leaves the floor.
    const required = relaxed.has("minOperators") ? 2 : minOps;
    const family = required > 2 ? "minOperators" : undefined;
    const operators = [...new Set(sites.map((s) => s.operator))].sort();
    const rule = `${kind}s run on at least ${required} operators (${required > 2 ? `${section}.minOperators ${required}` : "never fewer than two"})`;
    if (count < required) say(`${rule}, so ${path} must be at least ${required}; it is ${count}`, family);
    else if (operators.length < required)
      say(
        `${rule}; the sites ${kind}s may use offer ${operators.length} (${list(operators)}) — allow more sites in ${section}.sites`,
        family,
      );
  }
  return reasons;
}
