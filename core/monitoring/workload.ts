/**
 * A monitor as a workload, in the same shape as a node's or a gateway's (core/workload): a docker
 * compose project with Prometheus, Alertmanager and the blackbox exporter, fed the files this folder
 * renders (scrape targets, prometheus.yml, the rule file, blackbox.yml, alertmanager.yml with its
 * secrets as placeholders). Everything runs on the host's network: Prometheus and Alertmanager
 * listen on the monitor's overlay address (the Alertmanagers gossip there as one cluster), the
 * blackbox exporter on loopback; Prometheus' API also on the host's address, which the host
 * firewall opens only to the allowed CIDRs. Pure: secrets enter in the component (fillSecrets).
 */
import { createHash } from "node:crypto";
import { parse, stringify } from "yaml";
import type { Catalog } from "../catalog/load";
import type { Policy } from "../diversity/policy";
import type { Plan, PlannedMonitor } from "../plan/types";
import {
  DEFAULT_CONFIG_ROOT,
  DEFAULT_DATA_ROOT,
  type ComposeService,
  type PublishedPort,
  type Workload,
} from "../workload/render";
import { fillDeep, readTemplate } from "../workload/templates";
import { alertmanagerPeerFlags, renderAlertmanagerConfig, type AlertReceiver } from "./alertmanager";
import { renderBlackboxConfig, renderPrometheusConfig } from "./prometheus-config";
import { renderRules } from "./rules";
import { renderTargets, type MachineAddress } from "./targets";

/** Ports of a monitor (the projects' defaults). */
export const MONITOR_PORTS = { prometheus: 9090, alertmanager: 9093, cluster: 9094, blackbox: 9115 } as const;

/**
 * The official images a monitor runs on real hosts, pinned (their entrypoints are the programs).
 * The lab passes its own image built from Debian's packages (e2e/lab/build-monitor-image.sh), which
 * holds all of them at the same paths.
 */
export const MONITOR_IMAGES = {
  prometheus: "prom/prometheus:v2.53.4",
  alertmanager: "prom/alertmanager:v0.28.1",
  blackbox: "prom/blackbox-exporter:v0.26.0",
  nodeExporter: "prom/node-exporter:v1.9.1",
} as const;
export type MonitorImages = Record<keyof typeof MONITOR_IMAGES, string>;

/** The programs, at the paths the official images (and the lab's image) have them. */
export const MONITOR_PROGRAMS: Record<keyof MonitorImages, string> = {
  prometheus: "/bin/prometheus",
  alertmanager: "/bin/alertmanager",
  blackbox: "/bin/blackbox_exporter",
  nodeExporter: "/bin/node_exporter",
};

/** Where the containers see the monitor's configuration directory. */
const CONTAINER_CONFIG = "/etc/sovereign-monitor";

export interface MonitorWorkloadInput {
  monitor: PlannedMonitor;
  plan: Pick<Plan, "nodes" | "gateways"> & { monitors?: Plan["monitors"] };
  catalog: Catalog;
  /** The spec's policy: the sovereignty alerts' thresholds. */
  policy: Policy;
  /** Where the monitor reaches each machine, by node id, gateway id or host name (overlay addresses). */
  addresses: Readonly<Record<string, MachineAddress>>;
  /** This monitor's overlay address, and every monitor's (the Alertmanager cluster and the alert targets). */
  self: string;
  monitors: readonly string[];
  receivers: readonly AlertReceiver[];
  /** Public RPC URLs probed from outside (gateway endpoints, the hostname). @default none */
  endpoints?: readonly string[];
  /** The fleet's zone and its DNS servers (host or host:port), each asked for the zone's SOA. @default none */
  dns?: MonitoredDns;
}

/** A zone and the DNS servers that answer for it. */
export interface MonitoredDns {
  zone: string;
  servers: readonly string[];
}

export interface MonitorWorkloadOptions {
  /** Fleet name, written into container labels. @default "sovereign" */
  fleet?: string;
  /** @default "/srv/sovereign" */
  dataRoot?: string;
  /** @default "/etc/sovereign" */
  configRoot?: string;
  /** docker compose project name. @default the monitor id */
  project?: string;
  /** @default MONITOR_IMAGES */
  images?: Partial<MonitorImages>;
  /** Template directory. @default the package's `templates/` */
  templateDir?: string;
}

export interface MonitorWorkload extends Workload {
  /** alertmanager.yml with `<secret:...>` placeholders (fillSecrets makes the file the host gets). */
  alertmanagerTemplate: string;
  /** Where alertmanager.yml goes on the host. */
  alertmanagerPath: string;
  /** Prometheus' URL on the monitor's overlay address. */
  overlayUrl: string;
}

/** The monitor's compose project and its files (all but alertmanager.yml, which holds secrets). */
export function renderMonitorWorkload(
  input: MonitorWorkloadInput,
  options: MonitorWorkloadOptions = {},
): MonitorWorkload {
  const m = input.monitor;
  const fleet = options.fleet ?? "sovereign";
  const dataRoot = (options.dataRoot ?? DEFAULT_DATA_ROOT).replace(/\/+$/, "");
  const configDir = `${(options.configRoot ?? DEFAULT_CONFIG_ROOT).replace(/\/+$/, "")}/${m.id}`;
  const nodeDataDir = `${dataRoot}/${m.id}`;
  const project = options.project ?? m.id;
  const images = { ...MONITOR_IMAGES, ...options.images };
  const { self } = input;
  if (!input.monitors.includes(self)) throw new Error(`${m.id}: its own address ${self} is not among the monitors'`);

  const targets = renderTargets({
    plan: input.plan,
    catalog: input.catalog,
    addresses: input.addresses,
    endpoints: input.endpoints,
    dnsServers: input.dns?.servers,
  });
  const prometheusYml = renderPrometheusConfig({
    targetsDir: `${CONTAINER_CONFIG}/targets`,
    ruleFiles: [`${CONTAINER_CONFIG}/rules.yml`],
    alertmanagers: input.monitors.map((a) => `${a}:${MONITOR_PORTS.alertmanager}`),
    blackbox: `127.0.0.1:${MONITOR_PORTS.blackbox}`,
    scrapeIntervalSeconds: m.scrapeIntervalSeconds,
    externalLabels: { monitor: m.id, fleet },
    replicaLabel: "monitor",
  });
  const rules = renderRules({
    plan: input.plan,
    policy: input.policy,
    catalog: input.catalog,
    options: { nodeDownSeconds: m.downAfterSeconds, unreachableSeconds: m.downAfterSeconds },
  });
  const alertmanagerTemplate = renderAlertmanagerConfig(
    input.receivers,
    `${m.groupWaitSeconds}s`,
    `${m.groupIntervalSeconds}s`,
  );
  const files = [
    { name: "prometheus.yml", content: prometheusYml },
    { name: "rules.yml", content: rules },
    { name: "blackbox.yml", content: renderBlackboxConfig(input.dns?.zone ?? fleet) },
    ...Object.entries(targets).map(([job, groups]) => ({
      name: `targets/${job}.json`,
      content: `${JSON.stringify(groups, null, 2)}\n`,
    })),
  ];
  // A changed configuration (or set of peers) recreates the containers: compose sees a changed label.
  const hash = createHash("sha256");
  for (const f of files) hash.update(f.name).update(f.content);
  hash.update(alertmanagerTemplate).update(input.monitors.join());
  const configHash = hash.digest("hex").slice(0, 16);

  const service = (name: keyof MonitorImages, command: string[], data?: string): ComposeService => {
    const defaults = fillDeep(
      parse(readTemplate("compose-service.yaml", options.templateDir)) as Record<string, unknown>,
      { fleet, node: m.id, layer: "monitor", client: name, stopGracePeriod: "30s" },
      "templates/compose-service.yaml",
    ) as Omit<ComposeService, "image" | "container_name" | "command" | "volumes">;
    return {
      image: images[name],
      container_name: `${project}-${name}`,
      entrypoint: [MONITOR_PROGRAMS[name]],
      command,
      ...defaults,
      labels: { ...defaults.labels, "sovereign.monitor.config": configHash },
      // Host network: the overlay address is the host's; root reads the 0700 config directory.
      network_mode: "host",
      user: "0:0",
      volumes: [`${configDir}/files:${CONTAINER_CONFIG}:ro`, ...(data ? [`${nodeDataDir}/${name}:/data`] : [])],
    };
  };
  const compose = {
    services: {
      prometheus: service(
        "prometheus",
        [
          `--config.file=${CONTAINER_CONFIG}/prometheus.yml`,
          "--storage.tsdb.path=/data",
          `--storage.tsdb.retention.time=${m.retention}`,
          `--web.listen-address=0.0.0.0:${MONITOR_PORTS.prometheus}`,
        ],
        "data",
      ),
      alertmanager: service(
        "alertmanager",
        [
          `--config.file=${CONTAINER_CONFIG}/alertmanager.yml`,
          "--storage.path=/data",
          `--web.listen-address=${self}:${MONITOR_PORTS.alertmanager}`,
          ...alertmanagerPeerFlags(self, input.monitors, MONITOR_PORTS.cluster),
        ],
        "data",
      ),
      blackbox: service("blackbox", [
        `--config.file=${CONTAINER_CONFIG}/blackbox.yml`,
        `--web.listen-address=127.0.0.1:${MONITOR_PORTS.blackbox}`,
      ]),
    },
  };
  const port = (name: string, p: number, exposure: PublishedPort["exposure"], hostIp?: string): PublishedPort => ({
    service: name,
    client: name,
    name,
    port: p,
    containerPort: p,
    protocol: "tcp",
    exposure,
    ...(hostIp ? { hostIp } : {}),
  });
  return {
    fleet,
    node: m.id,
    project,
    dataRoot,
    nodeDataDir,
    configDir,
    unit: `sovereign-${project}.service`,
    compose,
    composeYaml: `# docker compose project of Sovereign monitor ${m.id}; rendered by core/monitoring.\n${stringify(compose, { lineWidth: 0 })}`,
    // Prometheus' API is the one port the host firewall opens (to the allowed CIDRs); the rest stay on the overlay or loopback.
    ports: [
      port("prometheus", MONITOR_PORTS.prometheus, "rpc"),
      port("alertmanager", MONITOR_PORTS.alertmanager, "private", self),
      port("alertmanager", MONITOR_PORTS.cluster, "private", self),
      port("blackbox", MONITOR_PORTS.blackbox, "private", "127.0.0.1"),
    ],
    dataDirs: { prometheus: `${nodeDataDir}/prometheus`, alertmanager: `${nodeDataDir}/alertmanager` },
    rpc: { service: "prometheus", port: MONITOR_PORTS.prometheus },
    hostPortOffset: 0,
    needsJwt: false,
    needsRpcPassword: false,
    secrets: [],
    files: files.map((f) => ({
      service: "monitor",
      name: f.name,
      hostPath: `${configDir}/files/${f.name}`,
      containerPath: `${CONTAINER_CONFIG}/${f.name}`,
      content: f.content,
    })),
    templateDir: options.templateDir,
    alertmanagerTemplate,
    alertmanagerPath: `${configDir}/files/alertmanager.yml`,
    overlayUrl: `http://${self}:${MONITOR_PORTS.prometheus}`,
  };
}
