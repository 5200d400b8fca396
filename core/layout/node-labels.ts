/**
 * Node ids are `<chain>[-<network>][-<role>]-<site label>-<n>`, where a cloud site's label is
 * `<provider>-<region>` (`aws-us-east-1`), Akash's is `akash` and a bare-metal host's is its name.
 * A host named like a cloud site would share that site's ids and numbering (the planner keeps a
 * deployed id where its site is, so a node could move between a cloud and the host): refuse it.
 */
import type { Catalog } from "../catalog/load";

/** Labels of every cloud site the catalog knows, with the site id each stands for. */
export function cloudSiteLabels(catalog: Catalog): Map<string, string> {
  const labels = new Map<string, string>();
  for (const provider of catalog.providers.values()) {
    if (provider.id === "akash") {
      labels.set("akash", "akash");
      continue;
    }
    for (const region of provider.regions) labels.set(`${provider.id}-${region.id}`, `${provider.id}/${region.id}`);
  }
  return labels;
}

/**
 * Why a bare-metal host name cannot be used, or undefined. A name that is a cloud site label, or
 * ends with `-<label>` (network and role parts come before the label in an id), is refused.
 */
export function hostNameProblem(name: string, labels: ReadonlyMap<string, string>): string | undefined {
  for (const [label, site] of labels) {
    if (name === label || name.endsWith(`-${label}`)) {
      return `host name '${name}' reads like the cloud site ${site}: its nodes would share that site's ids and numbering (<chain>-${label}-1 could be on either); rename the host, e.g. '${name}-host'`;
    }
  }
  return undefined;
}

/** The label of a site inside ids: `aws-us-east-1`, `akash`, or a bare-metal host's name. */
export function siteLabel(site: { id: string; host?: { name: string } }): string {
  return site.host ? site.host.name : site.id.replace("/", "-");
}

/**
 * Gateway ids are `gateway[-<chain>[-<network>]]-<site label>-<n>`: the chain part only for
 * gateways dedicated to one chain (`gateways.perChain`). No chain is called `gateway`, so a
 * gateway id never reads like a node id.
 */
export function gatewayLabel(chainLabel: string, site: { id: string; host?: { name: string } }): string {
  return ["gateway", chainLabel, siteLabel(site)].filter(Boolean).join("-");
}
