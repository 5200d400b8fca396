/**
 * What one provider is to the pure core: its kind of sites, how its Pulumi resources read as
 * machines, disks, public IPs and ingress rules (core/resources), which of its resource types bill
 * nothing (core/costs), and the fix the policy pack proposes for its firewall rules. One folder per
 * provider (`core/providers/<id>/`), registered by one line in `core/providers/index.ts`; the
 * Pulumi side is `components/<id>/`. The shapes of what the reader finds live here so that a
 * provider's folder needs nothing above it.
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

import type { SiteProviderId } from "./index";

/** A provider's id: a folder of core/providers (`aws`, `baremetal`...). */
export type ProviderKind = SiteProviderId;

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

/** What one resource holds. */
export interface Found {
  machines?: Machine[];
  disks?: Disk[];
  publicIps?: PublicIp[];
  ingress?: Ingress[];
}

/** Fields of a disk the provider reads; the reader adds urn, name, type, provider, region and tags. */
export type DiskFields = Omit<Disk, "urn" | "type" | "provider" | "region" | "tags" | "name"> & {
  /** Added to the resource's name for inline disks (`/root`). */
  suffix?: string;
};

/**
 * What core/resources lends a provider's reader for one resource: safe property reads (unknown
 * preview values and the policy engine's throwing proxies are undefined) and builders that fill in
 * what every provider shares (urn, region, operator, legal reach, what the machine serves).
 */
export interface ReaderKit {
  /** A property; undefined when unknown (preview) or when reading throws (policy engine). */
  get(obj: unknown, ...path: Array<string | number>): any;
  /** A non-empty string, else undefined. */
  str(v: unknown): string | undefined;
  /** A billed quantity: kept even when negative or infinite, so that it is refused by name later. */
  qty(v: unknown): number | undefined;
  /** A finite number (strings of digits too), else undefined. */
  num(v: unknown): number | undefined;
  /** Elements of an array, unknown ones left out. */
  list(v: unknown): any[];
  /** String-valued entries of an object. */
  record(v: unknown): Record<string, string>;
  /** `projects/p/zones/us-east4-a/diskTypes/pd-ssd` -> `pd-ssd`. */
  lastSegment(v: unknown): string | undefined;
  /** "-1" / "all" / "*" -> all; "6" -> tcp; "17" -> udp. */
  protocolOf(v: unknown): string;
  /** "22", "8000-9000", "*" -> ranges ("*" or absent = every port). */
  portRanges(values: unknown[]): Array<[number, number]>;
  /** Restricted labels (lower case, `-` for `:`) back to `sovereign:*` tags. */
  fromLabels(labels: Record<string, string>): Record<string, string>;
  /** The resource's tags, as the provider's `tagsOf` reads them. */
  tags(): Record<string, string>;
  disk(fields: DiskFields, tags?: Record<string, string>): Disk;
  ip(tags?: Record<string, string>): PublicIp;
  machine(shape: string | undefined, tags?: Record<string, string>): Machine;
  /** An ingress rule of this resource. */
  ingress(fields: Omit<Ingress, "urn" | "name" | "type">): Ingress;
}

/** Reads one resource type of a provider. */
export type ResourceReader = (props: Record<string, unknown>, kit: ReaderKit) => Found;

/** Where a resource stands, from its props, its provider resource's props and the stack config. */
export type RegionReader = (
  props: Record<string, unknown>,
  providerProps: Record<string, unknown>,
  config: Record<string, string>,
  kit: ReaderKit,
) => string | undefined;

export interface ProviderFacts {
  /** The provider's id: its folder here and under components/, its catalog file, `sites.<id>` in a spec. */
  id: string;
  /**
   * `cloud`: API-provisioned VMs in catalog regions (`sites.<id>.regions`); `market`: a marketplace
   * priced by the catalog (Akash); `hosts`: machines the spec lists (bare metal).
   */
  kind: "cloud" | "market" | "hosts";
  /** Its nodes cannot join the WireGuard overlay; gateways dial them over mTLS. @default false */
  outsideOverlay?: boolean;
  /** One reader per resource type that is a machine, a disk, a public IP or an ingress rule. */
  resources: Readonly<Record<string, ResourceReader>>;
  /** Resource types of this provider that bill nothing by themselves (networks, rules, attachments). */
  freeTypes: readonly string[];
  /** Region of a resource. @default none (regions come from tags) */
  regionOf?: RegionReader;
  /** The resource's `sovereign:*` tags. @default `tags`, else `tagsAll` */
  tagsOf?(props: Record<string, unknown>, kit: ReaderKit): Record<string, string>;
  /** Policy pack: how to close a firewall rule of this provider that opens admin ports to the world. */
  adminPortFix: string;
  /** Policy pack: how to tag an untagged node machine of this provider. @default "add the tags to the resource's tags" */
  tagFix?: string;
}
