import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import type * as command from "@pulumi/command";
import { loadCatalog, type Catalog } from "../../core/catalog/load";
import type { Policy } from "../../core/diversity/policy";
import {
  fillSecrets,
  receiverSecrets,
  renderMonitorWorkload,
  GRAFANA_PORT,
  MONITOR_PORTS,
  type AlertReceiver,
  type MachineAddress,
  type MonitorImages,
  type MonitoredDns,
  type MonitorWorkload,
} from "../../core/monitoring";
import type { Plan, PlannedMonitor } from "../../core/plan";
import { nftTableName, renderNftables } from "../../core/workload/nftables";
import { workloadFiles, type WorkloadFile } from "../../core/workload/render";
import { fill, readTemplate } from "../../core/workload/templates";
import { baremetalWorkloadOptions } from "../../core/workload/baremetal";
import { templateValues, uploadScript, type BareMetalConnection } from "../baremetal/host";
import { remoteCommand, sshConnection } from "../baremetal/remote";
import type { Transform } from "../transform";

export interface MonitorArgs {
  /** The planned monitor (an entry of `Plan.monitors`); its settings (retention, intervals) come with it. */
  monitor: PlannedMonitor;
  /** The plan: every node and gateway is a scrape target, labelled with its placement. */
  plan: Pick<Plan, "nodes" | "gateways" | "monitors">;
  /** The spec's policy: the sovereignty alerts' thresholds. */
  policy: Policy;
  /**
   * Where this monitor reaches each machine, by node id, gateway id or host name: overlay addresses,
   * with a bare-metal node's host port offset. The Fleet passes its overlay's.
   */
  addresses: pulumi.Input<Record<string, MachineAddress>>;
  /** This monitor's overlay address, and every monitor's: the Alertmanagers form one cluster over them. */
  self: string;
  monitors: string[];
  /**
   * Alert receivers (core/monitoring AlertReceiver: webhook, email, slack, pagerduty); the program
   * reads them from `sovereign:alerts`.
   * @example [{ type: "webhook", name: "ops" }]
   */
  receivers: AlertReceiver[];
  /**
   * Each receiver's secret (webhook or Slack URL, SMTP password, PagerDuty routing key), keyed by
   * `receiverSecrets(receiver)` (`<name>-url`, `<name>-password`, `<name>-routing-key`). Pass secrets.
   * @example { "ops-url": config.requireSecret("alert-ops-url") }
   */
  receiverSecrets: Record<string, pulumi.Input<string>>;
  /** Where it runs: a bare-metal host over SSH (the one kind of site monitors deploy to for now). */
  site: { kind: "baremetal"; connection: BareMetalConnection; /** @default 120 */ healthTimeoutSeconds?: number };
  /** CIDRs that may reach Prometheus' API (port 9090) on the host's address, e.g. where `sovereign status` runs. @default [] (the overlay and the host itself only) */
  allowCidrs?: string[];
  /** The overlay: its interface and the machines that may reach Prometheus through it. @default none */
  overlay?: { interface: string; sources: string[] };
  /** Fleet name (labels, paths). @default "sovereign" */
  fleet?: string;
  /** Images per program. @default monitorImages() (official, pinned in catalog/images.yaml); the lab passes its Debian-built image for Prometheus' programs */
  images?: Partial<MonitorImages>;
  /**
   * Grafana's admin password: given, the monitor also runs Grafana (port 3000, open like Prometheus'
   * API) with its Prometheus and every dashboard provisioned. Pass a secret.
   * @default none (no Grafana)
   * @example randomHexSecret(this, "grafana-admin-password", 16)
   */
  grafanaAdminPassword?: pulumi.Input<string>;
  /** Public RPC URLs the blackbox exporter probes with a real request (gateway endpoints). @default none */
  endpoints?: pulumi.Input<string[]>;
  /**
   * The fleet's zone and its DNS servers, each asked for the zone's SOA (SovereignDnsNotAnswering).
   * @default none
   * @example { zone: "rpc.example.org", servers: ["203.0.113.53"] }
   */
  dns?: MonitoredDns;
  /** Catalog of the plan. @default the bundled catalog */
  catalog?: Catalog;
  /** Edit the args of the bare-metal remote commands. @default none */
  transform?: {
    upload?: Transform<command.remote.CommandArgs>;
    firewall?: Transform<command.remote.CommandArgs>;
    start?: Transform<command.remote.CommandArgs>;
  };
}

/**
 * Every file of the monitor's host, alertmanager.yml filled with the receivers' secrets and
 * Grafana's password file among them: the whole list (and the script that uploads it) is a secret.
 */
function hostFiles(
  workload: pulumi.Output<MonitorWorkload>,
  receiverSecrets: MonitorArgs["receiverSecrets"],
  grafanaPassword: pulumi.Output<string>,
): pulumi.Output<WorkloadFile[]> {
  const secrets = pulumi.secret(pulumi.output(receiverSecrets));
  return pulumi.secret(
    pulumi
      .all([workload, secrets, grafanaPassword])
      .apply(([w, s, password]) => [
        ...workloadFiles(w),
        { path: w.alertmanagerPath, content: fillSecrets(w.alertmanagerTemplate, s), mode: "0600", secret: true },
        ...(w.grafanaPasswordPath
          ? [{ path: w.grafanaPasswordPath, content: password, mode: "0600", secret: true }]
          : []),
      ]),
  );
}

/** What the monitor needs that its args lack, before any resource exists. */
function checkArgs(args: MonitorArgs): void {
  const m = args.monitor;
  if (args.site.kind !== m.provider)
    throw new Error(`${m.id}: site.kind is ${args.site.kind} but the plan puts this monitor on ${m.provider}`);
  const missing = args.receivers.map(receiverSecrets).filter((s) => args.receiverSecrets[s] === undefined);
  if (missing.length)
    throw new Error(`${m.id}: no value for the receiver secret(s) ${missing.join(", ")} (MonitorArgs.receiverSecrets)`);
}

/**
 * A monitor of the fleet: Prometheus, Alertmanager, the blackbox exporter (and Grafana with the
 * fleet's dashboards, given `grafanaAdminPassword`) as one compose project
 * on its planned host, fed the configs core/monitoring renders from the plan (file_sd targets with
 * the plan's labels, the node, access and sovereignty rules, blackbox modules). Its Alertmanager
 * joins every other monitor's in one gossip cluster, so an alert is notified once; receivers'
 * credentials stay Pulumi secrets up to the host's 0600 file. Prometheus' API is open on the host
 * only to `allowCidrs` and the overlay (host firewall); Alertmanager listens on the overlay only.
 *
 * @example
 * const monitor = new Monitor("monitor-1", {
 *   monitor: plan.monitors![0], plan, policy: spec.policy,
 *   addresses: { "eth-fra-1-1": { address: "100.72.0.2" } }, self: "100.72.0.2", monitors: ["100.72.0.2", "100.72.0.3"],
 *   receivers: [{ type: "webhook", name: "ops" }], receiverSecrets: { "ops-url": config.requireSecret("alert-ops-url") },
 *   site: { kind: "baremetal", connection: { host: "203.0.113.7", privateKey: config.requireSecret("sshPrivateKey") } },
 * });
 * export const prometheus = monitor.prometheusUrl;
 */
export class Monitor extends pulumi.ComponentResource {
  readonly monitorId: string;
  /** Prometheus' URL on the host's address (reachable from `allowCidrs`): what `sovereign status` reads. */
  readonly prometheusUrl: pulumi.Output<string>;
  /** Prometheus' URL on the overlay. */
  readonly overlayUrl: pulumi.Output<string>;
  /** Grafana's URL on the host's address (reachable from `allowCidrs`), when it runs. */
  readonly grafanaUrl: pulumi.Output<string | undefined>;
  /** Grafana's admin password (user `admin`), a secret, when it runs. */
  readonly grafanaAdminPassword?: pulumi.Output<string>;

  constructor(name: string, args: MonitorArgs, opts?: pulumi.ComponentResourceOptions) {
    super("sovereign:monitoring:Monitor", name, {}, opts);
    const m = args.monitor;
    const fleet = args.fleet ?? "sovereign";
    checkArgs(args);
    const catalog = args.catalog ?? loadCatalog();
    const roots = baremetalWorkloadOptions(fleet, m.id, 0);
    const render = (addresses: Record<string, MachineAddress>, endpoints: string[]): MonitorWorkload =>
      renderMonitorWorkload(
        {
          monitor: m,
          plan: args.plan,
          catalog,
          policy: args.policy,
          addresses,
          self: args.self,
          monitors: args.monitors,
          receivers: args.receivers,
          endpoints,
          dns: args.dns,
        },
        {
          ...{ fleet, images: args.images, grafana: args.grafanaAdminPassword !== undefined },
          ...{ dataRoot: roots.dataRoot, configRoot: roots.configRoot, project: roots.project },
        },
      );
    const workload = pulumi
      .all([pulumi.output(args.addresses), pulumi.output(args.endpoints ?? [])])
      .apply(([addresses, endpoints]) => render(addresses, endpoints));
    const grafanaPassword = pulumi.secret(pulumi.output(args.grafanaAdminPassword ?? ""));
    const files = hostFiles(workload, args.receiverSecrets, grafanaPassword);

    const site = args.site;
    const connection = sshConnection(site.connection);
    const p = { parent: this };
    // Paths, project and ports do not depend on the addresses: the scripts are known at preview.
    const shape = workload.apply((w) => templateValues(fleet, w, site.healthTimeoutSeconds ?? 120));
    const claim = shape.apply((v) => fill(readTemplate("baremetal/claim.sh"), v, "templates/baremetal/claim.sh"));
    const upload = pulumi.secret(pulumi.all([claim, files]).apply(([c, f]) => c + uploadScript(f)));
    const uploaded = remoteCommand(
      args.transform?.upload,
      `${name}-upload`,
      {
        connection,
        create: "sh -s",
        update: "sh -s",
        stdin: upload,
        delete: shape.apply((v) => fill(readTemplate("baremetal/down.sh"), v, "templates/baremetal/down.sh")),
        logging: "stdoutAndStderr",
      },
      p,
    );
    const firewall = remoteCommand(
      args.transform?.firewall,
      `${name}-firewall`,
      {
        connection,
        create: "nft -f -",
        update: "nft -f -",
        stdin: workload.apply((w) =>
          // Only Prometheus' API is on the host's address; Alertmanager and its gossip listen on the
          // overlay address (reached through WireGuard only), the blackbox exporter on loopback.
          renderNftables(
            w.node,
            w.ports.filter((port) => port.exposure === "rpc"),
            { rpcAllowCidrs: args.allowCidrs ?? [], fleet, overlay: args.overlay },
          ),
        ),
        delete: `nft delete table inet ${nftTableName(m.id, fleet)} 2>/dev/null || true`,
      },
      p,
    );
    remoteCommand(
      args.transform?.start,
      `${name}-start`,
      {
        connection,
        create: shape.apply((v) => fill(readTemplate("baremetal/up.sh"), v, "templates/baremetal/up.sh")),
        // Changed files start the project again; the hash says "changed" without the secrets.
        triggers: [upload.apply((s) => createHash("sha256").update(s).digest("hex"))],
        logging: "stdoutAndStderr",
      },
      { ...p, dependsOn: [uploaded, firewall] },
    );
    this.monitorId = m.id;
    this.prometheusUrl = pulumi.output(`http://${site.connection.host}:${MONITOR_PORTS.prometheus}`);
    this.overlayUrl = workload.apply((w) => w.overlayUrl);
    if (args.grafanaAdminPassword !== undefined) this.grafanaAdminPassword = grafanaPassword;
    this.grafanaUrl = pulumi.output(
      args.grafanaAdminPassword === undefined ? undefined : `http://${site.connection.host}:${GRAFANA_PORT}`,
    );
    this.registerOutputs({
      ...{ monitorId: this.monitorId, prometheusUrl: this.prometheusUrl, overlayUrl: this.overlayUrl },
      grafanaUrl: this.grafanaUrl,
    });
  }
}
