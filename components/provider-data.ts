/**
 * Everything that differs between the clouds, as data: base images, CPU architecture rules, how
 * the planned storage class becomes a disk, where the data disk shows up in the guest, and how
 * tags are written. The host components read these tables; they hold no per-provider branches of
 * shared logic (exposure, workload, tags live in core/workload).
 */
import { createHash } from "node:crypto";
import type { StorageChoice } from "../core/costs/options";
import { toGcpLabels } from "../core/workload/tags";

export type Arch = "amd64" | "arm64";
export type CloudId = "aws" | "gcp" | "azure";

/** How a planned storage choice is built on a provider. */
export type DataDiskSpec =
  | { kind: "network"; type: string; sizeGb: number; iops?: number; throughputMBps?: number; tier?: string }
  | { kind: "local"; count: number; sizeGb: number };

export interface CloudData {
  /** CPU architecture of an instance shape. */
  archOf(shape: string): Arch;
  /** The guest paths (globs) where the data disk appears; `volumeId` for AWS EBS. */
  devices(disk: DataDiskSpec, volumeId?: string): string[];
  /** The planned storage as a disk of this provider; throws on a class the provider (or shape) cannot build. */
  dataDisk(storage: StorageChoice, shape: string): DataDiskSpec;
  /** Tags in the provider's form (GCP labels have their own rules). */
  labels(tags: Record<string, string>): Record<string, string>;
  /** Boot disk size, GB. */
  bootDiskGb: number;
}

const identity = (tags: Record<string, string>) => ({ ...tags });
const finite = (n: number | undefined) => (n !== undefined && Number.isFinite(n) ? Math.round(n) : undefined);

function unknownClass(provider: string, storage: StorageChoice): never {
  throw new Error(`${provider}: the plan chose storage class '${storage.class}', which this component cannot build`);
}

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
/** EC2 user-data limit, bytes (before base64). */
export const AWS_USER_DATA_LIMIT = 16384;
/** Device name the EBS data volume is attached at (shows as NVMe on Nitro; found by volume id). */
export const AWS_DATA_DEVICE = "/dev/sdf";

/** GCP public image family (resolved by Compute Engine at create time). */
export const GCP_IMAGE = (arch: Arch) => `ubuntu-os-cloud/ubuntu-2404-lts-${arch}`;
/** deviceName of the attached persistent disk: the guest sees /dev/disk/by-id/google-<deviceName>. */
export const GCP_DATA_DEVICE = "sovereign-data";
export const GCP_LOCAL_SSD_GB = 375;
/** Local SSD counts N1/N2/N2D machine types accept. */
export const GCP_LOCAL_SSD_COUNTS = [1, 2, 4, 8, 16, 24];
/**
 * Machine families that take separately attached local SSDs. Newer families (C3, C3D, C4, N4...)
 * only come with local SSD built into `-lssd` machine types and refuse scratch disks.
 */
export const GCP_LOCAL_SSD_FAMILIES = ["n1", "n2", "n2d"];

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

export const CLOUD_DATA: Record<CloudId, CloudData> = {
  aws: {
    // Graviton families carry a `g` after the generation: m7g, r7g, c7gn, i4g.
    archOf: (shape) => (/^[a-z]+\d+g[a-z]*\./.test(shape) ? "arm64" : "amd64"),
    dataDisk(storage) {
      if (storage.class === "instance-nvme") return { kind: "local", count: 1, sizeGb: storage.sizeGb };
      if (storage.class === "gp3") return { kind: "network", type: "gp3", sizeGb: Math.ceil(storage.sizeGb), iops: finite(storage.iops), throughputMBps: finite(storage.throughputMBps) };
      if (storage.class === "io2") return { kind: "network", type: "io2", sizeGb: Math.ceil(storage.sizeGb), iops: finite(storage.iops) };
      return unknownClass("aws", storage);
    },
    devices: (disk, volumeId) => disk.kind === "local"
      ? ["/dev/disk/by-id/nvme-Amazon_EC2_NVMe_Instance_Storage_*"]
      // Nitro exposes EBS as NVMe with the volume id (without the dash) as serial; Xen as /dev/xvdf.
      : [`/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_${(volumeId ?? "").replace("-", "")}`, "/dev/xvdf"],
    labels: identity,
    bootDiskGb: 30,
  },
  gcp: {
    archOf: (shape) => (/^(t2a|c4a|n4a)-/.test(shape) ? "arm64" : "amd64"),
    dataDisk(storage, shape) {
      if (storage.class === "local-ssd") {
        const family = shape.split("-")[0];
        if (!GCP_LOCAL_SSD_FAMILIES.includes(family)) {
          throw new Error(`gcp: the plan pairs machine type ${shape} with local-ssd, but ${family} machines cannot attach local SSDs (only ${GCP_LOCAL_SSD_FAMILIES.join(", ")} can); the catalog/planner must not offer this pair`);
        }
        const needed = Math.ceil(storage.sizeGb / GCP_LOCAL_SSD_GB);
        const count = GCP_LOCAL_SSD_COUNTS.find((c) => c >= needed);
        if (!count) throw new Error(`gcp: ${storage.sizeGb} GB of local SSD needs more than ${GCP_LOCAL_SSD_COUNTS.at(-1)} disks`);
        return { kind: "local", count, sizeGb: count * GCP_LOCAL_SSD_GB };
      }
      if (storage.class === "pd-balanced" || storage.class === "pd-ssd") return { kind: "network", type: storage.class, sizeGb: Math.ceil(storage.sizeGb) };
      return unknownClass("gcp", storage);
    },
    devices: (disk) => disk.kind === "local" ? ["/dev/disk/by-id/google-local-nvme-ssd-*"] : [`/dev/disk/by-id/google-${GCP_DATA_DEVICE}`],
    labels: toGcpLabels,
    bootDiskGb: 30,
  },
  azure: {
    // Arm64 sizes carry a `p` feature letter: Standard_D4ps_v5, Standard_E8pds_v5.
    archOf: (shape) => (/^Standard_[A-Z]+\d+[a-z]*p[a-z]*_/.test(shape) ? "arm64" : "amd64"),
    dataDisk(storage) {
      if (storage.class === "instance-nvme") return { kind: "local", count: 1, sizeGb: storage.sizeGb };
      if (storage.class === "Premium_LRS") return { kind: "network", type: "Premium_LRS", sizeGb: Math.ceil(storage.sizeGb), tier: storage.tier };
      return unknownClass("azure", storage);
    },
    devices: (disk) => disk.kind === "local"
      ? ["/dev/disk/by-id/nvme-Microsoft_NVMe_Direct_Disk_*"]
      : [`/dev/disk/azure/data/by-lun/${AZURE_DATA_LUN}`, `/dev/disk/azure/scsi1/lun${AZURE_DATA_LUN}`],
    labels: identity,
    bootDiskGb: 30,
  },
};

/**
 * An SSH public key nobody holds the private key of: the ed25519 "point" is a SHA-256 hash of a
 * fixed phrase. Azure requires a key on Linux VMs; without `sshPublicKey` this keeps login impossible.
 */
export const LOCKED_SSH_PUBLIC_KEY = (() => {
  const type = Buffer.from("ssh-ed25519");
  const key = createHash("sha256").update("sovereign: no SSH login on this host").digest();
  const u32 = (n: number) => { const b = Buffer.alloc(4); b.writeUInt32BE(n); return b; };
  return `ssh-ed25519 ${Buffer.concat([u32(type.length), type, u32(key.length), key]).toString("base64")} sovereign-locked`;
})();

/** A name GCP accepts (lower case, [a-z0-9-], starts with a letter, at most 63), stable for a given input. */
export function gcpName(name: string, max = 63): string {
  let n = name.toLowerCase().replace(/[^a-z0-9-]/g, "-").replace(/-+/g, "-").replace(/^-|-$/g, "");
  if (!/^[a-z]/.test(n)) n = `s-${n}`;
  if (n.length <= max) return n;
  const hash = createHash("sha256").update(name).digest("hex").slice(0, 8);
  return `${n.slice(0, max - 9).replace(/-$/, "")}-${hash}`;
}
