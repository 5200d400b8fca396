import * as pulumi from "@pulumi/pulumi";
import * as ec2 from "@pulumi/aws/ec2";
import { transform, type Transform } from "./transform";

export interface AwsNetworkArgs {
  /** Tags on every resource (fleet scope: `sovereign:fleet`, `sovereign:region`, ...). */
  tags: Record<string, string>;
  /**
   * `dedicated`: a VPC with one public subnet, internet gateway and route table for the fleet.
   * `default`: the account's default VPC and its default subnet in the first availability zone.
   * @default "dedicated"
   */
  mode?: "dedicated" | "default";
  /** CIDR of the dedicated VPC (regions are not peered, so every region may use the same). @default "10.42.0.0/16" */
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

  constructor(name: string, args: AwsNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super("sovereign:aws:Network", name, {}, opts);
    const p = { parent: this };
    const tags = args.tags;
    if ((args.mode ?? "dedicated") === "dedicated") {
      const vpc = new ec2.Vpc(...transform(args.transform?.vpc, `${name}-vpc`, {
        cidrBlock: args.cidr ?? "10.42.0.0/16",
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
      const subnets = ec2.getSubnetsOutput({ filters: [{ name: "vpc-id", values: [vpc.id] }, { name: "default-for-az", values: ["true"] }] }, p);
      const subnet = ec2.getSubnetOutput({ id: subnets.ids.apply((ids) => {
        if (!ids.length) throw new Error(`${name}: the default VPC has no default subnet; use mode "dedicated"`);
        return [...ids].sort()[0];
      }) }, p);
      this.vpcId = vpc.id;
      this.subnetId = subnet.id;
      this.availabilityZone = subnet.availabilityZone;
    }
    this.keyName = args.sshPublicKey
      ? new ec2.KeyPair(`${name}-key`, { publicKey: args.sshPublicKey, tags }, p).keyName
      : pulumi.output(undefined);
    this.registerOutputs({ vpcId: this.vpcId, subnetId: this.subnetId, availabilityZone: this.availabilityZone, keyName: this.keyName });
  }
}
