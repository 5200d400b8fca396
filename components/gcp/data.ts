/** GCP as data: image, devices, names; local-SSD rules come from the catalog's storage class. */
import { createHash } from "node:crypto";
import type { StorageClass } from "../../core/catalog/schema";
import { toGcpLabels } from "../../core/workload/tags";
import { unknownStorageClass, type Arch, type CloudData } from "../cloud-data";

/** GCP public image family (resolved by Compute Engine at create time). */
export const GCP_IMAGE = (arch: Arch) => `ubuntu-os-cloud/ubuntu-2404-lts-${arch}`;
/** deviceName of the attached persistent disk: the guest sees /dev/disk/by-id/google-<deviceName>. */
export const GCP_DATA_DEVICE = "sovereign-data";
/**
 * A fixed number per GCP region: its default subnet is `10.<100 + n>.0.0/20` (core/layout/cidrs).
 * Append new regions; never renumber (a subnet's CIDR cannot change in place). The first three
 * keep the CIDRs earlier versions derived from the catalog's order.
 */
export const GCP_SUBNET_NUMBERS: Readonly<Record<string, number>> = Object.fromEntries(
  [
    "us-east4",
    "europe-west3",
    "asia-southeast1",
    "us-central1",
    "us-east1",
    "us-east5",
    "us-south1",
    "us-west1",
    "us-west2",
    "us-west3",
    "us-west4",
    "northamerica-northeast1",
    "northamerica-northeast2",
    "northamerica-south1",
    "southamerica-east1",
    "southamerica-west1",
    "europe-west1",
    "europe-west2",
    "europe-west4",
    "europe-west6",
    "europe-west8",
    "europe-west9",
    "europe-west10",
    "europe-west12",
    "europe-north1",
    "europe-north2",
    "europe-central2",
    "europe-southwest1",
    "me-west1",
    "me-central1",
    "me-central2",
    "africa-south1",
    "asia-east1",
    "asia-east2",
    "asia-northeast1",
    "asia-northeast2",
    "asia-northeast3",
    "asia-south1",
    "asia-south2",
    "asia-southeast2",
    "australia-southeast1",
    "australia-southeast2",
  ].map((region, n) => [region, n]),
);

/**
 * Local SSD as the catalog describes it (catalog/providers/gcp.yaml, class `local-ssd`): which
 * machine types take it (`shapePrefixes`), the partition size (`unitGb`) and the counts a machine
 * accepts (`unitCounts`).
 */
export function gcpLocalSsd(
  storageGb: number,
  shape: string,
  cls: StorageClass | undefined,
): { count: number; sizeGb: number } {
  if (!cls?.unitGb) throw new Error("gcp: the catalog's local-ssd storage class has no unitGb");
  if (cls.shapePrefixes && !cls.shapePrefixes.some((p) => shape.startsWith(p))) {
    throw new Error(
      `gcp: the plan pairs machine type ${shape} with local-ssd, but the catalog allows local SSD only on ${cls.shapePrefixes.join(", ")} machines; the catalog/planner must not offer this pair`,
    );
  }
  const needed = Math.ceil(storageGb / cls.unitGb);
  const count = cls.unitCounts ? cls.unitCounts.find((c) => c >= needed) : needed;
  if (!count)
    throw new Error(
      `gcp: ${storageGb} GB of local SSD needs more than ${cls.unitCounts?.at(-1)} disks of ${cls.unitGb} GB`,
    );
  return { count, sizeGb: count * cls.unitGb };
}

export const GCP_DATA: CloudData = {
  archOf: (shape) => (/^(t2a|c4a|n4a)-/.test(shape) ? "arm64" : "amd64"),
  dataDisk(storage, shape, classes = []) {
    if (storage.class === "local-ssd") {
      return {
        kind: "local",
        ...gcpLocalSsd(
          storage.sizeGb,
          shape,
          classes.find((c) => c.id === "local-ssd"),
        ),
      };
    }
    if (storage.class === "pd-balanced" || storage.class === "pd-ssd")
      return { kind: "network", type: storage.class, sizeGb: Math.ceil(storage.sizeGb) };
    return unknownStorageClass("gcp", storage);
  },
  devices: (disk) =>
    disk.kind === "local" ? ["/dev/disk/by-id/google-local-nvme-ssd-*"] : [`/dev/disk/by-id/google-${GCP_DATA_DEVICE}`],
  labels: toGcpLabels,
  bootDiskGb: 30,
};

/** A name GCP accepts (lower case, [a-z0-9-], starts with a letter, at most 63), stable for a given input. */
export function gcpName(name: string, max = 63): string {
  let n = name
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, "-")
    .replace(/-+/g, "-")
    .replace(/^-|-$/g, "");
  if (!/^[a-z]/.test(n)) n = `s-${n}`;
  if (n.length <= max) return n;
  const hash = createHash("sha256").update(name).digest("hex").slice(0, 8);
  return `${n.slice(0, max - 9).replace(/-$/, "")}-${hash}`;
}
