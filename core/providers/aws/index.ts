/** AWS: EC2 instances in catalog regions (catalog/providers/aws.yaml); the Pulumi side is components/aws/. */
import type { ProviderFacts } from "../types";
import { AWS_RESOURCES } from "./resources";

export const aws = {
  id: "aws",
  kind: "cloud",
  resources: AWS_RESOURCES,
  freeTypes: [
    "aws:ec2/vpc:Vpc",
    "aws:ec2/subnet:Subnet",
    "aws:ec2/internetGateway:InternetGateway",
    "aws:ec2/routeTable:RouteTable",
    "aws:ec2/routeTableAssociation:RouteTableAssociation",
    "aws:ec2/route:Route",
    "aws:ec2/securityGroup:SecurityGroup",
    "aws:ec2/securityGroupRule:SecurityGroupRule",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    "aws:ec2/volumeAttachment:VolumeAttachment",
    "aws:ec2/keyPair:KeyPair",
  ],
  // An availability zone always lies in the provider's region; the provider is the surer source.
  regionOf: (p, pp, config, kit) =>
    kit.str(kit.get(p, "region")) ??
    kit.str(kit.get(pp, "region")) ??
    kit.str(kit.get(p, "availabilityZone"))?.replace(/[a-z]$/, "") ??
    config["aws:region"],
  adminPortFix:
    "limit the rule's cidrIpv4/cidrBlocks to your admin or load-balancer CIDRs (Sovereign: sovereign:adminCidrs, sovereign:rpcAllowCidrs), or delete the rule",
} as const satisfies ProviderFacts;
