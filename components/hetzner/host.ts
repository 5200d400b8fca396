import * as pulumi from "@pulumi/pulumi";
import * as hcloud from "@pulumi/hcloud";
import { toGcpLabels } from "../../core/workload/tags";
import { NodeHost, rulesBySource, userDataOptions, type NodeHostArgs, type NodeHostTransform } from "../node-host";
import { transform, type Transform } from "../transform";

/** Hetzner's Debian image; cloud-init installs Docker and the compose project as on the other clouds. */
export const HETZNER_IMAGE = "debian-12";

export interface HetznerNodeHostArgs extends NodeHostArgs {
  /** Names or ids of the project's SSH keys to install (HetznerNetwork's key). @default none */
  sshKeys?: pulumi.Input<string>[];
  /** Edit the args of the underlying resources (children `<name>-<part>`). @default none */
  transform?: NodeHostTransform & {
    /** `<name>-vm`: the server. */
    server?: Transform<hcloud.ServerArgs>;
    /** `<name>-data`: the data volume. */
    volume?: Transform<hcloud.VolumeArgs>;
    /** `<name>-firewall`: the server's firewall (exactly the host's ingress rules). */
    firewall?: Transform<hcloud.FirewallArgs>;
  };
}

/**
 * One planned node on Hetzner Cloud: a server of the planned type in the planned location, a
 * volume of the planned size attached to it (mounted by cloud-init), and a firewall holding exactly
 * the node's ingress rules. Resources carry the node's tags as labels in restricted form
 * (`sovereign-node`), which core/providers/hetzner reads back.
 *
 * @example
 * new HetznerNodeHost("prod-ethereum-hetzner-fsn1-1", { node, fleet: "prod", sshKeys: [key.name] }, { providers: [provider] });
 */
export class HetznerNodeHost extends NodeHost {
  readonly server: hcloud.Server;
  readonly volume: hcloud.Volume;
  readonly firewall: hcloud.Firewall;

  constructor(name: string, args: HetznerNodeHostArgs, opts?: pulumi.ComponentResourceOptions) {
    super("sovereign:hetzner:NodeHost", name, args, opts);
    const host = this.prepare(args);
    const labels = toGcpLabels(host.tags);
    const node = host.node;
    this.volume = new hcloud.Volume(
      ...transform(
        args.transform?.volume,
        this.child("data"),
        { size: node.storage.sizeGb, location: node.region, format: "ext4", labels },
        { parent: this },
      ),
    );
    this.firewall = new hcloud.Firewall(
      ...transform(
        args.transform?.firewall,
        this.child("firewall"),
        {
          labels,
          rules: rulesBySource(host.rules).flatMap((g) =>
            g.allows.flatMap((a) =>
              a.ports.map((port) => ({ direction: "in", protocol: a.protocol, port, sourceIps: g.cidrs })),
            ),
          ),
        },
        { parent: this },
      ),
    );
    // Hetzner names a volume's device by its id.
    const devices = this.volume.id.apply((id) => [`/dev/disk/by-id/scsi-0HC_Volume_${id}`]);
    this.server = new hcloud.Server(
      ...transform(
        args.transform?.server,
        this.child("vm"),
        {
          serverType: node.shape ?? "",
          location: node.region,
          image: HETZNER_IMAGE,
          labels,
          sshKeys: args.sshKeys,
          firewallIds: [this.firewall.id.apply(Number)],
          userData: host.userData(devices),
        },
        { parent: this, ...userDataOptions(args.workloadUpdates, "userData") },
      ),
    );
    new hcloud.VolumeAttachment(
      this.child("attach"),
      { serverId: this.server.id.apply(Number), volumeId: this.volume.id.apply(Number), automount: false },
      { parent: this },
    );
    const address = this.server.ipv4Address;
    this.finish({ publicIp: address, privateIp: address, rpcEndpoint: host.rpcEndpoint(address, address) });
  }
}
