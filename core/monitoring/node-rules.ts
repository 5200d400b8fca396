/**
 * Recording rules that turn scrapes into per-node facts (live, head, lag, peers) and the node
 * alerts: down, behind the best head, head stuck, few peers, disk full within a day, a client
 * below the minimum of its chain's next upgrade.
 */
import type { Upgrade } from "../catalog/schema";
import { CLIENT_METRICS } from "./client-metrics";
import { oneOf, quote, type AlertingRule, type RecordingRule } from "./rule-types";
import { JOBS } from "./targets";

export interface NodeAlertOptions {
  /** A node more blocks than this behind its chain's best head is "behind". */
  maxLagBlocks: number;
  /** Fewer peers than this for 10 minutes is "peers low". */
  minPeers: number;
  /** Days before an upgrade activates from which a client below its minimum alerts. */
  upgradeWarningDays: number;
  /** Seconds a node is unseen before SovereignNodeDown fires (the spec's monitoring.downAfterSeconds). */
  nodeDownSeconds: number;
}

const KEEP = "node, chain, operator, region, jurisdiction";
/** A node's clients seen: scraped, or (no metrics endpoint) their RPC port probed. */
const SEEN = `up{job="${JOBS.client}"} or probe_success{job="${JOBS.nodeProbe}"}`;

/** Head and peers under one name whatever the client, for the clients the plan runs. */
function clientGauges(clients: readonly string[]): RecordingRule[] {
  const byMetric = new Map<string, { record: string; clients: string[] }>();
  for (const client of clients) {
    const names = CLIENT_METRICS[client];
    if (!names) continue;
    for (const [record, metric] of [
      ["sovereign:head_block", names.head],
      ["sovereign:peers", names.peers],
    ] as const) {
      const key = `${record} ${metric}`;
      byMetric.set(key, { record, clients: [...(byMetric.get(key)?.clients ?? []), client] });
    }
  }
  return [...byMetric].map(([key, { record, clients: list }]) => {
    const metric = key.split(" ")[1];
    // The head of the layer that serves RPC is the one users see (an execution client's block, not a beacon slot).
    const layer = record === "sovereign:head_block" ? ', rpc_layer="true"' : "";
    return {
      record,
      // The source gauge as a label keeps two rules of one name apart (promtool's duplicate check).
      labels: { source_metric: metric },
      expr: `max by (${KEEP}, layer, client) (${metric}{job="${JOBS.client}", client=~${oneOf(list)}${layer}})`,
    };
  });
}

/** Per-node facts the alerts, dashboards and `sovereign status` read. */
export function nodeRecordingRules(clients: readonly string[]): RecordingRule[] {
  return [
    // Every planned node: 1 when all its clients answer their scrape (or, without metrics, its RPC port
    // its TCP probe), 0 when one does not or nothing of it is seen.
    {
      record: "sovereign:node_live",
      expr:
        `(sovereign:planned_node * on (node) group_left () min by (node) (${SEEN}))` +
        ` or (0 * sovereign:planned_node)`,
    },
    { record: "sovereign:chain_live_nodes", expr: "sum by (chain) (sovereign:node_live)" },
    ...clientGauges(clients),
    {
      record: "sovereign:head_lag_blocks",
      expr: "max by (chain) (sovereign:head_block) - on (chain) group_right () sovereign:head_block",
    },
  ];
}

export function nodeAlerts(opts: NodeAlertOptions, upgrades: readonly Upgrade[]): AlertingRule[] {
  const alerts: AlertingRule[] = [
    {
      alert: "SovereignNodeDown",
      expr: `(${SEEN}) == 0`,
      for: `${opts.nodeDownSeconds}s`,
      labels: { severity: "critical", group: "node" },
      annotations: {
        summary: "{{ $labels.chain }} node {{ $labels.node }} ({{ $labels.client }}) is down",
        description: `The {{ $labels.layer }} client of {{ $labels.node }} on {{ $labels.operator }}/{{ $labels.region }} has not answered its metrics scrape (or its RPC port its probe) for ${opts.nodeDownSeconds} seconds.`,
        action: "Check the machine (node_exporter), then the client's container logs on {{ $labels.node }}.",
      },
    },
    {
      alert: "SovereignNodeBehind",
      expr: `sovereign:head_lag_blocks > ${opts.maxLagBlocks}`,
      for: "5m",
      labels: { severity: "warning", group: "node" },
      annotations: {
        summary: "{{ $labels.node }} is {{ $value }} blocks behind the best {{ $labels.chain }} head",
        description: `More than ${opts.maxLagBlocks} blocks behind for 5 minutes: the gateways send it no traffic.`,
        action:
          "Check the node's peers and disk I/O; if it keeps falling behind, resync it or move it to a bigger machine.",
      },
    },
    {
      alert: "SovereignNodeHeadStuck",
      expr: "changes(sovereign:head_block[10m]) == 0",
      for: "5m",
      labels: { severity: "critical", group: "node" },
      annotations: {
        summary: "{{ $labels.node }} has not imported a block for 15 minutes",
        description: "The head of {{ $labels.client }} on {{ $labels.node }} ({{ $labels.chain }}) is not advancing.",
        action: "Check the client's logs for a bad block or a stalled sync; restart it, resync if it stays stuck.",
      },
    },
    {
      alert: "SovereignNodePeersLow",
      expr: `sovereign:peers < ${opts.minPeers}`,
      for: "10m",
      labels: { severity: "warning", group: "node" },
      annotations: {
        summary: "{{ $labels.node }} has {{ $value }} peers",
        description: `Fewer than ${opts.minPeers} peers for 10 minutes: the node may fall behind or follow a minority fork.`,
        action: "Check that the P2P port is open in the firewall and the node's clock is in sync.",
      },
    },
    {
      alert: "SovereignDiskFullIn24h",
      expr: `predict_linear(node_filesystem_avail_bytes{job="${JOBS.node}", fstype!~"tmpfs|overlay|squashfs"}[6h], 86400) < 0`,
      for: "30m",
      labels: { severity: "warning", group: "node" },
      annotations: {
        summary: "{{ $labels.mountpoint }} on {{ $labels.machine }} fills up within 24 hours",
        description: "At the growth of the last 6 hours the filesystem has no space left within a day.",
        action: "Grow the volume or prune the client's data before it stops.",
      },
    },
  ];
  return [...alerts, ...upgrades.map((u) => upgradeAlert(u, opts.upgradeWarningDays))];
}

/** One alert per scheduled upgrade: a deployed client below its minimum, from `days` before activation. */
function upgradeAlert(u: Upgrade, days: number): AlertingRule {
  const at = `{chain=${quote(`${u.chain}/${u.network}`)}, upgrade=${quote(u.name)}}`;
  return {
    alert: "SovereignClientBelowUpgradeMinimum",
    expr:
      `(sovereign:deployed_client_version < on (chain, client) group_left (upgrade, minimum) sovereign:upgrade_minimum_version${at})` +
      ` and on (chain) (sovereign:upgrade_activates_at_seconds${at} - time() < ${days * 86400})`,
    labels: { severity: "critical", group: "node", upgrade: u.name },
    annotations: {
      summary:
        "{{ $labels.node }} runs {{ $labels.client }} {{ $labels.version }}, below {{ $labels.minimum }} for {{ $labels.upgrade }}",
      description: `${u.name} activates on ${u.chain}/${u.network} at ${u.activatesAt}; a client below the minimum forks off then.`,
      action: "Bump the client's image in the catalog (catalog/clients.yaml) and redeploy before the upgrade.",
    },
  };
}
