/** AWS as data: image, default VPC, limits, storage classes and guest devices. */
import { finiteOrUndefined, identityLabels, unknownStorageClass, type Arch, type CloudData } from "../cloud-data";

/** Ubuntu 24.04 LTS from Canonical's account, newest image, looked up per region (aws.ec2.getAmi). */
export const AWS_IMAGE = {
  owners: ["099720109477"],
  name: (arch: Arch) => `ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-${arch}-server-*`,
};
/**
 * The IPv4 CIDR AWS gives every default VPC (VPC User Guide, "Default VPCs": a /16 from
 * 172.31.0.0/16, default subnets are /20 blocks of it). Only the default VPC's primary block.
 */
export const AWS_DEFAULT_VPC_CIDR = "172.31.0.0/16";
/** CIDR of a dedicated VPC when none is given. */
export const AWS_DEDICATED_VPC_CIDR = "10.42.0.0/16";
/** Prefix length of the dedicated VPC's public subnet (its first block). */
export const AWS_SUBNET_PREFIX = 20;
/** EC2 user-data limit, bytes (before base64). */
export const AWS_USER_DATA_LIMIT = 16384;
/** Device name the EBS data volume is attached at (shows as NVMe on Nitro; found by volume id). */
export const AWS_DATA_DEVICE = "/dev/sdf";

export const AWS_DATA: CloudData = {
  // Graviton families carry a `g` after the generation: m7g, r7g, c7gn, i4g.
  archOf: (shape) => (/^[a-z]+\d+g[a-z]*\./.test(shape) ? "arm64" : "amd64"),
  dataDisk(storage) {
    if (storage.class === "instance-nvme") return { kind: "local", count: 1, sizeGb: storage.sizeGb };
    if (storage.class === "gp3") {
      return {
        kind: "network",
        type: "gp3",
        sizeGb: Math.ceil(storage.sizeGb),
        iops: finiteOrUndefined(storage.iops),
        throughputMBps: finiteOrUndefined(storage.throughputMBps),
      };
    }
    if (storage.class === "io2")
      return { kind: "network", type: "io2", sizeGb: Math.ceil(storage.sizeGb), iops: finiteOrUndefined(storage.iops) };
    return unknownStorageClass("aws", storage);
  },
  devices: (disk, volumeId) =>
    disk.kind === "local"
      ? ["/dev/disk/by-id/nvme-Amazon_EC2_NVMe_Instance_Storage_*"]
      : // Nitro exposes EBS as NVMe with the volume id (without the dash) as serial; Xen as /dev/xvdf.
        [`/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_${(volumeId ?? "").replace("-", "")}`, "/dev/xvdf"],
  labels: identityLabels,
  bootDiskGb: 30,
};
