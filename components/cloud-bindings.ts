/**
 * How a Fleet deploys its AWS, GCP and Azure nodes: explicit providers per AWS region, GCP
 * project+region and Azure location, the shared network scaffolding once per region, and one host
 * component per node. Registered in the host table (components/hosts.ts) on import.
 */
import { Provider as AwsProvider, type ProviderArgs as AwsProviderArgs } from "@pulumi/aws/provider";
import { Provider as GcpProvider, type ProviderArgs as GcpProviderArgs } from "@pulumi/gcp/provider";
import { Provider as AzureProvider, type ProviderArgs as AzureProviderArgs } from "@pulumi/azure-native/provider";
import type { PlannedNode } from "../core/plan";
import { fleetTags } from "../core/workload/tags";
import { AwsNetwork } from "./aws/network";
import { AwsNodeHost, type AwsNodeHostArgs } from "./aws/host";
import { AzureNetwork } from "./azure/network";
import { AzureNodeHost, type AzureNodeHostArgs } from "./azure/host";
import { GcpNetwork, type GcpNetworkRegion } from "./gcp/network";
import { GcpNodeHost, type GcpNodeHostArgs } from "./gcp/host";
import { registerHostBinding, type FleetContext, type HostBinding } from "./hosts";
import type { NodeHostOutputs } from "./node-host";

export interface AwsFleetOptions {
  /** `dedicated` VPC per region, or the account's `default` VPC. @default "dedicated" */
  network?: "dedicated" | "default";
  /**
   * CIDR of each dedicated VPC; with `network: "default"`, the default VPC's CIDR (checked at deploy).
   * RPC ports are open to it. @default "10.42.0.0/16" (dedicated), "172.31.0.0/16" (default)
   */
  vpcCidr?: string;
  /** Extra aws.Provider args (profile, assumeRole...); `region` is set per region. @default {} */
  providerArgs?: Omit<AwsProviderArgs, "region">;
  /** KMS key for EBS volumes. @default the account's aws/ebs key */
  kmsKeyId?: string;
  /** Passed to every AwsNodeHost. @default none */
  transform?: AwsNodeHostArgs["transform"];
}

export interface GcpFleetOptions {
  /** GCP project of every GCP node. @default the provider's own default (GOOGLE_PROJECT) */
  project?: string;
  /**
   * Subnet CIDR per region; the fleet's network holds them all, so they must not overlap. RPC ports
   * are open to all of them.
   * @default 10.<100 + the region's index in catalog/providers/gcp.yaml>.0.0/20
   */
  subnetCidrs?: Record<string, string>;
  /** Zone per region. @default the region's first zone that is UP */
  zones?: Record<string, string>;
  /** Extra gcp.Provider args; `project` and `region` are set. @default {} */
  providerArgs?: Omit<GcpProviderArgs, "project" | "region">;
  /** Passed to every GcpNodeHost. @default none */
  transform?: GcpNodeHostArgs["transform"];
}

export interface AzureFleetOptions {
  /** Address space of each location's virtual network; RPC ports are open to it. @default "10.42.0.0/16" */
  vnetCidr?: string;
  /** Extra azure-native Provider args (subscriptionId...); `location` is set per location. @default {} */
  providerArgs?: Omit<AzureProviderArgs, "location">;
  /** Passed to every AzureNodeHost. @default none */
  transform?: AzureNodeHostArgs["transform"];
}

declare module "./hosts" {
  interface FleetProviderOptions {
    /** AWS options (network mode, provider args, KMS key, transforms). @default {} */
    aws?: AwsFleetOptions;
    /** GCP options (project, subnet CIDRs, zones, provider args, transforms). @default {} */
    gcp?: GcpFleetOptions;
    /** Azure options (network, provider args, transforms). @default {} */
    azure?: AzureFleetOptions;
  }
}

function byRegion(nodes: PlannedNode[]): Array<[string, PlannedNode[]]> {
  const map = new Map<string, PlannedNode[]>();
  for (const n of nodes) map.set(n.region, [...(map.get(n.region) ?? []), n]);
  return [...map].sort(([a], [b]) => a.localeCompare(b));
}

function scope(ctx: FleetContext, provider: string, region: string, nodes: PlannedNode[]) {
  return fleetTags({ fleet: ctx.plan.fleet, provider, operator: nodes[0].operator, region, jurisdiction: nodes[0].jurisdiction });
}

export const awsBinding: HostBinding = {
  deploy(nodes, ctx) {
    const opts = ctx.options.aws ?? {};
    const hosts: Record<string, NodeHostOutputs> = {};
    for (const [region, list] of byRegion(nodes)) {
      const provider = new AwsProvider(`${ctx.name}-aws-${region}`, { ...opts.providerArgs, region }, { parent: ctx.parent });
      const net = new AwsNetwork(`${ctx.name}-aws-${region}`, {
        tags: scope(ctx, "aws", region, list), mode: opts.network, cidr: opts.vpcCidr, sshPublicKey: ctx.host.sshPublicKey,
      }, { parent: ctx.parent, providers: [provider] });
      for (const node of list) {
        hosts[node.id] = new AwsNodeHost(`${ctx.name}-${node.id}`, {
          ...ctx.host, node, networkCidrs: net.cidrBlocks,
          vpcId: net.vpcId, subnetId: net.subnetId, availabilityZone: net.availabilityZone, keyName: net.keyName,
          kmsKeyId: opts.kmsKeyId, transform: opts.transform,
        }, { parent: ctx.parent, providers: [provider] });
      }
    }
    return hosts;
  },
};

export const gcpBinding: HostBinding = {
  deploy(nodes, ctx) {
    const opts = ctx.options.gcp ?? {};
    const catalogRegions = ctx.catalog.providers.get("gcp")?.regions.map((r) => r.id) ?? [];
    const regions: Record<string, GcpNetworkRegion> = {};
    for (const [region] of byRegion(nodes)) {
      const index = catalogRegions.indexOf(region);
      const cidr = opts.subnetCidrs?.[region] ?? (index >= 0 ? `10.${100 + index}.0.0/20` : undefined);
      if (!cidr) throw new Error(`gcp region ${region} is not in the catalog: set gcp.subnetCidrs.${region}`);
      regions[region] = {
        provider: new GcpProvider(`${ctx.name}-gcp-${region}`, { ...opts.providerArgs, project: opts.project, region }, { parent: ctx.parent }),
        cidr,
        zone: opts.zones?.[region],
      };
    }
    const net = new GcpNetwork(`${ctx.name}-gcp`, { fleet: ctx.plan.fleet, regions }, { parent: ctx.parent });
    const hosts: Record<string, NodeHostOutputs> = {};
    for (const [region, list] of byRegion(nodes)) {
      for (const node of list) {
        hosts[node.id] = new GcpNodeHost(`${ctx.name}-${node.id}`, {
          ...ctx.host, node, networkCidrs: net.cidrs,
          network: net.networkId, subnetwork: net.subnetworks[region], zone: net.zones[region],
          transform: opts.transform,
        }, { parent: ctx.parent, providers: [regions[region].provider] });
      }
    }
    return hosts;
  },
};

export const azureBinding: HostBinding = {
  deploy(nodes, ctx) {
    const opts = ctx.options.azure ?? {};
    const hosts: Record<string, NodeHostOutputs> = {};
    for (const [location, list] of byRegion(nodes)) {
      const provider = new AzureProvider(`${ctx.name}-azure-${location}`, { ...opts.providerArgs, location }, { parent: ctx.parent });
      const net = new AzureNetwork(`${ctx.name}-azure-${location}`, {
        location, tags: scope(ctx, "azure", location, list), cidr: opts.vnetCidr,
      }, { parent: ctx.parent, providers: [provider] });
      for (const node of list) {
        hosts[node.id] = new AzureNodeHost(`${ctx.name}-${node.id}`, {
          ...ctx.host, node, networkCidrs: [net.cidr],
          resourceGroupName: net.resourceGroupName, location, subnetId: net.subnetId,
          transform: opts.transform,
        }, { parent: ctx.parent, providers: [provider] });
      }
    }
    return hosts;
  },
};

registerHostBinding("aws", awsBinding);
registerHostBinding("gcp", gcpBinding);
registerHostBinding("azure", azureBinding);
