/** Azure as data: image, admin user, NSG priorities, storage classes and guest devices. */
import { createHash } from "node:crypto";
import { finiteOrUndefined, identityLabels, unknownStorageClass, type Arch, type CloudData } from "../cloud-data";

export const AZURE_IMAGE = {
  publisher: "Canonical",
  offer: "ubuntu-24_04-lts",
  sku: (arch: Arch) => (arch === "arm64" ? "server-arm64" : "server"),
  version: "latest",
};
export const AZURE_ADMIN_USER = "sovereign";
/** The lowest priority a custom NSG rule can have (100-4096); Azure's default rules come after it. */
export const AZURE_LAST_RULE_PRIORITY = 4096;
export const AZURE_DATA_LUN = 0;
/** Availability zone of VMs with a Premium SSD v2 data disk (Azure attaches v2 disks to zonal VMs only). */
export const AZURE_ZONE = "1";
/** Address space of a location's virtual network when none is given. */
export const AZURE_VNET_CIDR = "10.42.0.0/16";
/** Prefix length of the hosts' subnet (the first block of the address space). */
export const AZURE_SUBNET_PREFIX = 24;

export const AZURE_DATA: CloudData = {
  // Arm64 sizes carry a `p` feature letter: Standard_D4ps_v5, Standard_E8pds_v5.
  archOf: (shape) => (/^Standard_[A-Z]+\d+[a-z]*p[a-z]*_/.test(shape) ? "arm64" : "amd64"),
  dataDisk(storage) {
    if (storage.class === "instance-nvme") return { kind: "local", count: 1, sizeGb: storage.sizeGb };
    if (storage.class === "Premium_LRS")
      return { kind: "network", type: "Premium_LRS", sizeGb: Math.ceil(storage.sizeGb), tier: storage.tier };
    // Premium SSD v2: performance provisioned on the disk; it attaches only to zonal VMs (AZURE_ZONE).
    if (storage.class === "PremiumV2_LRS") {
      return {
        kind: "network",
        type: "PremiumV2_LRS",
        sizeGb: Math.ceil(storage.sizeGb),
        iops: finiteOrUndefined(storage.iops),
        throughputMBps: finiteOrUndefined(storage.throughputMBps),
      };
    }
    return unknownStorageClass("azure", storage);
  },
  devices: (disk) =>
    disk.kind === "local"
      ? ["/dev/disk/by-id/nvme-Microsoft_NVMe_Direct_Disk_*"]
      : [`/dev/disk/azure/data/by-lun/${AZURE_DATA_LUN}`, `/dev/disk/azure/scsi1/lun${AZURE_DATA_LUN}`],
  labels: identityLabels,
  bootDiskGb: 30,
};

/**
 * An SSH public key nobody holds the private key of: the ed25519 "point" is a SHA-256 hash of a
 * fixed phrase. Azure requires a key on Linux VMs; without `sshPublicKey` this keeps login impossible.
 */
export const LOCKED_SSH_PUBLIC_KEY = (() => {
  const type = Buffer.from("ssh-ed25519");
  const key = createHash("sha256").update("sovereign: no SSH login on this host").digest();
  const u32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n);
    return b;
  };
  return `ssh-ed25519 ${Buffer.concat([u32(type.length), type, u32(key.length), key]).toString("base64")} sovereign-locked`;
})();
