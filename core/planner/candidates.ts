import type { Catalog } from "../catalog/load";
import { cheapestOption, hostFits, type NodeOption } from "../costs/options";
import type { Fleet, NodeGroup, Site } from "../fleet-spec/resolve";
import { clientsRefusedOn } from "../workload/clients";

/** A site a group's nodes can go to, with the per-node price there (0 on bare metal: hosts are priced whole). */
export interface Candidate {
  group: NodeGroup;
  site: Site;
  /** Cloud and Akash: the cheapest fitting option. Bare metal: undefined. */
  option?: NodeOption;
  unitUsd: number;
  /** Allowed clients of the group the site cannot run ({@link clientsRefusedOn}); usually empty. */
  refuses: ReadonlySet<string>;
}

export interface Candidates {
  list: Candidate[];
  /** The same candidates per group. */
  byGroup: Map<NodeGroup, Candidate[]>;
  /** Why a group cannot go to a site, for explanations. */
  misfits: Map<number, string[]>;
}

export function candidatesFor(fleet: Fleet, catalog: Catalog): Candidates {
  const list: Candidate[] = [];
  const misfits = new Map<number, string[]>();
  const byGroup = new Map<NodeGroup, Candidate[]>();
  for (const group of fleet.groups) {
    const reasons: string[] = [];
    const start = list.length;
    for (const site of fleet.sites) {
      // Gateways go only where gateways.sites allows.
      if (group.gateway && !group.gateway.sites.includes(site.id)) continue;
      const refused = refusedClients(group, site, catalog);
      if (!refused.ok) {
        reasons.push(refused.reason);
        continue;
      }
      const refuses = refused.clients;
      if (site.provider === "baremetal") {
        const miss = hostFits(group.profile, site);
        if (miss) reasons.push(miss);
        else list.push({ group, site, unitUsd: 0, refuses });
        continue;
      }
      const result = cheapestOption(group.profile, site, catalog, fleet.spec.pricing, group.behindGateways);
      if (result.ok) list.push({ group, site, option: result.option, unitUsd: result.option.cost.total, refuses });
      else reasons.push(result.reason);
    }
    misfits.set(group.index, reasons);
    byGroup.set(group, list.slice(start));
  }
  return { list, byGroup, misfits };
}

/** The group's allowed clients the site cannot run, or why the site is out (a layer with none it can run). */
function refusedClients(
  group: NodeGroup,
  site: Site,
  catalog: Catalog,
): { ok: true; clients: ReadonlySet<string> } | { ok: false; reason: string } {
  const clients = new Set<string>();
  for (const [layer, allowed] of Object.entries(group.clients)) {
    const refused = clientsRefusedOn(
      site.provider,
      allowed.map((id) => catalog.clients.get(id)!),
    );
    if (refused.size === allowed.length)
      return {
        ok: false,
        reason: `${site.id}: none of the allowed ${layer} clients (${allowed.join(", ")}) can run on ${site.provider} (each reads the engine JWT from a file and its image has no known entrypoint for the shell that writes it; core/workload/clients.ts): allow another ${layer} client`,
      };
    refused.forEach((c) => clients.add(c));
  }
  return { ok: true, clients };
}
