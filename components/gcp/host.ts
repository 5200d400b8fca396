import * as pulumi from "@pulumi/pulumi";
import * as compute from "@pulumi/gcp/compute";
import { isIpv6 } from "../../core/workload/firewall";
import { prepareHost, rulesBySource, userDataOptions, type NodeHostArgs, type NodeHostOutputs } from "../node-host";
import { CLOUD_DATA, GCP_DATA_DEVICE, GCP_IMAGE, gcpName } from "../provider-data";
import { transform, type Transform } from "../transform";

export interface GcpNodeHostArgs extends NodeHostArgs {
  /** VPC network (id or self link) the firewall rules belong to. */
  network: pulumi.Input<string>;
  /** Subnetwork (self link) in the host's region. */
  subnetwork: pulumi.Input<string>;
  /** Zone in the node's region, e.g. europe-west3-a. */
  zone: pulumi.Input<string>;
  /** Ignore newer Ubuntu images on later updates instead of replacing the instance. @default true */
  pinImage?: boolean;
  /** Edit the args of the underlying resources. @default none */
  transform?: {
    instance?: Transform<compute.InstanceArgs>;
    disk?: Transform<compute.DiskArgs>;
    address?: Transform<compute.AddressArgs>;
    firewall?: Transform<compute.FirewallArgs>;
  };
}

/**
 * One planned node on Compute Engine: an instance of the planned machine type from the Ubuntu
 * 24.04 image family, a persistent data disk (pd-balanced / pd-ssd) or local NVMe SSDs per plan, a
 * static external address, and firewall rules that target only this instance (network tag).
 * Resource names are derived from the component name (GCP names: [a-z0-9-], at most 63).
 */
export class GcpNodeHost extends pulumi.ComponentResource implements NodeHostOutputs {
  readonly nodeId: string;
  readonly publicIp: pulumi.Output<string>;
  readonly privateIp: pulumi.Output<string>;
  readonly rpcEndpoint: pulumi.Output<string>;
  readonly instance: compute.Instance;
  readonly disk?: compute.Disk;
  readonly address: compute.Address;
  readonly firewalls: compute.Firewall[] = [];

  constructor(name: string, args: GcpNodeHostArgs, opts?: pulumi.ComponentResourceOptions) {
    super("sovereign:gcp:NodeHost", name, {}, opts);
    const host = prepareHost(this, name, args);
    const node = host.node;
    const data = CLOUD_DATA.gcp;
    const labels = data.labels(host.tags);
    const p = { parent: this, deleteBeforeReplace: true };
    const networkTag = gcpName(name);
    this.nodeId = node.id;

    this.address = new compute.Address(...transform(args.transform?.address, `${name}-ip`, {
      name: gcpName(`${name}-ip`),
      region: node.region,
      addressType: "EXTERNAL",
      networkTier: "PREMIUM",
      description: `Sovereign node ${node.id}`,
      labels,
    }, p));

    for (const group of rulesBySource(host.rules)) {
      // A GCP firewall rule holds IPv4 or IPv6 sources, not both.
      for (const family of ["v4", "v6"] as const) {
        const cidrs = group.cidrs.filter((c) => isIpv6(c) === (family === "v6"));
        if (!cidrs.length) continue;
        const suffix = family === "v4" ? group.source : `${group.source}-v6`;
        this.firewalls.push(new compute.Firewall(...transform(args.transform?.firewall, `${name}-${suffix}`, {
          name: gcpName(`${name}-${suffix}`),
          network: args.network,
          direction: "INGRESS",
          priority: 1000,
          sourceRanges: cidrs,
          targetTags: [networkTag],
          allows: group.allows,
          // Firewall rules cannot carry labels: the description names the node and fleet.
          description: `Sovereign ${host.fleet}/${node.id} (${group.source}): ${group.description}`.slice(0, 2048),
        }, p)));
      }
    }

    const disk = data.dataDisk(node.storage, node.shape);
    if (disk.kind === "network") {
      this.disk = new compute.Disk(...transform(args.transform?.disk, `${name}-data`, {
        name: gcpName(`${name}-data`),
        zone: args.zone,
        type: disk.type,
        size: disk.sizeGb,
        labels,
      }, p));
    }
    const userData = host.userData(data.devices(disk), args.sshPublicKey ? [args.sshPublicKey] : undefined);
    const arch = data.archOf(node.shape);

    this.instance = new compute.Instance(...transform(args.transform?.instance, `${name}-vm`, {
      name: gcpName(`${name}-vm`),
      zone: args.zone,
      machineType: node.shape,
      bootDisk: {
        autoDelete: true,
        initializeParams: { image: GCP_IMAGE(arch), size: data.bootDiskGb, type: "pd-balanced", labels },
      },
      attachedDisks: this.disk ? [{ source: this.disk.selfLink, deviceName: GCP_DATA_DEVICE, mode: "READ_WRITE" }] : undefined,
      scratchDisks: disk.kind === "local" ? Array.from({ length: disk.count }, () => ({ interface: "NVME" })) : undefined,
      networkInterfaces: [{
        subnetwork: args.subnetwork,
        accessConfigs: [{ natIp: this.address.address, networkTier: "PREMIUM" }],
      }],
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
    }, { ...p, ...userDataOptions(args.workloadUpdates, 'metadata["user-data"]', args.pinImage === false ? [] : ["bootDisk.initializeParams.image"]) }));

    this.publicIp = this.address.address;
    this.privateIp = this.instance.networkInterfaces.apply((nics) => nics[0]?.networkIp ?? "");
    this.rpcEndpoint = host.rpcEndpoint(this.publicIp, this.privateIp);
    this.registerOutputs({ nodeId: this.nodeId, publicIp: this.publicIp, privateIp: this.privateIp, rpcEndpoint: this.rpcEndpoint });
  }
}
