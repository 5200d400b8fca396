import * as pulumi from "@pulumi/pulumi";
import * as ec2 from "@pulumi/aws/ec2";
import { AWS_DEFAULT_VPC_CIDR } from "../provider-data";
import { transform, type Transform } from "../transform";

export interface AwsNetworkArgs {
  /** Tags on every resource (fleet scope: `sovereign:fleet`, `sovereign:region`, ...). */
  tags: Record<string, string>;
  /**
   * `dedicated`: a VPC with one public subnet, internet gateway and route table for the fleet.
   * `default`: the account's default VPC and its default subnet in the first availability zone.
   * @default "dedicated"
   */
  mode?: "dedicated" | "default";
  /**
   * `dedicated`: CIDR of the VPC (regions are not peered, so every region may use the same).
   * `default`: the default VPC's CIDR, checked against the VPC at deploy time.
   * @default "10.42.0.0/16" (dedicated), "172.31.0.0/16" (default, what AWS gives every default VPC)
   */
  cidr?: string;
  /** CIDR of the dedicated subnet. @default "10.42.0.0/20" */
  subnetCidr?: string;
  /** Public key to register as an EC2 key pair for the hosts. @default none (no key pair) */
  sshPublicKey?: string;
  transform?: {
    vpc?: Transform<ec2.VpcArgs>;
    subnet?: Transform<ec2.SubnetArgs>;
  };
}

/**
 * The network a fleet's AWS hosts of one region share. Create it with the region's aws.Provider
 * (`{ providers: [provider] }`); children inherit it.
 */
export class AwsNetwork extends pulumi.ComponentResource {
  readonly vpcId: pulumi.Output<string>;
  readonly subnetId: pulumi.Output<string>;
  readonly availabilityZone: pulumi.Output<string>;
  readonly keyName: pulumi.Output<string | undefined>;
  /** The VPC's IPv4 CIDR blocks, known before deployment: the hosts' `networkCidrs` (private RPC reaches them from here). */
  readonly cidrBlocks: string[];

  constructor(name: string, args: AwsNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super("sovereign:aws:Network", name, {}, opts);
    const p = { parent: this };
    const tags = args.tags;
    if ((args.mode ?? "dedicated") === "dedicated") {
      this.cidrBlocks = [args.cidr ?? "10.42.0.0/16"];
      const vpc = new ec2.Vpc(...transform(args.transform?.vpc, `${name}-vpc`, {
        cidrBlock: this.cidrBlocks[0],
        enableDnsHostnames: true,
        enableDnsSupport: true,
        tags: { ...tags, Name: name },
      }, p));
      const igw = new ec2.InternetGateway(`${name}-igw`, { vpcId: vpc.id, tags: { ...tags, Name: name } }, p);
      const subnet = new ec2.Subnet(...transform(args.transform?.subnet, `${name}-subnet`, {
        vpcId: vpc.id,
        cidrBlock: args.subnetCidr ?? "10.42.0.0/20",
        mapPublicIpOnLaunch: true,
        tags: { ...tags, Name: `${name}-public` },
      }, p));
      const routes = new ec2.RouteTable(`${name}-routes`, {
        vpcId: vpc.id,
        routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: igw.id }],
        tags: { ...tags, Name: name },
      }, p);
      new ec2.RouteTableAssociation(`${name}-routes-subnet`, { subnetId: subnet.id, routeTableId: routes.id }, p);
      this.vpcId = vpc.id;
      this.subnetId = subnet.id;
      this.availabilityZone = subnet.availabilityZone;
    } else {
      const vpc = ec2.getVpcOutput({ default: true }, p);
      // Resource names and rules need the CIDR before the lookup answers: take AWS's fixed default
      // VPC block and fail the deployment if this account's default VPC says otherwise.
      const expected = args.cidr ?? AWS_DEFAULT_VPC_CIDR;
      this.cidrBlocks = [expected];
      const subnets = ec2.getSubnetsOutput({ filters: [{ name: "vpc-id", values: [vpc.id] }, { name: "default-for-az", values: ["true"] }] }, p);
      const subnet = ec2.getSubnetOutput({ id: subnets.ids.apply((ids) => {
        if (!ids.length) throw new Error(`${name}: the default VPC has no default subnet; use mode "dedicated"`);
        return [...ids].sort()[0];
      }) }, p);
      this.vpcId = pulumi.all([vpc.id, vpc.cidrBlock]).apply(([id, cidr]) => {
        if (cidr !== expected) {
          throw new Error(`${name}: the default VPC ${id} has CIDR ${cidr}, not ${expected}; set the AWS option vpcCidr to ${cidr} so RPC is allowed from inside it`);
        }
        return id;
      });
      this.subnetId = subnet.id;
      this.availabilityZone = subnet.availabilityZone;
    }
    this.keyName = args.sshPublicKey
      ? new ec2.KeyPair(`${name}-key`, { publicKey: args.sshPublicKey, tags }, p).keyName
      : pulumi.output(undefined);
    this.registerOutputs({ vpcId: this.vpcId, subnetId: this.subnetId, availabilityZone: this.availabilityZone, keyName: this.keyName, cidrBlocks: this.cidrBlocks });
  }
}
