/**
 * How a Fleet deploys its GCP nodes: an explicit provider per project and region, one network for
 * the fleet with a subnet per region (CIDRs from core/layout), one host per node.
 */
import type * as pulumi from "@pulumi/pulumi";
import { machineShape } from "../cloud-data";
import { Provider as GcpProvider, type ProviderArgs as GcpProviderArgs } from "@pulumi/gcp/provider";
import { gcpSubnetCidrs } from "../../core/layout";
import { byRegion, cloudGatewaySite, diskProblems, plannedRegions, scaffold } from "../cloud-scope";
import type { PlannedNode } from "../../core/plan";
import type { FleetContext, GatewaySite, HostBinding } from "../hosts";
import type { NodeHostArgs, NodeHostOutputs } from "../node-host";
import { GCP_DATA, GCP_SUBNET_NUMBERS } from "./data";
import { GcpNodeHost, type GcpNodeHostArgs } from "./host";
import { GcpNetwork, type GcpNetworkRegion } from "./network";

export interface GcpFleetOptions {
  /** GCP project of every GCP node. @default the provider's own default (GOOGLE_PROJECT) */
  project?: string;
  /**
   * Subnet CIDR per region; the fleet's network holds them all, so they must not overlap. RPC ports
   * are open to all of them.
   * @default 10.<100 + n>.0.0/20 with the region's fixed number n (GCP_SUBNET_NUMBERS in components/gcp/data.ts)
   */
  subnetCidrs?: Record<string, string>;
  /** Zone per region. @default the region's first zone that is UP */
  zones?: Record<string, string>;
  /** Extra gcp.Provider args; `project` and `region` are set. @default {} */
  providerArgs?: Omit<GcpProviderArgs, "project" | "region">;
  /** Passed to every GcpNodeHost. @default none */
  transform?: GcpNodeHostArgs["transform"];
}

declare module "../hosts" {
  interface FleetProviderOptions {
    /** GCP options (project, subnet CIDRs, zones, provider args, transforms). @default {} */
    gcp?: GcpFleetOptions;
  }
}

export const gcpBinding: HostBinding = {
  preflight(nodes, ctx) {
    const opts = ctx.options.gcp ?? {};
    const problems: string[] = [];
    if (!opts.project && !process.env.GOOGLE_PROJECT && !process.env.GOOGLE_CLOUD_PROJECT) {
      problems.push("the plan places nodes on GCP: set sovereign:gcpProject (or gcp:project, or GOOGLE_PROJECT)");
    }
    try {
      gcpSubnetCidrs(plannedRegions(ctx, "gcp", nodes), GCP_SUBNET_NUMBERS, opts.subnetCidrs);
    } catch (e) {
      problems.push((e as Error).message);
    }
    const classes = ctx.catalog.providers.get("gcp")?.storageClasses;
    return [...problems, ...diskProblems(nodes, (n) => GCP_DATA.dataDisk(n.storage, machineShape(n), classes))];
  },

  deploy(nodes, ctx) {
    const opts = ctx.options.gcp ?? {};
    const { regions, net } = gcpNetwork(ctx, nodes);
    const hosts: Record<string, NodeHostOutputs> = {};
    for (const [region, list] of byRegion(nodes)) {
      for (const node of list) {
        hosts[node.id] = new GcpNodeHost(
          `${ctx.name}-${node.id}`,
          {
            ...ctx.host,
            node,
            rendered: ctx.workloads.get(node.id),
            overlay: ctx.overlayFor?.(node),
            networkCidrs: net.cidrs,
            network: net.networkId,
            subnetwork: net.subnetworks[region],
            zone: net.zones[region],
            transform: opts.transform,
          },
          { parent: ctx.parent, providers: [regions[region].provider] },
        );
      }
    }
    return hosts;
  },

  gatewaySite(gateway, ctx) {
    const { regions, net } = gcpNetwork(ctx, []);
    const region = gateway.region;
    return gcpGatewaySite(
      { network: net.networkId, subnetwork: net.subnetworks[region], zone: net.zones[region] },
      { providers: [regions[region].provider] },
    );
  },
};

/** A gateway on a Compute Engine VM in this network (RpcGatewayArgs.site). */
export function gcpGatewaySite(
  site: Omit<GcpNodeHostArgs, keyof NodeHostArgs>,
  opts?: pulumi.ComponentResourceOptions,
): GatewaySite {
  return cloudGatewaySite("gcp", { class: "pd-balanced", sizeGb: 10, local: false }, GcpNodeHost, site, opts);
}

/**
 * The fleet's network, with a provider and a subnet for every region of its GCP nodes and gateways,
 * made once (by `deploy`, which runs before any gateway asks, unless GCP holds gateways only).
 */
function gcpNetwork(ctx: FleetContext, nodes: readonly PlannedNode[]) {
  return scaffold(ctx, "gcp", () => {
    const opts = ctx.options.gcp ?? {};
    const planned = plannedRegions(ctx, "gcp", nodes);
    const cidrs = gcpSubnetCidrs(planned, GCP_SUBNET_NUMBERS, opts.subnetCidrs);
    const regions: Record<string, GcpNetworkRegion> = {};
    for (const region of planned) {
      regions[region] = {
        provider: new GcpProvider(
          `${ctx.name}-gcp-${region}`,
          { ...opts.providerArgs, project: opts.project, region },
          { parent: ctx.parent },
        ),
        cidr: cidrs[region],
        zone: opts.zones?.[region],
      };
    }
    const net = new GcpNetwork(`${ctx.name}-gcp`, { fleet: ctx.plan.fleet, regions }, { parent: ctx.parent });
    return { regions, net };
  });
}
