import * as pulumi from "@pulumi/pulumi";
import * as ec2 from "@pulumi/aws/ec2";
import { subnetCidr } from "../../core/layout";
import { AWS_DEDICATED_VPC_CIDR, AWS_DEFAULT_VPC_CIDR, AWS_SUBNET_PREFIX } from "./data";
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
  /** CIDR of the dedicated subnet. @default the first /20 of `cidr` (core/layout subnetCidr) */
  subnetCidr?: string;
  /** Public key to register as an EC2 key pair for the hosts. @default none (no key pair) */
  sshPublicKey?: string;
  /** Edit the args of the underlying resources (children `<name>-<part>`). @default none */
  transform?: {
    /** `<name>-vpc` (dedicated). */
    vpc?: Transform<ec2.VpcArgs>;
    /** `<name>-igw` (dedicated). */
    internetGateway?: Transform<ec2.InternetGatewayArgs>;
    /** `<name>-subnet` (dedicated). */
    subnet?: Transform<ec2.SubnetArgs>;
    /** `<name>-routes`: the route table with the default route (dedicated). */
    routeTable?: Transform<ec2.RouteTableArgs>;
    /** `<name>-routes-subnet` (dedicated). */
    routeTableAssociation?: Transform<ec2.RouteTableAssociationArgs>;
    /** `<name>-key`: the EC2 key pair (with sshPublicKey). */
    keyPair?: Transform<ec2.KeyPairArgs>;
  };
}

/**
 * The network a fleet's AWS hosts of one region share. Create it with the region's aws.Provider
 * (`{ providers: [provider] }`); children inherit it.
 *
 * @example
 * const net = new AwsNetwork("prod-aws-us-east-1", { tags: { "sovereign:fleet": "prod" }, cidr: "10.8.0.0/16" }, { providers: [useast1] });
 * // net.subnetId is a 10.8.0.0/20 subnet; net.cidrBlocks = ["10.8.0.0/16"]
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
      this.cidrBlocks = [args.cidr ?? AWS_DEDICATED_VPC_CIDR];
      const subnet = this.createDedicated(name, args, this.cidrBlocks[0]);
      this.vpcId = subnet.vpcId;
      this.subnetId = subnet.id;
      this.availabilityZone = subnet.availabilityZone;
    } else {
      // Resource names and rules need the CIDR before the lookup answers: take AWS's fixed default
      // VPC block and fail the deployment if this account's default VPC says otherwise.
      this.cidrBlocks = [args.cidr ?? AWS_DEFAULT_VPC_CIDR];
      const found = this.findDefault(name, this.cidrBlocks[0]);
      this.vpcId = found.vpcId;
      this.subnetId = found.subnetId;
      this.availabilityZone = found.availabilityZone;
    }
    this.keyName = args.sshPublicKey
      ? new ec2.KeyPair(...transform(args.transform?.keyPair, `${name}-key`, { publicKey: args.sshPublicKey, tags }, p))
          .keyName
      : pulumi.output(undefined);
    this.registerOutputs({
      vpcId: this.vpcId,
      subnetId: this.subnetId,
      availabilityZone: this.availabilityZone,
      keyName: this.keyName,
      cidrBlocks: this.cidrBlocks,
    });
  }

  /** A VPC with one public subnet (the first /20 of the VPC unless given), internet gateway and routes. */
  private createDedicated(name: string, args: AwsNetworkArgs, cidr: string): ec2.Subnet {
    const p = { parent: this };
    const tags = args.tags;
    const t = args.transform ?? {};
    const vpc = new ec2.Vpc(
      ...transform(
        t.vpc,
        `${name}-vpc`,
        {
          cidrBlock: cidr,
          enableDnsHostnames: true,
          enableDnsSupport: true,
          tags: { ...tags, Name: name },
        },
        p,
      ),
    );
    const igw = new ec2.InternetGateway(
      ...transform(t.internetGateway, `${name}-igw`, { vpcId: vpc.id, tags: { ...tags, Name: name } }, p),
    );
    const subnet = new ec2.Subnet(
      ...transform(
        t.subnet,
        `${name}-subnet`,
        {
          vpcId: vpc.id,
          cidrBlock: args.subnetCidr ?? subnetCidr(cidr, AWS_SUBNET_PREFIX, 0, "aws.vpcCidr"),
          mapPublicIpOnLaunch: true,
          tags: { ...tags, Name: `${name}-public` },
        },
        p,
      ),
    );
    const routes = new ec2.RouteTable(
      ...transform(
        t.routeTable,
        `${name}-routes`,
        {
          vpcId: vpc.id,
          routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: igw.id }],
          tags: { ...tags, Name: name },
        },
        p,
      ),
    );
    new ec2.RouteTableAssociation(
      ...transform(
        t.routeTableAssociation,
        `${name}-routes-subnet`,
        { subnetId: subnet.id, routeTableId: routes.id },
        p,
      ),
    );
    return subnet;
  }

  /** The account's default VPC (its CIDR checked) and its default subnet in the first zone. */
  private findDefault(name: string, expected: string) {
    const p = { parent: this };
    const vpc = ec2.getVpcOutput({ default: true }, p);
    const subnets = ec2.getSubnetsOutput(
      {
        filters: [
          { name: "vpc-id", values: [vpc.id] },
          { name: "default-for-az", values: ["true"] },
        ],
      },
      p,
    );
    const subnet = ec2.getSubnetOutput(
      {
        id: subnets.ids.apply((ids) => {
          if (!ids.length) throw new Error(`${name}: the default VPC has no default subnet; use mode "dedicated"`);
          return [...ids].sort()[0];
        }),
      },
      p,
    );
    const vpcId = pulumi.all([vpc.id, vpc.cidrBlock]).apply(([id, cidr]) => {
      if (cidr !== expected) {
        throw new Error(
          `${name}: the default VPC ${id} has CIDR ${cidr}, not ${expected}; set the AWS option vpcCidr to ${cidr} so RPC is allowed from inside it`,
        );
      }
      return id;
    });
    return { vpcId, subnetId: subnet.id, availabilityZone: subnet.availabilityZone };
  }
}
