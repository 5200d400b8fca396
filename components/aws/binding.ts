/**
 * How a Fleet deploys its AWS nodes: an explicit provider per region, the region's network once,
 * one host per node.
 */
import type * as pulumi from "@pulumi/pulumi";
import { machineShape } from "../cloud-data";
import { Provider as AwsProvider, type ProviderArgs as AwsProviderArgs } from "@pulumi/aws/provider";
import { subnetCidr } from "../../core/layout";
import type { PlannedGateway, PlannedNode } from "../../core/plan";
import { byRegion, cloudGatewaySite, diskProblems, regionTags, scaffold } from "../cloud-scope";
import type { FleetContext, GatewaySite, HostBinding } from "../hosts";
import type { NodeHostArgs, NodeHostOutputs } from "../node-host";
import { AWS_DATA, AWS_SUBNET_PREFIX } from "./data";
import { AwsNodeHost, type AwsNodeHostArgs } from "./host";
import { AwsNetwork } from "./network";

export interface AwsFleetOptions {
  /** `dedicated` VPC per region, or the account's `default` VPC. @default "dedicated" */
  network?: "dedicated" | "default";
  /**
   * CIDR of each dedicated VPC (its first /20 is the subnet); with `network: "default"`, the
   * default VPC's CIDR (checked at deploy). RPC ports are open to it.
   * @default "10.42.0.0/16" (dedicated), "172.31.0.0/16" (default)
   */
  vpcCidr?: string;
  /** Extra aws.Provider args (profile, assumeRole...); `region` is set per region. @default {} */
  providerArgs?: Omit<AwsProviderArgs, "region">;
  /** KMS key for EBS volumes. @default the account's aws/ebs key */
  kmsKeyId?: string;
  /** Passed to every AwsNodeHost. @default none */
  transform?: AwsNodeHostArgs["transform"];
}

declare module "../hosts" {
  interface FleetProviderOptions {
    /** AWS options (network mode, VPC CIDR, provider args, KMS key, transforms). @default {} */
    aws?: AwsFleetOptions;
  }
}

export const awsBinding: HostBinding = {
  preflight(nodes, ctx) {
    const problems = diskProblems(nodes, (n) => AWS_DATA.dataDisk(n.storage, machineShape(n)));
    const cidr = ctx.options.aws?.vpcCidr;
    if (cidr !== undefined && ctx.options.aws?.network !== "default") {
      try {
        subnetCidr(cidr, AWS_SUBNET_PREFIX, 0, "aws.vpcCidr");
      } catch (e) {
        problems.push((e as Error).message);
      }
    }
    return problems;
  },

  deploy(nodes, ctx) {
    const opts = ctx.options.aws ?? {};
    const hosts: Record<string, NodeHostOutputs> = {};
    for (const [region, list] of byRegion(nodes)) {
      const { provider, net } = awsRegion(ctx, region, list);
      for (const node of list) {
        hosts[node.id] = new AwsNodeHost(
          `${ctx.name}-${node.id}`,
          {
            ...ctx.host,
            node,
            rendered: ctx.workloads.get(node.id),
            overlay: ctx.overlayFor?.(node),
            networkCidrs: net.cidrBlocks,
            vpcId: net.vpcId,
            subnetId: net.subnetId,
            availabilityZone: net.availabilityZone,
            keyName: net.keyName,
            kmsKeyId: opts.kmsKeyId,
            transform: opts.transform,
          },
          { parent: ctx.parent, providers: [provider] },
        );
      }
    }
    return hosts;
  },

  gatewaySite(gateway, ctx) {
    const { provider, net } = awsRegion(ctx, gateway.region, [gateway]);
    return awsGatewaySite(
      {
        vpcId: net.vpcId,
        subnetId: net.subnetId,
        availabilityZone: net.availabilityZone,
        keyName: net.keyName,
        kmsKeyId: ctx.options.aws?.kmsKeyId,
      },
      { providers: [provider] },
    );
  },
};

/** A gateway on an EC2 instance in this network (RpcGatewayArgs.site). */
export function awsGatewaySite(
  site: Omit<AwsNodeHostArgs, keyof NodeHostArgs>,
  opts?: pulumi.ComponentResourceOptions,
): GatewaySite {
  return cloudGatewaySite(
    "aws",
    { class: "gp3", sizeGb: 8, iops: 3000, throughputMBps: 125, local: false },
    AwsNodeHost,
    site,
    opts,
  );
}

/** A region's provider and network, made once for its nodes and gateways. */
function awsRegion(ctx: FleetContext, region: string, placed: ReadonlyArray<PlannedNode | PlannedGateway>) {
  return scaffold(ctx, `aws/${region}`, () => {
    const opts = ctx.options.aws ?? {};
    const provider = new AwsProvider(
      `${ctx.name}-aws-${region}`,
      { ...opts.providerArgs, region },
      { parent: ctx.parent },
    );
    const net = new AwsNetwork(
      `${ctx.name}-aws-${region}`,
      {
        tags: regionTags(ctx, "aws", region, placed),
        mode: opts.network,
        cidr: opts.vpcCidr,
        sshPublicKey: ctx.host.sshPublicKey,
      },
      { parent: ctx.parent, providers: [provider] },
    );
    return { provider, net };
  });
}
