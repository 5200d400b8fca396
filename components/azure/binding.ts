/**
 * How a Fleet deploys its Azure nodes: an explicit provider per location, the location's resource
 * group and virtual network once, one host per node.
 */
import type * as pulumi from "@pulumi/pulumi";
import { machineShape } from "../cloud-data";
import { Provider as AzureProvider, type ProviderArgs as AzureProviderArgs } from "@pulumi/azure-native/provider";
import { subnetCidr } from "../../core/layout";
import type { PlannedGateway, PlannedNode } from "../../core/plan";
import { byRegion, cloudGatewaySite, diskProblems, regionTags, scaffold } from "../cloud-scope";
import type { FleetContext, GatewaySite, HostBinding } from "../hosts";
import type { NodeHostArgs, NodeHostOutputs } from "../node-host";
import { AZURE_DATA, AZURE_SUBNET_PREFIX } from "./data";
import { AzureNodeHost, type AzureNodeHostArgs } from "./host";
import { AzureNetwork } from "./network";

export interface AzureFleetOptions {
  /** Address space of each location's virtual network (its first /24 is the subnet); RPC ports are open to it. @default "10.42.0.0/16" */
  vnetCidr?: string;
  /** Extra azure-native Provider args (subscriptionId...); `location` is set per location. @default {} */
  providerArgs?: Omit<AzureProviderArgs, "location">;
  /** Passed to every AzureNodeHost. @default none */
  transform?: AzureNodeHostArgs["transform"];
}

declare module "../hosts" {
  interface FleetProviderOptions {
    /** Azure options (network, provider args, transforms). @default {} */
    azure?: AzureFleetOptions;
  }
}

export const azureBinding: HostBinding = {
  preflight(nodes, ctx) {
    const problems = diskProblems(nodes, (n) => AZURE_DATA.dataDisk(n.storage, machineShape(n)));
    const cidr = ctx.options.azure?.vnetCidr;
    if (cidr !== undefined) {
      try {
        subnetCidr(cidr, AZURE_SUBNET_PREFIX, 0, "azure.vnetCidr");
      } catch (e) {
        problems.push((e as Error).message);
      }
    }
    return problems;
  },

  deploy(nodes, ctx) {
    const opts = ctx.options.azure ?? {};
    const hosts: Record<string, NodeHostOutputs> = {};
    for (const [location, list] of byRegion(nodes)) {
      const { provider, net } = azureLocation(ctx, location, list);
      for (const node of list) {
        hosts[node.id] = new AzureNodeHost(
          `${ctx.name}-${node.id}`,
          {
            ...ctx.host,
            node,
            rendered: ctx.workloads.get(node.id),
            overlay: ctx.overlayFor?.(node),
            networkCidrs: [net.cidr],
            resourceGroupName: net.resourceGroupName,
            location,
            subnetId: net.subnetId,
            transform: opts.transform,
          },
          { parent: ctx.parent, providers: [provider] },
        );
      }
    }
    return hosts;
  },

  gatewaySite(gateway, ctx) {
    const location = gateway.region;
    const { provider, net } = azureLocation(ctx, location, [gateway]);
    return azureGatewaySite(
      { resourceGroupName: net.resourceGroupName, location, subnetId: net.subnetId },
      { providers: [provider] },
    );
  },
};

/** A gateway on an Azure VM in this virtual network (RpcGatewayArgs.site). */
export function azureGatewaySite(
  site: Omit<AzureNodeHostArgs, keyof NodeHostArgs>,
  opts?: pulumi.ComponentResourceOptions,
): GatewaySite {
  return cloudGatewaySite(
    "azure",
    { class: "Premium_LRS", sizeGb: 4, tier: "P1", local: false },
    AzureNodeHost,
    site,
    opts,
  );
}

/** A location's provider, resource group and virtual network, made once for its nodes and gateways. */
function azureLocation(ctx: FleetContext, location: string, placed: ReadonlyArray<PlannedNode | PlannedGateway>) {
  return scaffold(ctx, `azure/${location}`, () => {
    const opts = ctx.options.azure ?? {};
    const provider = new AzureProvider(
      `${ctx.name}-azure-${location}`,
      { ...opts.providerArgs, location },
      { parent: ctx.parent },
    );
    const net = new AzureNetwork(
      `${ctx.name}-azure-${location}`,
      { location, tags: regionTags(ctx, "azure", location, placed), cidr: opts.vnetCidr },
      { parent: ctx.parent, providers: [provider] },
    );
    return { provider, net };
  });
}
