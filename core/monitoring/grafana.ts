/**
 * Grafana on a monitor, provisioned from files (no clicks, nothing kept only in its database): the
 * monitor's own Prometheus as the default data source and every dashboard of `dashboards.ts`, read
 * only. Its settings live in one grafana.ini: the admin password is read from a 0600 file that only
 * the component fills (Grafana's `$__file{}` expansion), so no secret is in the compose file, the
 * command line or the environment; anonymous access, sign-up, usage reporting and update checks are
 * off (a fleet's monitor does not phone home).
 */
import { stringify } from "yaml";
import { renderDashboards } from "./dashboards";

/** Grafana's HTTP port (its default). */
export const GRAFANA_PORT = 3000;

/** Where a monitor keeps Grafana's files, under the directory its containers see as `configDir`. */
export const GRAFANA_FILES = {
  ini: "grafana/grafana.ini",
  adminPassword: "grafana/admin-password",
  datasources: "grafana/provisioning/datasources/sovereign.yaml",
  dashboardProviders: "grafana/provisioning/dashboards/sovereign.yaml",
  dashboards: "grafana/dashboards",
} as const;

export interface GrafanaFilesInput {
  /** Where the monitor's containers see its configuration directory. */
  configDir: string;
  /** Where Grafana's container keeps its database, plugins and logs. */
  dataDir: string;
  /** Prometheus' port on the same host (Grafana reaches it on loopback: host network). */
  prometheusPort: number;
}

/** grafana.ini, the provisioning files and the dashboards (every file but the admin password). */
export function renderGrafanaFiles(input: GrafanaFilesInput): Array<{ name: string; content: string }> {
  const at = (file: string) => `${input.configDir}/${file}`;
  const ini = [
    "# Grafana of a Sovereign monitor; rendered by core/monitoring/grafana.ts.",
    "[paths]",
    `data = ${input.dataDir}`,
    `logs = ${input.dataDir}/log`,
    `plugins = ${input.dataDir}/plugins`,
    `provisioning = ${at("grafana/provisioning")}`,
    "[server]",
    `http_port = ${GRAFANA_PORT}`,
    "[security]",
    "admin_user = admin",
    `admin_password = $__file{${at(GRAFANA_FILES.adminPassword)}}`,
    "disable_gravatar = true",
    "[users]",
    "allow_sign_up = false",
    "[auth.anonymous]",
    "enabled = false",
    "[analytics]",
    "reporting_enabled = false",
    "check_for_updates = false",
    "check_for_plugin_updates = false",
    "[news]",
    "news_feed_enabled = false",
    "",
  ].join("\n");
  const datasources = {
    apiVersion: 1,
    datasources: [
      {
        name: "Prometheus",
        uid: "prometheus",
        type: "prometheus",
        access: "proxy",
        url: `http://127.0.0.1:${input.prometheusPort}`,
        isDefault: true,
        editable: false,
      },
    ],
  };
  const providers = {
    apiVersion: 1,
    providers: [
      {
        name: "sovereign",
        folder: "Sovereign",
        type: "file",
        disableDeletion: true,
        allowUiUpdates: false,
        options: { path: at(GRAFANA_FILES.dashboards) },
      },
    ],
  };
  return [
    { name: GRAFANA_FILES.ini, content: ini },
    { name: GRAFANA_FILES.datasources, content: stringify(datasources) },
    { name: GRAFANA_FILES.dashboardProviders, content: stringify(providers) },
    ...Object.entries(renderDashboards()).map(([file, content]) => ({
      name: `${GRAFANA_FILES.dashboards}/${file}`,
      content,
    })),
  ];
}
