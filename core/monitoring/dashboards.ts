/**
 * Grafana dashboards (JSON model, schemaVersion 39) over the rules' recorded series: the fleet
 * (live nodes and shares against the caps), a chain (heads, lag, peers, clients), a node (its
 * machine) and the gateways (traffic, errors, probes, certificates). `$chain`, `$node` and
 * `$gateway` are regex template variables; every query must return data on a running monitor
 * (test/monitoring/dashboards runs each against a real Prometheus).
 */
import { JOBS } from "./targets";

export interface Panel {
  title: string;
  type: "timeseries" | "stat" | "table";
  /** PromQL, possibly with `$chain`, `$node`, `$gateway`. */
  queries: string[];
  unit?: string;
}

export interface DashboardSpec {
  uid: string;
  title: string;
  variables: Array<{ name: string; query: string }>;
  panels: Panel[];
}

const FLEET: DashboardSpec = {
  uid: "sovereign-fleet",
  title: "Sovereign: fleet",
  variables: [],
  panels: [
    { title: "Live nodes per chain", type: "stat", queries: ["sovereign:chain_live_nodes"] },
    { title: "Planned nodes per chain", type: "stat", queries: ["count by (chain) (sovereign:planned_node)"] },
    { title: "Firing alerts", type: "stat", queries: ['count(ALERTS{alertstate="firing"}) or vector(0)'] },
    ...(["operator", "region", "jurisdiction"] as const).map((dim): Panel => ({
      title: `Live share per ${dim}`,
      type: "timeseries",
      unit: "percentunit",
      queries: [`sum by (chain, ${dim}) (sovereign:node_live) / on (chain) group_left () sovereign:chain_live_nodes`],
    })),
  ],
};

const CHAIN: DashboardSpec = {
  uid: "sovereign-chain",
  title: "Sovereign: chain",
  variables: [{ name: "chain", query: "label_values(sovereign:planned_node, chain)" }],
  panels: [
    { title: "Head per node", type: "timeseries", queries: ['sovereign:head_block{chain=~"$chain"}'] },
    {
      title: "Blocks behind the best head",
      type: "timeseries",
      queries: ['sovereign:head_lag_blocks{chain=~"$chain"}'],
    },
    { title: "Peers", type: "timeseries", queries: ['sovereign:peers{chain=~"$chain"}'] },
    {
      title: "Live nodes per client",
      type: "table",
      queries: ['sum by (layer, client) (sovereign:client_live{chain=~"$chain"})'],
    },
    { title: "Node up", type: "table", queries: ['sovereign:node_live{chain=~"$chain"}'] },
  ],
};

const NODE: DashboardSpec = {
  uid: "sovereign-node",
  title: "Sovereign: node",
  variables: [{ name: "node", query: "label_values(sovereign:planned_node, node)" }],
  panels: [
    { title: "Clients up", type: "stat", queries: [`up{job="${JOBS.client}", node=~"$node"}`] },
    {
      title: "CPU busy",
      type: "timeseries",
      unit: "percentunit",
      queries: [`1 - avg by (machine) (rate(node_cpu_seconds_total{job="${JOBS.node}", mode="idle"}[5m]))`],
    },
    {
      title: "Memory available",
      type: "timeseries",
      unit: "bytes",
      queries: [`node_memory_MemAvailable_bytes{job="${JOBS.node}"}`],
    },
    {
      title: "Disk available",
      type: "timeseries",
      unit: "bytes",
      queries: [`node_filesystem_avail_bytes{job="${JOBS.node}", fstype!~"tmpfs|overlay|squashfs"}`],
    },
  ],
};

const GATEWAY: DashboardSpec = {
  uid: "sovereign-gateway",
  title: "Sovereign: gateways",
  variables: [{ name: "gateway", query: `label_values(up{job="${JOBS.haproxy}"}, gateway)` }],
  panels: [
    {
      title: "Requests per second",
      type: "timeseries",
      unit: "reqps",
      queries: [
        `sum by (gateway) (rate(haproxy_frontend_http_requests_total{job="${JOBS.haproxy}", gateway=~"$gateway"}[5m]))`,
      ],
    },
    {
      title: "Responses by class",
      type: "timeseries",
      unit: "reqps",
      queries: [
        `sum by (gateway, code) (rate(haproxy_frontend_http_responses_total{job="${JOBS.haproxy}", gateway=~"$gateway"}[5m]))`,
      ],
    },
    {
      title: "Upstreams up",
      type: "table",
      queries: [`haproxy_server_status{job="${JOBS.haproxy}", gateway=~"$gateway", state="UP"}`],
    },
    { title: "Endpoint answers (probe)", type: "stat", queries: [`probe_success{job="${JOBS.rpcProbe}"}`] },
    {
      title: "Probe duration",
      type: "timeseries",
      unit: "s",
      queries: [`probe_duration_seconds{job="${JOBS.rpcProbe}"}`],
    },
    {
      title: "Certificate expires in",
      type: "stat",
      unit: "s",
      queries: [`probe_ssl_earliest_cert_expiry{job="${JOBS.rpcProbe}"} - time()`],
    },
  ],
};

export const DASHBOARDS: readonly DashboardSpec[] = [FLEET, CHAIN, NODE, GATEWAY];

/** One dashboard as Grafana's JSON model, panels two to a row. */
export function grafanaDashboard(spec: DashboardSpec): object {
  const datasource = { type: "prometheus", uid: "${datasource}" };
  return {
    uid: spec.uid,
    title: spec.title,
    schemaVersion: 39,
    tags: ["sovereign"],
    time: { from: "now-6h", to: "now" },
    refresh: "30s",
    templating: {
      list: [
        { name: "datasource", type: "datasource", query: "prometheus" },
        ...spec.variables.map((v) => ({
          name: v.name,
          type: "query",
          datasource,
          query: { query: v.query, refId: `${v.name}-values` },
          includeAll: true,
          allValue: ".*",
          multi: true,
          refresh: 2,
        })),
      ],
    },
    panels: spec.panels.map((p, i) => ({
      id: i + 1,
      title: p.title,
      type: p.type,
      datasource,
      gridPos: { h: 8, w: 12, x: (i % 2) * 12, y: Math.floor(i / 2) * 8 },
      fieldConfig: { defaults: p.unit ? { unit: p.unit } : {}, overrides: [] },
      targets: p.queries.map((expr, j) => ({ refId: String.fromCharCode(65 + j), expr, datasource })),
    })),
  };
}

/** Every dashboard, by file name. */
export function renderDashboards(): Record<string, string> {
  return Object.fromEntries(
    DASHBOARDS.map((d) => [`${d.uid}.json`, `${JSON.stringify(grafanaDashboard(d), null, 2)}\n`]),
  );
}
