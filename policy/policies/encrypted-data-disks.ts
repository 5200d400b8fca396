/**
 * Resource policy `encrypted-data-disks`: every data disk is encrypted at rest. AWS EBS volumes
 * (and the extra block devices of an instance) must say `encrypted: true`; GCP persistent disks
 * and Azure managed disks are always encrypted by the platform, so they pass.
 */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { message, readOne } from "../lib";

export const encryptedDataDisks: ResourceValidationPolicy = {
  name: "encrypted-data-disks",
  description: "Data disks holding chain data and keys are encrypted at rest.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps:
    "Set `encrypted: true` on the aws.ebs.Volume (and on every ebsBlockDevices entry of an aws.ec2.Instance); " +
    "pass `kmsKeyId` to use your own key. Existing unencrypted volumes must be copied to an encrypted snapshot.",
  validateResource: (args, report) => {
    for (const disk of readOne(args).disks) {
      if (disk.role === "root" || disk.alwaysEncrypted || disk.encrypted === true) continue;
      report(
        message(
          "Unencrypted data disk",
          `${disk.name} (${disk.type})`,
          `${disk.storageClass ?? "disk"}${disk.sizeGb ? ` of ${disk.sizeGb} GB` : ""} is not encrypted at rest`,
          "set encrypted: true (and kmsKeyId for a customer-managed key)",
        ),
      );
    }
  },
};
