import type { Catalog } from "../catalog/load";
import { cheapestOption, hostFits, type NodeOption } from "../costs/options";
import type { Fleet, NodeGroup, Site } from "../fleet-spec/resolve";

/** A site a group's nodes can go to, with the per-node price there (0 on bare metal: hosts are priced whole). */
export interface Candidate {
  group: NodeGroup;
  site: Site;
  /** Cloud and Akash: the cheapest fitting option. Bare metal: undefined. */
  option?: NodeOption;
  unitUsd: number;
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
      if (site.provider === "baremetal") {
        const miss = hostFits(group.profile, site);
        if (miss) reasons.push(miss);
        else list.push({ group, site, unitUsd: 0 });
        continue;
      }
      const result = cheapestOption(group.profile, site, catalog, fleet.spec.pricing);
      if (result.ok) list.push({ group, site, option: result.option, unitUsd: result.option.cost.total });
      else reasons.push(result.reason);
    }
    misfits.set(group.index, reasons);
    byGroup.set(group, list.slice(start));
  }
  return { list, byGroup, misfits };
}
