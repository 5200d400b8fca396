/**
 * The monitor's prometheus.yml: one job per target kind (file_sd files written beside it by
 * renderTargets), the rule file, the fleet's Alertmanagers (every monitor sends to all of them, so
 * the cluster deduplicates), and the blackbox exporter's modules for the RPC and DNS probes.
 */
import { stringify } from "yaml";
import { JOBS } from "./targets";

export interface PrometheusConfigInput {
  /** Directory the file_sd `<job>.json` files are in, on the monitor. */
  targetsDir: string;
  /** Rule files (alerting rules from renderRules). */
  ruleFiles: readonly string[];
  /** host:port of every Alertmanager of the fleet. */
  alertmanagers: readonly string[];
  /** host:port of the blackbox exporter the monitor runs. */
  blackbox: string;
  /** Seconds; 15 unless given. */
  scrapeIntervalSeconds?: number;
  /** Labels this monitor adds to its alerts and series (e.g. { monitor: "monitor-1" }). */
  externalLabels?: Record<string, string>;
  /**
   * The external label that tells monitors apart, dropped from the alerts they send: every monitor
   * then sends the same alert (one fingerprint), and the Alertmanager cluster notifies it once
   * instead of once per monitor's copy. @default none
   */
  replicaLabel?: string;
}

const fileSd = (dir: string, job: string) => [{ files: [`${dir}/${job}.json`] }];

/** Blackbox probes go to the exporter with the probed URL as a parameter; the endpoint label stays. */
const viaBlackbox = (blackbox: string) => [
  { source_labels: ["__address__"], target_label: "__param_target" },
  // The probed target stays the instance (not the exporter's address every probe shares).
  { source_labels: ["__param_target"], target_label: "instance" },
  { target_label: "__address__", replacement: blackbox },
];

export function renderPrometheusConfig(input: PrometheusConfigInput): string {
  const interval = `${input.scrapeIntervalSeconds ?? 15}s`;
  const config = {
    global: {
      scrape_interval: interval,
      evaluation_interval: interval,
      ...(input.externalLabels ? { external_labels: input.externalLabels } : {}),
    },
    rule_files: [...input.ruleFiles],
    alerting: {
      ...(input.replicaLabel ? { alert_relabel_configs: [{ action: "labeldrop", regex: input.replicaLabel }] } : {}),
      alertmanagers: [{ static_configs: [{ targets: [...input.alertmanagers] }] }],
    },
    scrape_configs: [
      { job_name: JOBS.node, file_sd_configs: fileSd(input.targetsDir, JOBS.node) },
      // Clients serve metrics on different paths; geth's is /debug/metrics/prometheus, the rest /metrics.
      {
        job_name: JOBS.client,
        file_sd_configs: fileSd(input.targetsDir, JOBS.client),
        relabel_configs: [
          {
            source_labels: ["client"],
            regex: "geth|op-geth|l2geth|linea-geth|erigon",
            target_label: "__metrics_path__",
            replacement: "/debug/metrics/prometheus",
          },
        ],
      },
      {
        job_name: JOBS.nodeProbe,
        metrics_path: "/probe",
        params: { module: [BLACKBOX_TCP_MODULE] },
        file_sd_configs: fileSd(input.targetsDir, JOBS.nodeProbe),
        relabel_configs: viaBlackbox(input.blackbox),
      },
      { job_name: JOBS.haproxy, file_sd_configs: fileSd(input.targetsDir, JOBS.haproxy) },
      { job_name: JOBS.erpc, file_sd_configs: fileSd(input.targetsDir, JOBS.erpc) },
      {
        job_name: JOBS.rpcProbe,
        metrics_path: "/probe",
        params: { module: [BLACKBOX_RPC_MODULE] },
        file_sd_configs: fileSd(input.targetsDir, JOBS.rpcProbe),
        relabel_configs: viaBlackbox(input.blackbox),
      },
      {
        job_name: JOBS.dnsProbe,
        metrics_path: "/probe",
        params: { module: [BLACKBOX_DNS_MODULE] },
        file_sd_configs: fileSd(input.targetsDir, JOBS.dnsProbe),
        relabel_configs: viaBlackbox(input.blackbox),
      },
    ],
  };
  return stringify(config);
}

export const BLACKBOX_RPC_MODULE = "rpc_block_number";
export const BLACKBOX_DNS_MODULE = "dns_soa";
export const BLACKBOX_TCP_MODULE = "tcp_connect";

/**
 * blackbox.yml: the RPC probe sends a real `eth_blockNumber` and wants a result back (a gateway that
 * answers 200 with a JSON-RPC error is down for a user); the TCP probe sees nodes without a metrics
 * endpoint; the DNS probe asks for the zone's SOA.
 */
export function renderBlackboxConfig(zone: string, options: { caFile?: string } = {}): string {
  return stringify({
    modules: {
      [BLACKBOX_RPC_MODULE]: {
        prober: "http",
        timeout: "10s",
        http: {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: '{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber","params":[]}',
          valid_status_codes: [200],
          // Gateways behind a private CA: trust it instead of the system's roots.
          ...(options.caFile ? { tls_config: { ca_file: options.caFile } } : {}),
          fail_if_body_not_matches_regexp: ['"result"\\s*:\\s*"0x[0-9a-fA-F]+"'],
        },
      },
      [BLACKBOX_TCP_MODULE]: { prober: "tcp", timeout: "5s" },
      [BLACKBOX_DNS_MODULE]: {
        prober: "dns",
        timeout: "5s",
        dns: { query_name: zone, query_type: "SOA", valid_rcodes: ["NOERROR"] },
      },
    },
  });
}
