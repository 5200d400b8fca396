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
import { partImage, type Catalog } from "../catalog/load";
import type { Policy } from "../diversity/policy";
import type { Plan, PlannedMonitor } from "../plan/types";
import {
  DEFAULT_CONFIG_ROOT,
  DEFAULT_DATA_ROOT,
  type ComposeService,
  type PublishedPort,
  type Workload,
  workloadHome,
} from "../workload/render";
import { fillDeep, readTemplate } from "../workload/templates";
import { alertmanagerPeerFlags, renderAlertmanagerConfig, type AlertReceiver } from "./alertmanager";
import { GRAFANA_FILES, GRAFANA_PORT, renderGrafanaFiles } from "./grafana";
import { renderBlackboxConfig, renderPrometheusConfig } from "./prometheus-config";
import { renderRules } from "./rules";
import { renderTargets, type MachineAddress } from "./targets";

/** Ports of a monitor (the projects' defaults). */
export const MONITOR_PORTS = { prometheus: 9090, alertmanager: 9093, cluster: 9094, blackbox: 9115 } as const;

/** The programs, at the paths the official images (and, but Grafana, the lab's image) have them. */
export const MONITOR_PROGRAMS = {
  prometheus: "/bin/prometheus",
  alertmanager: "/bin/alertmanager",
  blackbox: "/bin/blackbox_exporter",
  nodeExporter: "/bin/node_exporter",
  grafana: "/usr/share/grafana/bin/grafana",
} as const;
export type MonitorImages = Record<keyof typeof MONITOR_PROGRAMS, string>;

/**
 * The official images a monitor runs on real hosts, pinned in catalog/images.yaml (their entrypoints
 * are the programs). The lab passes its own image built from Debian's packages
 * (e2e/lab/build-monitor-image.sh), which holds Prometheus' programs at the same paths.
 */
export function monitorImages(): MonitorImages {
  const programs = Object.keys(MONITOR_PROGRAMS) as Array<keyof MonitorImages>;
  return Object.fromEntries(programs.map((p) => [p, partImage(p)])) as MonitorImages;
}

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
  /** @default monitorImages() (catalog/images.yaml) */
  images?: Partial<MonitorImages>;
  /** Template directory. @default the package's `templates/` */
  templateDir?: string;
  /** Run Grafana with the dashboards provisioned (its admin password then goes to `grafanaPasswordPath`). @default false */
  grafana?: boolean;
}

export interface MonitorWorkload extends Workload {
  /** alertmanager.yml with `<secret:...>` placeholders (fillSecrets makes the file the host gets). */
  alertmanagerTemplate: string;
  /** Where alertmanager.yml goes on the host. */
  alertmanagerPath: string;
  /** Prometheus' URL on the monitor's overlay address. */
  overlayUrl: string;
  /** Where Grafana's admin password file goes on the host (0600), when Grafana runs. */
  grafanaPasswordPath?: string;
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
  const project = options.project ?? m.id;
  const home = workloadHome({ fleet, id: m.id, project, dataRoot, configDir });
  const { self } = input;
  if (!input.monitors.includes(self)) throw new Error(`${m.id}: its own address ${self} is not among the monitors'`);

  const grafana = options.grafana === true;
  const { files, alertmanagerTemplate } = monitorFiles(input, fleet, grafana);
  const compose = monitorCompose(input, {
    fleet,
    project,
    configDir,
    nodeDataDir: home.nodeDataDir,
    configHash: configHash(files, alertmanagerTemplate, input.monitors),
    images: { ...monitorImages(), ...options.images },
    templateDir: options.templateDir,
    grafana,
  });
  return {
    ...home,
    compose,
    composeYaml: `# docker compose project of Sovereign monitor ${m.id}; rendered by core/monitoring.\n${stringify(compose, { lineWidth: 0 })}`,
    ports: monitorPorts(self, grafana),
    dataDirs: {
      prometheus: `${home.nodeDataDir}/prometheus`,
      alertmanager: `${home.nodeDataDir}/alertmanager`,
      ...(grafana ? { grafana: `${home.nodeDataDir}/grafana` } : {}),
    },
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
    ...(grafana ? { grafanaPasswordPath: `${configDir}/files/${GRAFANA_FILES.adminPassword}` } : {}),
  };
}

/** A file of the monitor's configuration directory, by its path there. */
interface MonitorFile {
  name: string;
  content: string;
}

/** The configuration files (scrape targets, prometheus.yml, rules, blackbox.yml, Grafana's) and alertmanager.yml's template. */
function monitorFiles(
  input: MonitorWorkloadInput,
  fleet: string,
  grafana: boolean,
): { files: MonitorFile[]; alertmanagerTemplate: string } {
  const m = input.monitor;
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
    ...(grafana
      ? renderGrafanaFiles({ configDir: CONTAINER_CONFIG, dataDir: "/data", prometheusPort: MONITOR_PORTS.prometheus })
      : []),
  ];
  return { files, alertmanagerTemplate };
}

/** A changed configuration (or set of peers) recreates the containers: compose sees a changed label. */
function configHash(files: MonitorFile[], alertmanagerTemplate: string, monitors: readonly string[]): string {
  const hash = createHash("sha256");
  for (const f of files) hash.update(f.name).update(f.content);
  hash.update(alertmanagerTemplate).update(monitors.join());
  return hash.digest("hex").slice(0, 16);
}

/** Where and how the monitor's containers run. */
interface MonitorSetting {
  fleet: string;
  project: string;
  configDir: string;
  nodeDataDir: string;
  configHash: string;
  images: MonitorImages;
  templateDir?: string;
  /** Grafana beside them, the dashboards provisioned. */
  grafana: boolean;
}

/** The compose project: Prometheus, Alertmanager (and Grafana) keep data, the blackbox exporter none. */
function monitorCompose(
  input: MonitorWorkloadInput,
  setting: MonitorSetting,
): { services: Record<string, ComposeService> } {
  const m = input.monitor;
  const { self } = input;
  return {
    services: {
      prometheus: monitorService(
        m.id,
        setting,
        "prometheus",
        [
          `--config.file=${CONTAINER_CONFIG}/prometheus.yml`,
          "--storage.tsdb.path=/data",
          `--storage.tsdb.retention.time=${m.retention}`,
          `--web.listen-address=0.0.0.0:${MONITOR_PORTS.prometheus}`,
        ],
        "data",
      ),
      alertmanager: monitorService(
        m.id,
        setting,
        "alertmanager",
        [
          `--config.file=${CONTAINER_CONFIG}/alertmanager.yml`,
          "--storage.path=/data",
          `--web.listen-address=${self}:${MONITOR_PORTS.alertmanager}`,
          ...alertmanagerPeerFlags(self, input.monitors, MONITOR_PORTS.cluster),
        ],
        "data",
      ),
      blackbox: monitorService(m.id, setting, "blackbox", [
        `--config.file=${CONTAINER_CONFIG}/blackbox.yml`,
        `--web.listen-address=127.0.0.1:${MONITOR_PORTS.blackbox}`,
      ]),
      ...(setting.grafana
        ? {
            grafana: monitorService(
              m.id,
              setting,
              "grafana",
              ["server", "--homepath=/usr/share/grafana", `--config=${CONTAINER_CONFIG}/${GRAFANA_FILES.ini}`],
              "data",
            ),
          }
        : {}),
    },
  };
}

/** One program's container, from the compose-service template like a node's, labelled with the config hash. */
function monitorService(
  monitorId: string,
  setting: MonitorSetting,
  name: keyof MonitorImages,
  command: string[],
  data?: string,
): ComposeService {
  const defaults = fillDeep(
    parse(readTemplate("compose-service.yaml", setting.templateDir)) as Record<string, unknown>,
    { fleet: setting.fleet, node: monitorId, layer: "monitor", client: name, stopGracePeriod: "30s" },
    "templates/compose-service.yaml",
  ) as Omit<ComposeService, "image" | "container_name" | "command" | "volumes">;
  return {
    image: setting.images[name],
    container_name: `${setting.project}-${name}`,
    entrypoint: [MONITOR_PROGRAMS[name]],
    command,
    ...defaults,
    labels: { ...defaults.labels, "sovereign.monitor.config": setting.configHash },
    // Host network: the overlay address is the host's; root reads the 0700 config directory.
    network_mode: "host",
    user: "0:0",
    volumes: [
      `${setting.configDir}/files:${CONTAINER_CONFIG}:ro`,
      ...(data ? [`${setting.nodeDataDir}/${name}:/data`] : []),
    ],
  };
}

/**
 * The monitor's ports: Prometheus' API is the one port the host firewall opens (to the allowed CIDRs);
 * the rest stay on the overlay or loopback.
 */
function monitorPorts(self: string, grafana: boolean): PublishedPort[] {
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
  return [
    port("prometheus", MONITOR_PORTS.prometheus, "rpc"),
    port("alertmanager", MONITOR_PORTS.alertmanager, "private", self),
    port("alertmanager", MONITOR_PORTS.cluster, "private", self),
    port("blackbox", MONITOR_PORTS.blackbox, "private", "127.0.0.1"),
    // Grafana, like Prometheus' API, only to the allowed CIDRs and the overlay.
    ...(grafana ? [port("grafana", GRAFANA_PORT, "rpc")] : []),
  ];
}
