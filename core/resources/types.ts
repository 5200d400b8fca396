/**
 * What the resource reader works on and what it produces. Plain data: no Pulumi imports, so the
 * CLI (`sovereign cost`), the policy pack and tests share it.
 */

/**
 * One Pulumi resource as every source gives it: a `pulumi preview --json` step, a resource of a
 * `pulumi stack export`, or a resource the policy engine hands a policy.
 */
export interface RawResource {
  urn: string;
  type: string;
  name: string;
  /** Inputs at preview (the policy engine's resource args), outputs over inputs in a state export. */
  props: Record<string, unknown>;
  custom: boolean;
  /** URN of the parent resource. */
  parent?: string;
  /** The provider resource's properties (region, location, zone, project), when known. */
  providerProps?: Record<string, unknown>;
}

/** A source of resources, with the stack config when the source carries it (preview JSON does). */
export interface StackResources {
  resources: RawResource[];
  /** `aws:region`, `gcp:zone`, `azure-native:location`... as the source gives them. */
  config: Record<string, string>;
  /** What the file was: "preview", "export", "policy". */
  source: "preview" | "export" | "policy";
}

export type ProviderKind = "aws" | "gcp" | "azure" | "akash" | "baremetal";

/** A disk: a separate volume resource, or a root/inline disk of a machine. */
export interface Disk {
  urn: string;
  /** Resource name, plus `/root` or `/disk[1]` for disks inside a machine resource. */
  name: string;
  type: string;
  provider: ProviderKind;
  region?: string;
  /** Catalog storage class: gp3, io2, pd-balanced, local-ssd, Premium_LRS, beta3... */
  storageClass?: string;
  sizeGb?: number;
  /** Provisioned IOPS / throughput asked for (gp3, io2). */
  iops?: number;
  throughputMBps?: number;
  /** true/false when the resource says; undefined when encryption is the provider's fixed default. */
  encrypted?: boolean;
  /** Encrypted by the platform whatever the inputs say (GCP, Azure managed disks). */
  alwaysEncrypted: boolean;
  /** Boot disks and local scratch disks are not data disks. */
  role: "root" | "data" | "local";
  tags: Record<string, string>;
}

/** A billed public address (Elastic IP, GCP external address, Azure public IP, Akash IP lease). */
export interface PublicIp {
  urn: string;
  name: string;
  type: string;
  provider: ProviderKind;
  region?: string;
  tags: Record<string, string>;
}

/** What a machine serves, from `sovereign:*` tags or the user's own tag keys. */
export interface ServedChain {
  node: string;
  chain: string;
  network: string;
  role: string;
  clients: Record<string, string>;
}

/** A compute instance: EC2 instance, GCP instance, Azure VM, a bare-metal or Akash node. */
export interface Machine {
  urn: string;
  name: string;
  type: string;
  provider: ProviderKind;
  region?: string;
  operator: string;
  jurisdiction: string;
  cloudAct: boolean;
  /** Legal regimes within whose reach the operator is (core/catalog/legal.ts). */
  legal: string[];
  /** Instance type / machine type / VM size; Akash: `akash-<cpu>cpu-<mem>gb`. */
  shape?: string;
  vcpu?: number;
  memoryGb?: number;
  tags: Record<string, string>;
  served?: ServedChain;
  /** Bare metal: the plan's monthly price of the node's share of its host, as the component records it. */
  monthlyUsd?: number;
}

/** An ingress rule in one form for every cloud. */
export interface Ingress {
  urn: string;
  name: string;
  type: string;
  /** Rule inside the resource (`ingress[2]`, `securityRules[0]`), when the resource holds several. */
  path?: string;
  protocol: "tcp" | "udp" | "icmp" | "all" | string;
  /** Inclusive port ranges; empty = every port. */
  ports: Array<[number, number]>;
  sources: string[];
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
