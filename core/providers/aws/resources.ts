/** How AWS resources read: instances (root and EBS block devices), volumes, Elastic IPs, security group rules. */
import type { Ingress, ReaderKit, ResourceReader } from "../types";

type Props = Record<string, unknown>;

/** A security group rule (inline, legacy rule resource, or VPC ingress rule). */
function awsRule(
  kit: ReaderKit,
  rule: unknown,
  path?: string,
  fields = { protocol: "protocol", v4: "cidrBlocks", v6: "ipv6CidrBlocks" },
): Ingress {
  const protocol = kit.protocolOf(kit.get(rule, fields.protocol));
  const from = kit.num(kit.get(rule, "fromPort"));
  const to = kit.num(kit.get(rule, "toPort"));
  const everyPort =
    protocol === "all" || from === undefined || (from <= 0 && (to === undefined || to <= 0 || to >= 65535));
  const v4 = kit.get(rule, fields.v4);
  const v6 = kit.get(rule, fields.v6);
  const sources = [...(Array.isArray(v4) ? v4 : [v4]), ...(Array.isArray(v6) ? v6 : [v6])].filter(
    (s): s is string => !!kit.str(s),
  );
  return kit.ingress({ path, protocol, ports: everyPort || from === undefined ? [] : [[from, to ?? from]], sources });
}

const instance: ResourceReader = (p: Props, kit) => {
  const root = kit.get(p, "rootBlockDevice");
  const disks = [
    kit.disk({
      suffix: "/root",
      role: "root",
      storageClass: kit.str(kit.get(root, "volumeType")) ?? (root ? "gp2" : undefined),
      sizeGb: kit.qty(kit.get(root, "volumeSize")),
      iops: kit.qty(kit.get(root, "iops")),
      throughputMBps: kit.qty(kit.get(root, "throughput")),
      encrypted: kit.get(root, "encrypted") === true,
      alwaysEncrypted: false,
    }),
    ...kit.list(kit.get(p, "ebsBlockDevices")).map((d, i) =>
      kit.disk({
        suffix: `/ebsBlockDevices[${i}]`,
        role: "data",
        storageClass: kit.str(kit.get(d, "volumeType")) ?? "gp2",
        sizeGb: kit.qty(kit.get(d, "volumeSize")),
        iops: kit.qty(kit.get(d, "iops")),
        throughputMBps: kit.qty(kit.get(d, "throughput")),
        encrypted: kit.get(d, "encrypted") === true,
        alwaysEncrypted: false,
      }),
    ),
  ];
  return { machines: [kit.machine(kit.str(kit.get(p, "instanceType")))], disks };
};

export const AWS_RESOURCES: Record<string, ResourceReader> = {
  "aws:ec2/instance:Instance": instance,
  "aws:ebs/volume:Volume": (p, kit) => ({
    disks: [
      kit.disk({
        role: "data",
        storageClass: kit.str(kit.get(p, "type")) ?? "gp2",
        sizeGb: kit.qty(kit.get(p, "size")),
        iops: kit.qty(kit.get(p, "iops")),
        throughputMBps: kit.qty(kit.get(p, "throughput")),
        encrypted: kit.get(p, "encrypted") === true,
        alwaysEncrypted: false,
      }),
    ],
  }),
  "aws:ec2/eip:Eip": (_p, kit) => ({ publicIps: [kit.ip()] }),
  "aws:ec2/securityGroup:SecurityGroup": (p, kit) => ({
    ingress: kit.list(kit.get(p, "ingress")).map((rule, i) => awsRule(kit, rule, `ingress[${i}]`)),
  }),
  "aws:ec2/securityGroupRule:SecurityGroupRule": (p, kit) =>
    kit.get(p, "type") === "ingress" ? { ingress: [awsRule(kit, p)] } : {},
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": (p, kit) => ({
    ingress: [awsRule(kit, p, undefined, { protocol: "ipProtocol", v4: "cidrIpv4", v6: "cidrIpv6" })],
  }),
};
