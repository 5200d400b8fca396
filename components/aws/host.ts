import * as pulumi from "@pulumi/pulumi";
import * as ec2 from "@pulumi/aws/ec2";
import * as ebs from "@pulumi/aws/ebs";
import * as vpc from "@pulumi/aws/vpc";
import { cidrSlug, isIpv6 } from "../../core/workload/firewall";
import { machineShape, type DataDiskSpec } from "../cloud-data";
import { NodeHost, userDataOptions, type NodeHostArgs, type NodeHostTransform, type PreparedHost } from "../node-host";
import { transform, type Transform } from "../transform";
import { AWS_DATA, AWS_DATA_DEVICE, AWS_IMAGE, AWS_USER_DATA_LIMIT } from "./data";

export interface AwsNodeHostArgs extends NodeHostArgs {
  /** VPC of the host (e.g. `AwsNetwork.vpcId`). */
  vpcId: pulumi.Input<string>;
  /** Subnet to launch in; it must give the host a route to the internet. */
  subnetId: pulumi.Input<string>;
  /** Availability zone of the subnet (the EBS data volume must be in the same zone). */
  availabilityZone: pulumi.Input<string>;
  /** EC2 key pair name for SSH. @default none */
  keyName?: pulumi.Input<string | undefined>;
  /** KMS key for the EBS volumes. @default the account's default EBS key (aws/ebs) */
  kmsKeyId?: pulumi.Input<string>;
  /** Ignore newer Ubuntu images on later updates instead of replacing the instance. @default true */
  pinImage?: boolean;
  /** Edit the args of the underlying resources (children `<name>-<part>`). @default none */
  transform?: NodeHostTransform & {
    /** `<name>-vm`: the EC2 instance. */
    instance?: Transform<ec2.InstanceArgs>;
    /** `<name>-data`: the EBS data volume (network storage only). */
    volume?: Transform<ebs.VolumeArgs>;
    /** `<name>-data-attachment`: the data volume's attachment at /dev/sdf. */
    volumeAttachment?: Transform<ec2.VolumeAttachmentArgs>;
    /** `<name>-sg`: the security group. */
    securityGroup?: Transform<ec2.SecurityGroupArgs>;
    /** `<name>-in-<rule>-<cidr>`: every ingress rule (the function form sees each rule's name). */
    ingressRule?: Transform<vpc.SecurityGroupIngressRuleArgs>;
    /** `<name>-out-all`: the egress rule. */
    egressRule?: Transform<vpc.SecurityGroupEgressRuleArgs>;
    /** `<name>-ip`: the Elastic IP. */
    eip?: Transform<ec2.EipArgs>;
  };
}

/**
 * One planned node on EC2: an instance of the planned shape from the current Ubuntu 24.04 image,
 * a separate encrypted EBS data volume (gp3 with the planned IOPS/throughput, or io2) at /dev/sdf,
 * or the shape's local NVMe; a security group with exactly the node's ingress rules; an Elastic IP.
 * Runs in the region of its provider (pass `{ providers: [awsProvider] }`).
 *
 * @example
 * const net = new AwsNetwork("prod-aws-us-east-1", { tags: { "sovereign:fleet": "prod" } }, { providers: [useast1] });
 * new AwsNodeHost("prod-ethereum-aws-us-east-1-1", {
 *   node: plan.nodes[0], fleet: plan.fleet, vpcId: net.vpcId, subnetId: net.subnetId,
 *   availabilityZone: net.availabilityZone, networkCidrs: net.cidrBlocks,
 *   transform: { instance: { monitoring: true } },
 * }, { providers: [useast1] });
 */
export class AwsNodeHost extends NodeHost {
  readonly instance: ec2.Instance;
  readonly securityGroup: ec2.SecurityGroup;
  readonly volume?: ebs.Volume;
  readonly eip: ec2.Eip;

  constructor(name: string, args: AwsNodeHostArgs, opts?: pulumi.ComponentResourceOptions) {
    super("sovereign:aws:NodeHost", name, args, opts);
    const host = this.prepare(args);
    const tags = AWS_DATA.labels(host.tags);
    this.securityGroup = this.createSecurityGroup(host, args, tags);
    this.createRules(host, args, tags);
    const disk = AWS_DATA.dataDisk(host.node.storage, machineShape(host.node));
    this.volume = disk.kind === "network" ? this.createVolume(host, args, disk, tags) : undefined;
    this.instance = this.createInstance(host, args, disk, tags);
    if (this.volume) this.createVolumeAttachment(args, this.volume, this.instance);
    this.eip = this.createEip(host, args, tags);
    this.finish({
      publicIp: this.eip.publicIp,
      privateIp: this.instance.privateIp,
      rpcEndpoint: host.rpcEndpoint(this.eip.publicIp, this.instance.privateIp),
    });
  }

  private createSecurityGroup(
    host: PreparedHost,
    args: AwsNodeHostArgs,
    tags: Record<string, string>,
  ): ec2.SecurityGroup {
    return new ec2.SecurityGroup(
      ...transform(
        args.transform?.securityGroup,
        this.child("sg"),
        {
          vpcId: args.vpcId,
          description: `Sovereign node ${host.node.id}: P2P open, RPC from allow-listed CIDRs, SSH from admin CIDRs`,
          tags: { ...tags, Name: host.node.id },
        },
        { parent: this },
      ),
    );
  }

  private createRules(host: PreparedHost, args: AwsNodeHostArgs, tags: Record<string, string>): void {
    for (const rule of host.rules) {
      for (const cidr of rule.cidrs) {
        new vpc.SecurityGroupIngressRule(
          ...transform(
            args.transform?.ingressRule,
            this.child(`in-${rule.key}-${cidrSlug(cidr)}`),
            {
              securityGroupId: this.securityGroup.id,
              ipProtocol: rule.protocol,
              fromPort: rule.port,
              toPort: rule.port,
              ...(isIpv6(cidr) ? { cidrIpv6: cidr } : { cidrIpv4: cidr }),
              description: rule.description.slice(0, 255),
              tags,
            },
            { parent: this },
          ),
        );
      }
    }
    new vpc.SecurityGroupEgressRule(
      ...transform(
        args.transform?.egressRule,
        this.child("out-all"),
        {
          securityGroupId: this.securityGroup.id,
          ipProtocol: "-1",
          cidrIpv4: "0.0.0.0/0",
          description: "all outbound",
          tags,
        },
        { parent: this },
      ),
    );
  }

  private createVolume(
    host: PreparedHost,
    args: AwsNodeHostArgs,
    disk: DataDiskSpec & { kind: "network" },
    tags: Record<string, string>,
  ): ebs.Volume {
    return new ebs.Volume(
      ...transform(
        args.transform?.volume,
        this.child("data"),
        {
          availabilityZone: args.availabilityZone,
          type: disk.type,
          size: disk.sizeGb,
          iops: disk.iops,
          throughput: disk.type === "gp3" ? disk.throughputMBps : undefined,
          encrypted: true,
          kmsKeyId: args.kmsKeyId,
          tags: { ...tags, Name: `${host.node.id}-data` },
        },
        { parent: this },
      ),
    );
  }

  private createInstance(
    host: PreparedHost,
    args: AwsNodeHostArgs,
    disk: DataDiskSpec,
    tags: Record<string, string>,
  ): ec2.Instance {
    const node = host.node;
    const arch = AWS_DATA.archOf(machineShape(node));
    const ami = ec2.getAmiOutput(
      {
        owners: AWS_IMAGE.owners,
        mostRecent: true,
        filters: [
          { name: "name", values: [AWS_IMAGE.name(arch)] },
          { name: "architecture", values: [arch === "arm64" ? "arm64" : "x86_64"] },
          { name: "virtualization-type", values: ["hvm"] },
        ],
      },
      { parent: this },
    );
    const devices = this.volume ? this.volume.id.apply((id) => AWS_DATA.devices(disk, id)) : AWS_DATA.devices(disk);
    const userData = host.userData(devices).apply((text) => {
      if (Buffer.byteLength(text) > AWS_USER_DATA_LIMIT)
        throw new Error(
          `${node.id}: cloud-init user-data is ${Buffer.byteLength(text)} bytes; EC2 accepts at most ${AWS_USER_DATA_LIMIT}`,
        );
      return text;
    });
    return new ec2.Instance(
      ...transform(
        args.transform?.instance,
        this.child("vm"),
        {
          ami: ami.id,
          instanceType: machineShape(node),
          subnetId: args.subnetId,
          availabilityZone: args.availabilityZone,
          vpcSecurityGroupIds: [this.securityGroup.id],
          associatePublicIpAddress: true,
          keyName: args.keyName,
          userData,
          userDataReplaceOnChange: false,
          metadataOptions: { httpTokens: "required", httpEndpoint: "enabled", httpPutResponseHopLimit: 1 },
          rootBlockDevice: {
            volumeType: "gp3",
            volumeSize: AWS_DATA.bootDiskGb,
            encrypted: true,
            kmsKeyId: args.kmsKeyId,
            deleteOnTermination: true,
            tags,
          },
          tags: { ...tags, Name: node.id },
        },
        { parent: this, ...userDataOptions(args.workloadUpdates, "userData", args.pinImage === false ? [] : ["ami"]) },
      ),
    );
  }

  private createVolumeAttachment(args: AwsNodeHostArgs, volume: ebs.Volume, instance: ec2.Instance): void {
    new ec2.VolumeAttachment(
      ...transform(
        args.transform?.volumeAttachment,
        this.child("data-attachment"),
        {
          deviceName: AWS_DATA_DEVICE,
          volumeId: volume.id,
          instanceId: instance.id,
          stopInstanceBeforeDetaching: true,
        },
        { parent: this },
      ),
    );
  }

  private createEip(host: PreparedHost, args: AwsNodeHostArgs, tags: Record<string, string>): ec2.Eip {
    return new ec2.Eip(
      ...transform(
        args.transform?.eip,
        this.child("ip"),
        {
          domain: "vpc",
          instance: this.instance.id,
          tags: { ...tags, Name: host.node.id },
        },
        { parent: this },
      ),
    );
  }
}
