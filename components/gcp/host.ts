import * as pulumi from "@pulumi/pulumi";
import * as compute from "@pulumi/gcp/compute";
import { isIpv6 } from "../../core/workload/firewall";
import { machineShape, type DataDiskSpec } from "../cloud-data";
import {
  NodeHost,
  rulesBySource,
  userDataOptions,
  type NodeHostArgs,
  type NodeHostTransform,
  type PreparedHost,
} from "../node-host";
import { transform, type Transform } from "../transform";
import { GCP_DATA, GCP_DATA_DEVICE, GCP_IMAGE, gcpName } from "./data";

export interface GcpNodeHostArgs extends NodeHostArgs {
  /** VPC network (id or self link) the firewall rules belong to. */
  network: pulumi.Input<string>;
  /** Subnetwork (self link) in the host's region. */
  subnetwork: pulumi.Input<string>;
  /** Zone in the node's region, e.g. europe-west3-a. */
  zone: pulumi.Input<string>;
  /** Ignore newer Ubuntu images on later updates instead of replacing the instance. @default true */
  pinImage?: boolean;
  /** Edit the args of the underlying resources (children `<name>-<part>`). @default none */
  transform?: NodeHostTransform & {
    /** `<name>-vm`: the Compute Engine instance. */
    instance?: Transform<compute.InstanceArgs>;
    /** `<name>-data`: the persistent data disk (pd-balanced / pd-ssd only). */
    disk?: Transform<compute.DiskArgs>;
    /** `<name>-ip`: the static external address. */
    address?: Transform<compute.AddressArgs>;
    /** `<name>-<source>[-v6]`: every firewall rule (world, rpc, network, admin). */
    firewall?: Transform<compute.FirewallArgs>;
  };
}

/**
 * One planned node on Compute Engine: an instance of the planned machine type from the Ubuntu
 * 24.04 image family, a persistent data disk (pd-balanced / pd-ssd) or local NVMe SSDs per plan
 * (partition size and counts from the catalog), a static external address, and firewall rules
 * that target only this instance (network tag). GCP names are derived from the component name.
 *
 * @example
 * const net = new GcpNetwork("prod-gcp", { fleet: "prod", regions: { "europe-west3": { provider, cidr: "10.101.0.0/20" } } });
 * new GcpNodeHost("prod-ethereum-gcp-europe-west3-1", {
 *   node, fleet: "prod", network: net.networkId, subnetwork: net.subnetworks["europe-west3"],
 *   zone: net.zones["europe-west3"], networkCidrs: net.cidrs,
 * }, { providers: [provider] });
 */
export class GcpNodeHost extends NodeHost {
  readonly instance: compute.Instance;
  readonly disk?: compute.Disk;
  readonly address: compute.Address;
  readonly firewalls: compute.Firewall[];

  constructor(name: string, args: GcpNodeHostArgs, opts?: pulumi.ComponentResourceOptions) {
    super("sovereign:gcp:NodeHost", name, args, opts);
    const host = this.prepare(args);
    const labels = GCP_DATA.labels(host.tags);
    const networkTag = gcpName(name);
    this.address = this.createAddress(host, args, labels);
    this.firewalls = this.createFirewalls(host, args, networkTag);
    const disk = GCP_DATA.dataDisk(
      host.node.storage,
      machineShape(host.node),
      host.catalog.providers.get("gcp")?.storageClasses,
    );
    this.disk = disk.kind === "network" ? this.createDisk(args, disk, labels) : undefined;
    this.instance = this.createInstance(host, args, disk, labels, networkTag);
    const privateIp = this.instance.networkInterfaces.apply((nics) => nics[0]?.networkIp ?? "");
    this.finish({
      publicIp: this.address.address,
      privateIp,
      rpcEndpoint: host.rpcEndpoint(this.address.address, privateIp),
    });
  }

  /** Children of a GCP host are replaced delete-first: their GCP names are fixed. */
  private get opts(): pulumi.CustomResourceOptions {
    return { parent: this, deleteBeforeReplace: true };
  }

  private createAddress(host: PreparedHost, args: GcpNodeHostArgs, labels: Record<string, string>): compute.Address {
    return new compute.Address(
      ...transform(
        args.transform?.address,
        this.child("ip"),
        {
          name: gcpName(this.child("ip")),
          region: host.node.region,
          addressType: "EXTERNAL",
          networkTier: "PREMIUM",
          description: `Sovereign node ${host.node.id}`,
          labels,
        },
        this.opts,
      ),
    );
  }

  private createFirewalls(host: PreparedHost, args: GcpNodeHostArgs, networkTag: string): compute.Firewall[] {
    const firewalls: compute.Firewall[] = [];
    for (const group of rulesBySource(host.rules)) {
      // A GCP firewall rule holds IPv4 or IPv6 sources, not both.
      for (const family of ["v4", "v6"] as const) {
        const cidrs = group.cidrs.filter((c) => isIpv6(c) === (family === "v6"));
        if (!cidrs.length) continue;
        const suffix = family === "v4" ? group.source : `${group.source}-v6`;
        firewalls.push(
          new compute.Firewall(
            ...transform(
              args.transform?.firewall,
              this.child(suffix),
              {
                name: gcpName(this.child(suffix)),
                network: args.network,
                direction: "INGRESS",
                priority: 1000,
                sourceRanges: cidrs,
                targetTags: [networkTag],
                allows: group.allows,
                // Firewall rules cannot carry labels: the description names the node and fleet.
                description: `Sovereign ${host.fleet}/${host.node.id} (${group.source}): ${group.description}`.slice(
                  0,
                  2048,
                ),
              },
              this.opts,
            ),
          ),
        );
      }
    }
    return firewalls;
  }

  private createDisk(
    args: GcpNodeHostArgs,
    disk: DataDiskSpec & { kind: "network" },
    labels: Record<string, string>,
  ): compute.Disk {
    return new compute.Disk(
      ...transform(
        args.transform?.disk,
        this.child("data"),
        {
          name: gcpName(this.child("data")),
          zone: args.zone,
          type: disk.type,
          size: disk.sizeGb,
          labels,
        },
        this.opts,
      ),
    );
  }

  private createInstance(
    host: PreparedHost,
    args: GcpNodeHostArgs,
    disk: DataDiskSpec,
    labels: Record<string, string>,
    networkTag: string,
  ): compute.Instance {
    const node = host.node;
    const userData = host.userData(GCP_DATA.devices(disk), args.sshPublicKey ? [args.sshPublicKey] : undefined);
    const ignoreImage = args.pinImage === false ? [] : ["bootDisk.initializeParams.image"];
    return new compute.Instance(
      ...transform(
        args.transform?.instance,
        this.child("vm"),
        {
          name: gcpName(this.child("vm")),
          zone: args.zone,
          machineType: machineShape(node),
          bootDisk: {
            autoDelete: true,
            initializeParams: {
              image: GCP_IMAGE(GCP_DATA.archOf(machineShape(node))),
              size: GCP_DATA.bootDiskGb,
              type: "pd-balanced",
              labels,
            },
          },
          attachedDisks: this.disk
            ? [{ source: this.disk.selfLink, deviceName: GCP_DATA_DEVICE, mode: "READ_WRITE" }]
            : undefined,
          scratchDisks:
            disk.kind === "local" ? Array.from({ length: disk.count }, () => ({ interface: "NVME" })) : undefined,
          networkInterfaces: [
            {
              subnetwork: args.subnetwork,
              accessConfigs: [{ natIp: this.address.address, networkTier: "PREMIUM" }],
            },
          ],
          metadata: {
            "user-data": userData,
            // Project-wide SSH keys would bypass adminCidrs' intent of a closed box.
            "block-project-ssh-keys": "true",
          },
          tags: [networkTag],
          labels,
          allowStoppingForUpdate: true,
          shieldedInstanceConfig: { enableSecureBoot: true, enableVtpm: true, enableIntegrityMonitoring: true },
          scheduling: { onHostMaintenance: "MIGRATE", automaticRestart: true },
        },
        { ...this.opts, ...userDataOptions(args.workloadUpdates, 'metadata["user-data"]', ignoreImage) },
      ),
    );
  }
}
