import * as pulumi from "@pulumi/pulumi";
import * as ec2 from "@pulumi/aws/ec2";
import * as ebs from "@pulumi/aws/ebs";
import * as vpc from "@pulumi/aws/vpc";
import { cidrSlug, isIpv6 } from "../../core/workload/firewall";
import { prepareHost, userDataOptions, type NodeHostArgs, type NodeHostOutputs } from "../node-host";
import { AWS_DATA_DEVICE, AWS_IMAGE, AWS_USER_DATA_LIMIT, CLOUD_DATA } from "../provider-data";
import { transform, type Transform } from "../transform";

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
  /** Edit the args of the underlying resources. @default none */
  transform?: {
    instance?: Transform<ec2.InstanceArgs>;
    volume?: Transform<ebs.VolumeArgs>;
    securityGroup?: Transform<ec2.SecurityGroupArgs>;
    eip?: Transform<ec2.EipArgs>;
  };
}

/**
 * One planned node on EC2: an instance of the planned shape from the current Ubuntu 24.04 image,
 * a separate encrypted EBS data volume (gp3 with the planned IOPS/throughput, or io2) at /dev/sdf,
 * or the shape's local NVMe; a security group with exactly the node's ingress rules; an Elastic IP.
 * Runs in the region of its provider (pass `{ providers: [awsProvider] }`).
 */
export class AwsNodeHost extends pulumi.ComponentResource implements NodeHostOutputs {
  readonly nodeId: string;
  readonly publicIp: pulumi.Output<string>;
  readonly privateIp: pulumi.Output<string>;
  readonly rpcEndpoint: pulumi.Output<string>;
  readonly instance: ec2.Instance;
  readonly securityGroup: ec2.SecurityGroup;
  readonly volume?: ebs.Volume;
  readonly eip: ec2.Eip;

  constructor(name: string, args: AwsNodeHostArgs, opts?: pulumi.ComponentResourceOptions) {
    super("sovereign:aws:NodeHost", name, {}, opts);
    const host = prepareHost(this, name, args);
    const node = host.node;
    const data = CLOUD_DATA.aws;
    const tags = data.labels(host.tags);
    const p = { parent: this };
    this.nodeId = node.id;

    const arch = data.archOf(node.shape);
    const ami = ec2.getAmiOutput({
      owners: AWS_IMAGE.owners,
      mostRecent: true,
      filters: [
        { name: "name", values: [AWS_IMAGE.name(arch)] },
        { name: "architecture", values: [arch === "arm64" ? "arm64" : "x86_64"] },
        { name: "virtualization-type", values: ["hvm"] },
      ],
    }, p);

    this.securityGroup = new ec2.SecurityGroup(...transform(args.transform?.securityGroup, `${name}-sg`, {
      vpcId: args.vpcId,
      description: `Sovereign node ${node.id}: P2P open, RPC from allow-listed CIDRs, SSH from admin CIDRs`,
      tags: { ...tags, Name: node.id },
    }, p));
    for (const rule of host.rules) {
      for (const cidr of rule.cidrs) {
        new vpc.SecurityGroupIngressRule(`${name}-in-${rule.key}-${cidrSlug(cidr)}`, {
          securityGroupId: this.securityGroup.id,
          ipProtocol: rule.protocol,
          fromPort: rule.port,
          toPort: rule.port,
          ...(isIpv6(cidr) ? { cidrIpv6: cidr } : { cidrIpv4: cidr }),
          description: rule.description.slice(0, 255),
          tags,
        }, p);
      }
    }
    new vpc.SecurityGroupEgressRule(`${name}-out-all`, {
      securityGroupId: this.securityGroup.id,
      ipProtocol: "-1",
      cidrIpv4: "0.0.0.0/0",
      description: "all outbound",
      tags,
    }, p);

    const disk = data.dataDisk(node.storage, node.shape);
    if (disk.kind === "network") {
      this.volume = new ebs.Volume(...transform(args.transform?.volume, `${name}-data`, {
        availabilityZone: args.availabilityZone,
        type: disk.type,
        size: disk.sizeGb,
        iops: disk.iops,
        throughput: disk.type === "gp3" ? disk.throughputMBps : undefined,
        encrypted: true,
        kmsKeyId: args.kmsKeyId,
        tags: { ...tags, Name: `${node.id}-data` },
      }, p));
    }
    const devices = this.volume ? this.volume.id.apply((id) => data.devices(disk, id)) : data.devices(disk);
    const userData = host.userData(devices).apply((text) => {
      if (Buffer.byteLength(text) > AWS_USER_DATA_LIMIT) throw new Error(`${node.id}: cloud-init user-data is ${Buffer.byteLength(text)} bytes; EC2 accepts at most ${AWS_USER_DATA_LIMIT}`);
      return text;
    });

    this.instance = new ec2.Instance(...transform(args.transform?.instance, `${name}-vm`, {
      ami: ami.id,
      instanceType: node.shape,
      subnetId: args.subnetId,
      availabilityZone: args.availabilityZone,
      vpcSecurityGroupIds: [this.securityGroup.id],
      associatePublicIpAddress: true,
      keyName: args.keyName,
      userData,
      userDataReplaceOnChange: false,
      metadataOptions: { httpTokens: "required", httpEndpoint: "enabled", httpPutResponseHopLimit: 1 },
      rootBlockDevice: { volumeType: "gp3", volumeSize: data.bootDiskGb, encrypted: true, kmsKeyId: args.kmsKeyId, deleteOnTermination: true, tags },
      tags: { ...tags, Name: node.id },
    }, { ...p, ...userDataOptions(args.workloadUpdates, "userData", args.pinImage === false ? [] : ["ami"]) }));

    if (this.volume) {
      new ec2.VolumeAttachment(`${name}-data-attachment`, {
        deviceName: AWS_DATA_DEVICE,
        volumeId: this.volume.id,
        instanceId: this.instance.id,
        stopInstanceBeforeDetaching: true,
      }, p);
    }
    this.eip = new ec2.Eip(...transform(args.transform?.eip, `${name}-ip`, {
      domain: "vpc",
      instance: this.instance.id,
      tags: { ...tags, Name: node.id },
    }, p));

    this.publicIp = this.eip.publicIp;
    this.privateIp = this.instance.privateIp;
    this.rpcEndpoint = host.rpcEndpoint(this.publicIp, this.privateIp);
    this.registerOutputs({ nodeId: this.nodeId, publicIp: this.publicIp, privateIp: this.privateIp, rpcEndpoint: this.rpcEndpoint });
  }
}

