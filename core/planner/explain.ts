import { allowedCount, shareNeeded, type AlternativesOf } from "../diversity";
import type { Fleet } from "../fleet-spec/resolve";
import type { Candidates } from "./candidates";

const list = (xs: string[]) => xs.join(", ");

/**
 * Reasons that can be read off the spec without solving: a rule needing more distinct operators,
 * regions or jurisdictions than the allowed sites offer, counts too small for a rule, groups no site fits.
 */
export function obviousReasons(fleet: Fleet, candidates: Candidates, alternatives: AlternativesOf): string[] {
  const { policy } = fleet.spec;
  const reasons: string[] = [];
  const chainKeys = [...new Set(fleet.groups.map((g) => g.chainKey))];
  for (const group of fleet.groups) {
    if (!candidates.list.some((c) => c.group === group)) {
      reasons.push(`chains[${group.index}] (${group.chainKey} ${group.role}: ${group.profile.vcpu} vCPU, ${group.profile.memoryGb} GB, ${group.profile.diskGb} GB disk at ${group.profile.iops} IOPS${group.profile.localNvme === "required" ? ", local NVMe" : ""}) fits no allowed site: ${list(candidates.misfits.get(group.index) ?? [])}`);
    }
  }
  for (const group of fleet.groups) {
    const sites = candidates.list.filter((c) => c.group === group).map((c) => c.site);
    if (!group.p2pPorts.length || !sites.length || sites.some((s) => !s.host)) continue;
    if (group.count > sites.length) {
      reasons.push(`chains[${group.index}] (${group.chainKey}): its clients announce P2P ports (${group.p2pPorts.join(", ")}), so one host runs at most one such node; ${group.count} nodes need ${group.count} hosts and only ${sites.length} can take one (${list(sites.map((s) => s.host!.name))}) — add hosts, or cloud or Akash sites`);
    }
  }
  for (const chainKey of chainKeys) {
    const groups = fleet.groups.filter((g) => g.chainKey === chainKey);
    const total = groups.reduce((a, g) => a + g.count, 0);
    const sites = candidates.list.filter((c) => c.group.chainKey === chainKey).map((c) => c.site);
    if (sites.length === 0) continue;
    for (const dim of ["operator", "region", "jurisdiction"] as const) {
      const values = [...new Set(sites.map((s) => s[dim]))].sort();
      const cap = policy.maxShare?.[dim];
      const capLimit = cap === undefined ? Infinity : allowedCount(cap, total);
      const loss = dim === "jurisdiction" ? undefined : policy.survive?.[`${dim}Loss`] === 1 ? policy.survive.minNodes : undefined;
      const lossLimit = loss === undefined ? Infinity : total - loss;
      const limit = Math.min(capLimit, lossLimit);
      if (limit === Infinity) continue;
      const why = capLimit <= lossLimit
        ? `maxShare.${dim} ${cap} allows at most ${capLimit} of ${chainKey}'s ${total} nodes per ${dim}`
        : `survive.${dim}Loss with minNodes ${loss} allows at most ${lossLimit} of ${chainKey}'s ${total} nodes per ${dim}`;
      if (limit <= 0) {
        reasons.push(capLimit <= lossLimit
          ? `${why}; raise maxShare.${dim} to at least ${shareNeeded(1, total)} or add nodes`
          : `${why}: raise chains[${groups[0].index}].count above ${loss} or lower survive.minNodes`);
        continue;
      }
      const needed = Math.ceil(total / limit);
      if (values.length < needed) {
        reasons.push(`${why}, so it needs at least ${needed} ${dim}s; only ${values.length} can host it (${list(values)}) — allow more sites${capLimit <= lossLimit ? ` or raise maxShare.${dim} to ${shareNeeded(Math.ceil(total / values.length), total)}` : ""}`);
      }
    }
    const clientCap = policy.maxShare?.client;
    for (const layer of clientCap === undefined ? [] : Object.keys(groups[0].clients)) {
      if (alternatives(chainKey, layer) < 2) continue;
      const limit = allowedCount(clientCap!, total);
      const allowed = [...new Set(groups.flatMap((g) => g.clients[layer] ?? []))];
      const where = groups.map((g) => `chains[${g.index}].clients.${layer}`).join(" and ");
      if (limit === 0) reasons.push(`maxShare.client ${clientCap} allows no ${layer} client even one of ${chainKey}'s ${total} nodes; raise it to at least ${shareNeeded(1, total)}`);
      else if (allowed.length * limit < total) {
        reasons.push(`maxShare.client ${clientCap} allows at most ${limit} of ${chainKey}'s ${total} nodes per ${layer} client, so it needs at least ${Math.ceil(total / limit)} ${layer} clients; ${where} allow${groups.length > 1 ? "" : "s"} ${allowed.length} (${list(allowed)}) — allow more clients or raise maxShare.client to ${shareNeeded(Math.ceil(total / allowed.length), total)}`);
      }
    }
    const minOps = policy.minOperators;
    if (minOps !== undefined) {
      const operators = [...new Set(sites.map((s) => s.operator))].sort();
      if (total < minOps) reasons.push(`minOperators ${minOps} needs at least ${minOps} ${chainKey} nodes; the spec asks for ${total}`);
      else if (operators.length < minOps) reasons.push(`minOperators ${minOps}: only ${operators.length} operator(s) can host ${chainKey} (${list(operators)}); allow more sites`);
    }
  }
  return reasons;
}
