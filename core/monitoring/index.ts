/** What a monitor runs, rendered from a plan: scrape targets and config, alert rules, Alertmanager config, dashboards. */
export * from "./alertmanager";
export * from "./dashboards";
export * from "./grafana";
export * from "./live";
export * from "./prometheus-config";
export * from "./rules";
export * from "./targets";
export * from "./workload";
