/**
 * The monitors of a Fleet: one Monitor per planned monitor (`Plan.monitors`, placed by the planner
 * from the spec's `monitoring` section) on its host, scraping every machine over the overlay, and a
 * NodeExporter on every bare-metal machine of the overlay (monitors' hosts included).
 */
import * as pulumi from "@pulumi/pulumi";
import type { Catalog } from "../../core/catalog/load";
import type { Policy } from "../../core/diversity/policy";
import type { MachineAddress } from "../../core/monitoring";
import { gatewaySources, machineOf, type OverlayPlan } from "../../core/overlay";
import type { Plan } from "../../core/plan";
import { hostConnection, type BareMetalFleetOptions } from "../baremetal/binding";
import type { FleetGatewayOutput } from "../gateway/fleet-gateways";
import { randomHexSecret, type NodeHostOutputs } from "../node-host";
import { placementOutput, type FleetPlacementOutput } from "../placement-output";
import { Monitor, type MonitorArgs } from "./monitor";
import { NodeExporter } from "./node-exporter";
import { present } from "../../core/present";

/** What every monitor of a Fleet shares (FleetArgs.monitoring). */
export type FleetMonitorOptions = Pick<
  MonitorArgs,
  "receivers" | "receiverSecrets" | "images" | "allowCidrs" | "transform" | "dns"
> & {
  /** The spec's policy: the sovereignty alerts' thresholds. */
  policy: Policy;
  /**
   * Grafana on every monitor, the dashboards provisioned, one generated admin password for all
   * (a Pulumi secret: `FleetMonitors.grafanaAdminPassword`). Off where hosts cannot pull its image.
   * @default true
   */
  grafana?: boolean;
};

/** What the Fleet reports per monitor (also the program's stack output). */
export interface FleetMonitorOutput extends FleetPlacementOutput {
  /** Prometheus on the host's address (reachable from `allowCidrs`): `sovereign status --prometheus`. */
  prometheusUrl: string;
  /** Prometheus on the overlay. */
  overlayUrl: string;
  /** Grafana on the host's address (reachable from `allowCidrs`), when it runs. */
  grafanaUrl?: string;
}

/** What stops the plan's monitors from deploying, before any resource exists. */
export function monitorProblems(
  plan: Plan,
  options: FleetMonitorOptions | undefined,
  reach: { overlay: boolean; baremetal: boolean },
): string[] {
  const monitors = plan.monitors ?? [];
  if (!monitors.length) return [];
  const problems: string[] = [];
  if (!options?.receivers.length)
    problems.push(
      `the plan has ${monitors.length} monitors and no alert receiver: set sovereign:alerts (e.g. [{type: webhook, name: ops}]) and its secret sovereign:alert-ops-url (docs/deploy.md)`,
    );
  if (!reach.overlay) problems.push("monitors scrape the fleet over the WireGuard overlay: set sovereign:overlay true");
  for (const m of monitors.filter((x) => x.provider !== "baremetal"))
    problems.push(
      `${m.id}: the plan puts this monitor on ${m.provider}; monitors deploy to bare-metal hosts only for now: set monitoring.sites to baremetal hosts`,
    );
  if (!reach.baremetal)
    problems.push("monitors are reached over SSH: set the bare-metal private key (sovereign:sshPrivateKey)");
  return problems;
}

/** Where monitors reach each node, gateway and host: its machine's overlay address (and a node's host port offset). */
function overlayAddresses(plan: Plan, overlay: OverlayPlan, hosts: Record<string, NodeHostOutputs>) {
  const out: Record<string, MachineAddress> = {};
  for (const n of plan.nodes) {
    const offset = hosts[n.id]?.hostPortOffset;
    out[n.id] = { address: machineOf(overlay, n.id).address, ...(offset ? { portOffset: offset } : {}) };
  }
  for (const g of plan.gateways) out[g.id] = { address: machineOf(overlay, g.id).address };
  return out;
}

/**
 * The gateways' public URLs the monitors probe with a real request: those of EVM chains (the
 * blackbox module sends eth_blockNumber; another RPC kind's answer would read as down).
 */
export function probedEndpoints(
  plan: Plan,
  catalog: Catalog,
  gateways: pulumi.Output<Record<string, FleetGatewayOutput>>,
): pulumi.Output<string[]> {
  const chainOf = new Map(plan.nodes.map((n) => [n.chainKey, n.chain]));
  const evm = (chainKey: string) => catalog.chains.get(chainOf.get(chainKey) ?? "")?.rpc.kind === "evm";
  return gateways.apply((gws) =>
    Object.values(gws).flatMap((g) =>
      Object.entries(g.endpoints)
        .filter(([chainKey]) => evm(chainKey))
        .map(([, url]) => url),
    ),
  );
}

/** One Monitor per planned monitor and one NodeExporter per bare-metal machine, children of the Fleet. */
export function deployMonitors(
  ctx: { parent: pulumi.ComponentResource; name: string; plan: Plan; catalog: Catalog },
  overlay: OverlayPlan,
  baremetal: BareMetalFleetOptions,
  hosts: Record<string, NodeHostOutputs>,
  options: FleetMonitorOptions,
  reach: { dependsOn: pulumi.Resource[]; endpoints: pulumi.Input<string[]> },
): Record<string, Monitor> {
  const { dependsOn } = reach;
  const { plan } = ctx;
  const monitors = plan.monitors ?? [];
  if (!monitors.length) return {};
  const fleet = plan.fleet;
  const byName = new Map(plan.hosts.map((h) => [h.name, h]));
  const exporters = overlay.machines
    .filter((m) => m.kind === "host")
    .map(
      (m) =>
        new NodeExporter(
          `${ctx.name}-${m.name}-node-exporter`,
          {
            connection: hostConnection(present(byName.get(m.name), `host ${m.name}`), baremetal),
            listen: m.address,
            fleet,
            image: options.images?.nodeExporter,
          },
          { parent: ctx.parent, dependsOn },
        ),
    );
  const peers = monitors.map((m) => machineOf(overlay, m.id).address);
  const sources = gatewaySources(overlay);
  const { grafana, ...monitorOptions } = options;
  // One login for every monitor's Grafana: whichever survives an outage opens with the same password.
  const grafanaAdminPassword =
    grafana === false ? undefined : randomHexSecret(ctx.parent, `${ctx.name}-grafana-admin-password`, 16);
  return Object.fromEntries(
    monitors.map((m, i) => [
      m.id,
      new Monitor(
        `${ctx.name}-${m.id}`,
        {
          ...monitorOptions,
          grafanaAdminPassword,
          monitor: m,
          plan,
          catalog: ctx.catalog,
          addresses: overlayAddresses(plan, overlay, hosts),
          self: peers[i],
          monitors: peers,
          site: {
            kind: "baremetal",
            connection: hostConnection(present(byName.get(m.host ?? ""), `host of ${m.id}`), baremetal),
            healthTimeoutSeconds: baremetal.healthTimeoutSeconds,
          },
          overlay: { interface: overlay.interface, sources },
          fleet,
          endpoints: reach.endpoints,
        },
        { parent: ctx.parent, dependsOn: [...dependsOn, ...exporters] },
      ),
    ]),
  );
}

/** The Fleet's per-monitor summary. */
export function monitorOutputs(
  plan: Plan,
  monitors: Record<string, Monitor>,
): pulumi.Output<Record<string, FleetMonitorOutput>> {
  return pulumi.output(
    Object.fromEntries(
      (plan.monitors ?? []).map((m) => [
        m.id,
        pulumi
          .all([monitors[m.id].prometheusUrl, monitors[m.id].overlayUrl, monitors[m.id].grafanaUrl])
          .apply(([prometheusUrl, overlayUrl, grafanaUrl]): FleetMonitorOutput => ({
            ...placementOutput(m),
            prometheusUrl,
            overlayUrl,
            ...(grafanaUrl ? { grafanaUrl } : {}),
          })),
      ]),
    ),
  );
}
