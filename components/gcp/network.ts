import * as pulumi from "@pulumi/pulumi";
import * as compute from "@pulumi/gcp/compute";
import type { Provider as GcpProvider } from "@pulumi/gcp/provider";
import { gcpName } from "./data";
import { transform, type Transform } from "../transform";

export interface GcpNetworkRegion {
  /** The gcp.Provider of this project and region. */
  provider: GcpProvider;
  /** Subnet CIDR in the region; subnets of one network must not overlap. */
  cidr: string;
  /** Zone for the hosts. @default the first zone of the region that is UP (gcp.compute.getZones) */
  zone?: string;
}

export interface GcpNetworkArgs {
  /** Fleet name; the network is called `<fleet>-net`. */
  fleet: string;
  /** One subnetwork per region. The VPC network itself is created with the first region's provider. */
  regions: Record<string, GcpNetworkRegion>;
  /** Edit the args of the underlying resources (children `<name>-<part>`). @default none */
  transform?: {
    /** `<name>-net`: the VPC network. */
    network?: Transform<compute.NetworkArgs>;
    /** `<name>-<region>`: every subnetwork. */
    subnetwork?: Transform<compute.SubnetworkArgs>;
  };
}

/**
 * A fleet's VPC network in one GCP project, with a subnetwork per region. Networks carry no labels
 * on GCP; their description names the fleet. Subnet CIDRs come from the binding
 * (core/layout gcpSubnetCidrs: a fixed number per region, never the catalog's order).
 *
 * @example
 * const net = new GcpNetwork("prod-gcp", {
 *   fleet: "prod", regions: { "europe-west3": { provider: euw3, cidr: "10.101.0.0/20" } },
 * });
 */
export class GcpNetwork extends pulumi.ComponentResource {
  readonly networkId: pulumi.Output<string>;
  readonly networkSelfLink: pulumi.Output<string>;
  readonly subnetworks: Record<string, pulumi.Output<string>> = {};
  readonly zones: Record<string, pulumi.Output<string>> = {};
  /** Every subnet CIDR of the network (GCP routes between a network's regions): the hosts' `networkCidrs`. */
  readonly cidrs: string[];

  constructor(name: string, args: GcpNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super("sovereign:gcp:Network", name, {}, opts);
    const regions = Object.keys(args.regions).sort();
    if (!regions.length) throw new Error(`${name}: no regions`);
    const first = args.regions[regions[0]].provider;
    this.cidrs = regions.map((r) => args.regions[r].cidr);
    const network = new compute.Network(
      ...transform(
        args.transform?.network,
        `${name}-net`,
        {
          name: gcpName(`${args.fleet}-net`),
          autoCreateSubnetworks: false,
          description: `Sovereign fleet ${args.fleet}`,
        },
        { parent: this, provider: first, deleteBeforeReplace: true },
      ),
    );
    this.networkId = network.id;
    this.networkSelfLink = network.selfLink;
    for (const region of regions) {
      const r = args.regions[region];
      const p = { parent: this, provider: r.provider };
      const subnet = new compute.Subnetwork(
        ...transform(
          args.transform?.subnetwork,
          `${name}-${region}`,
          {
            name: gcpName(`${args.fleet}-${region}`),
            network: network.id,
            region,
            ipCidrRange: r.cidr,
            privateIpGoogleAccess: true,
            description: `Sovereign fleet ${args.fleet} in ${region}`,
          },
          { ...p, deleteBeforeReplace: true },
        ),
      );
      this.subnetworks[region] = subnet.selfLink;
      this.zones[region] = r.zone
        ? pulumi.output(r.zone)
        : compute.getZonesOutput({ region, status: "UP" }, p).names.apply((names) => {
            if (!names.length) throw new Error(`${name}: no zone of ${region} is UP`);
            return [...names].sort()[0];
          });
    }
    this.registerOutputs({
      networkId: this.networkId,
      subnetworks: this.subnetworks,
      zones: this.zones,
      cidrs: this.cidrs,
    });
  }
}
