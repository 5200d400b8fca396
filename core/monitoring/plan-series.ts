/**
 * The plan as recorded series: constant rules that put every planned node (with its operator,
 * region, jurisdiction), its clients, the deployed client versions and the catalog's upgrade
 * schedule into Prometheus, so the alert rules join live state with the plan inside PromQL.
 */
import type { Catalog } from "../catalog/load";
import { withinReach } from "../diversity";
import { tagVersion } from "../catalog/upgrades";
import type { PlannedNode } from "../plan/types";
import type { RecordingRule } from "./rule-types";
import { nodeLabels } from "./targets";

/**
 * A dotted version as one number that orders like compareVersions (major·10¹², minor·10⁶, patch),
 * or undefined when a part does not fit (then the upgrade alert stays silent and `catalog images`
 * says "unknown").
 */
export function versionNumber(version: string): number | undefined {
  const parts = version.split(".").map(Number);
  if (parts.length > 3 || parts.some((p) => !Number.isInteger(p) || p < 0 || p >= 1e6)) return undefined;
  const [major = 0, minor = 0, patch = 0] = parts;
  return major * 1e12 + minor * 1e6 + patch;
}

const constant = (record: string, value: number, labels: Record<string, string>): RecordingRule => ({
  record,
  expr: `vector(${value})`,
  labels,
});

/** One `sovereign:planned_node` series per node and one `sovereign:planned_client` per (node, layer). */
export function plannedNodeSeries(nodes: readonly PlannedNode[]): RecordingRule[] {
  return nodes.flatMap((n) => [
    constant("sovereign:planned_node", 1, nodeLabels(n)),
    ...Object.entries(n.clients).map(([layer, client]) =>
      constant("sovereign:planned_client", 1, { node: n.id, chain: n.chainKey, layer, client }),
    ),
  ]);
}

/** One `sovereign:planned_legal` series per node and legal regime the policy caps, when the node is within its reach. */
export function plannedLegalSeries(nodes: readonly PlannedNode[], regimes: readonly string[]): RecordingRule[] {
  return nodes.flatMap((n) =>
    regimes
      .filter((regime) => withinReach(n, regime))
      .map((regime) => constant("sovereign:planned_legal", 1, { node: n.id, chain: n.chainKey, regime })),
  );
}

/** The version each node runs (its client's pinned image tag) and the minimums of the upgrades of its chain. */
export function upgradeSeries(
  nodes: readonly PlannedNode[],
  catalog: Pick<Catalog, "clients" | "upgrades">,
): RecordingRule[] {
  const rules: RecordingRule[] = [];
  const pairs = new Set<string>();
  for (const n of nodes) {
    for (const [layer, clientId] of Object.entries(n.clients)) {
      const tag = catalog.clients.get(clientId)?.image.tag;
      const version = tag === undefined ? undefined : tagVersion(tag);
      const value = version === undefined ? undefined : versionNumber(version);
      if (version === undefined || value === undefined) continue;
      rules.push(
        constant("sovereign:deployed_client_version", value, {
          node: n.id,
          chain: n.chainKey,
          layer,
          client: clientId,
          version,
        }),
      );
      pairs.add(`${n.chainKey} ${clientId}`);
    }
  }
  for (const u of catalog.upgrades) {
    const chain = `${u.chain}/${u.network}`;
    const minimums = Object.entries(u.minimums).filter(([client]) => pairs.has(`${chain} ${client}`));
    if (!minimums.length) continue;
    rules.push(
      constant("sovereign:upgrade_activates_at_seconds", Date.parse(u.activatesAt) / 1000, { chain, upgrade: u.name }),
    );
    for (const [client, minimum] of minimums) {
      const value = versionNumber(minimum);
      if (value !== undefined)
        rules.push(constant("sovereign:upgrade_minimum_version", value, { chain, upgrade: u.name, client, minimum }));
    }
  }
  return rules;
}
