/**
 * What the resource reader works on and what it produces. Plain data: no Pulumi imports, so the
 * CLI (`sovereign cost`), the policy pack and tests share it.
 */
import type { Disk, Ingress, Machine, PublicIp, RawResource } from "../providers/types";

export type { Disk, Ingress, Machine, ProviderKind, PublicIp, RawResource, ServedChain } from "../providers/types";

/** A source of resources, with the stack config when the source carries it (preview JSON does). */
export interface StackResources {
  resources: RawResource[];
  /** `aws:region`, `gcp:zone`, `azure-native:location`... as the source gives them. */
  config: Record<string, string>;
  /** What the file was: "preview", "export", "policy". */
  source: "preview" | "export" | "policy";
}

/** Everything the reader found, plus what it does not model (kept, never dropped). */
export interface ReadResult {
  machines: Machine[];
  disks: Disk[];
  publicIps: PublicIp[];
  ingress: Ingress[];
  /** Custom resources that are none of the above (networks, subnets, rules, commands...). */
  others: RawResource[];
  /** Problems reading (a region that cannot be found...), one line each, naming the resource. */
  warnings: string[];
}

/** Where the user's own tags say what a machine serves (for stacks that do not use our components). */
export interface TagMapping {
  /** Tag key holding the chain id (e.g. `chain`). */
  chain?: string;
  /** Tag key holding the network (e.g. `network`). @default mainnet when chain is set */
  network?: string;
  /** Tag key holding the node's name. @default the resource name */
  node?: string;
  /** Tag key per client layer, e.g. { execution: "el-client", consensus: "cl-client" }. */
  clients?: Record<string, string>;
  /** Tag key holding the operator (bare metal / other providers). */
  operator?: string;
}
