import type { Policies } from "@pulumi/policy";
import { budget } from "./budget";
import { diversity } from "./diversity";
import { encryptedDataDisks } from "./encrypted-data-disks";
import { nodeInstancesTagged } from "./node-instances-tagged";
import { noPlaintextSecrets } from "./no-plaintext-secrets";
import { noPublicAdminPorts } from "./no-public-admin-ports";
import { shapeMeetsProfile } from "./shape-meets-profile";

/** Every policy of the pack; each is a plain object, tested alone. */
export const POLICIES: Policies = [
  diversity,
  noPublicAdminPorts,
  encryptedDataDisks,
  nodeInstancesTagged,
  shapeMeetsProfile,
  noPlaintextSecrets,
  budget,
];
export {
  budget,
  diversity,
  encryptedDataDisks,
  nodeInstancesTagged,
  noPlaintextSecrets,
  noPublicAdminPorts,
  shapeMeetsProfile,
};
