/**
 * The shape of a cloud's data table (components/<cloud>/data.ts): base images, CPU architecture
 * rules, how the planned storage class becomes a disk, where the data disk shows up in the guest,
 * how tags are written. Host components read these tables; they hold no per-provider branches of
 * shared logic (exposure, workload, tags live in core/workload).
 */
import type { StorageClass } from "../core/catalog/schema";
import type { StorageChoice } from "../core/costs/options";

export type Arch = "amd64" | "arm64";

/** How a planned storage choice is built on a provider. */
export type DataDiskSpec =
  | { kind: "network"; type: string; sizeGb: number; iops?: number; throughputMBps?: number; tier?: string }
  | { kind: "local"; count: number; sizeGb: number };

export interface CloudData {
  /** CPU architecture of an instance shape. */
  archOf(shape: string): Arch;
  /** The guest paths (globs) where the data disk appears; `volumeId` for AWS EBS. */
  devices(disk: DataDiskSpec, volumeId?: string): string[];
  /**
   * The planned storage as a disk of this provider; throws on a class the provider (or shape)
   * cannot build. `classes`: the provider's storage classes in the catalog (units, shape rules).
   */
  dataDisk(storage: StorageChoice, shape: string, classes?: readonly StorageClass[]): DataDiskSpec;
  /** Tags in the provider's form (GCP labels have their own rules). */
  labels(tags: Record<string, string>): Record<string, string>;
  /** Boot disk size, GB. */
  bootDiskGb: number;
}

export const identityLabels = (tags: Record<string, string>) => ({ ...tags });
export const finiteOrUndefined = (n: number | undefined) =>
  n !== undefined && Number.isFinite(n) ? Math.round(n) : undefined;

export function unknownStorageClass(provider: string, storage: StorageChoice): never {
  throw new Error(`${provider}: the plan chose storage class '${storage.class}', which this component cannot build`);
}

/** A cloud node's machine shape: every cloud and Akash node has one; only bare-metal nodes have none. */
export function machineShape(node: { id: string; shape?: string }): string {
  if (!node.shape)
    throw new Error(`${node.id}: the plan gives this cloud node no machine shape; plan again (sovereign plan)`);
  return node.shape;
}
