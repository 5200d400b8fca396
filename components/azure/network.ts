import * as pulumi from "@pulumi/pulumi";
import * as resources from "@pulumi/azure-native/resources";
import * as network from "@pulumi/azure-native/network";
import { subnetCidr } from "../../core/layout";
import { transform, type Transform } from "../transform";
import { AZURE_SUBNET_PREFIX, AZURE_VNET_CIDR } from "./data";

export interface AzureNetworkArgs {
  /** Azure location, e.g. germanywestcentral. */
  location: string;
  /** Tags on every resource (fleet scope). */
  tags: Record<string, string>;
  /** Address space of the virtual network (one per location, not peered). @default "10.42.0.0/16" */
  cidr?: string;
  /** Address prefix of the hosts' subnet. @default the first /24 of `cidr` (core/layout subnetCidr) */
  subnetCidr?: string;
  /** Edit the args of the underlying resources (children `<name>-<part>`). @default none */
  transform?: {
    /** `<name>-rg`. */
    resourceGroup?: Transform<resources.ResourceGroupArgs>;
    /** `<name>-vnet`. */
    virtualNetwork?: Transform<network.VirtualNetworkArgs>;
    /** `<name>-subnet`. */
    subnet?: Transform<network.SubnetArgs>;
  };
}

/**
 * What a fleet's Azure hosts of one location share: a resource group, a virtual network and a
 * subnet. Create it with the location's azure-native Provider (`{ providers: [provider] }`).
 *
 * @example
 * const net = new AzureNetwork("prod-azure-germanywestcentral", {
 *   location: "germanywestcentral", tags: { "sovereign:fleet": "prod" }, cidr: "10.9.0.0/16",
 * }, { providers: [azure] });   // subnet 10.9.0.0/24
 */
export class AzureNetwork extends pulumi.ComponentResource {
  readonly resourceGroupName: pulumi.Output<string>;
  readonly subnetId: pulumi.Output<string>;
  readonly location: string;
  /** The virtual network's address space: the hosts' `networkCidrs`. */
  readonly cidr: string;

  constructor(name: string, args: AzureNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super("sovereign:azure:Network", name, {}, opts);
    const p = { parent: this };
    this.location = args.location;
    this.cidr = args.cidr ?? AZURE_VNET_CIDR;
    const subnetPrefix = args.subnetCidr ?? subnetCidr(this.cidr, AZURE_SUBNET_PREFIX, 0, "azure.vnetCidr");
    const group = new resources.ResourceGroup(
      ...transform(
        args.transform?.resourceGroup,
        `${name}-rg`,
        {
          location: args.location,
          tags: args.tags,
        },
        p,
      ),
    );
    const vnet = new network.VirtualNetwork(
      ...transform(
        args.transform?.virtualNetwork,
        `${name}-vnet`,
        {
          resourceGroupName: group.name,
          location: args.location,
          addressSpace: { addressPrefixes: [this.cidr] },
          tags: args.tags,
        },
        { ...p, ignoreChanges: ["subnets"] },
      ),
    );
    const subnet = new network.Subnet(
      ...transform(
        args.transform?.subnet,
        `${name}-subnet`,
        {
          resourceGroupName: group.name,
          virtualNetworkName: vnet.name,
          addressPrefix: subnetPrefix,
        },
        p,
      ),
    );
    this.resourceGroupName = group.name;
    this.subnetId = subnet.id;
    this.registerOutputs({ resourceGroupName: this.resourceGroupName, subnetId: this.subnetId, cidr: this.cidr });
  }
}
