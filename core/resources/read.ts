/**
 * The one reader of Pulumi resources: turns what a preview, a state export or the policy engine
 * holds into machines, disks, public IPs and ingress rules, with provider, region, operator,
 * jurisdiction and what each machine serves. The policy pack and `sovereign cost` both use it.
 * Provider differences are the rows of {@link HANDLERS}; everything else is shared.
 */
import { CLOUD_ACT, operatorHome, regimesReaching } from "../catalog/legal";
import type { Catalog } from "../catalog/load";
import { own } from "../own";
import { fromGcpLabels, nodeFromTags, TAG_KEYS, TAG_PREFIX } from "../workload/tags";
import type {
  Disk,
  Ingress,
  Machine,
  ProviderKind,
  PublicIp,
  RawResource,
  ReadResult,
  ServedChain,
  StackResources,
  TagMapping,
} from "./types";

type Json = Record<string, any>;

/** How the engine shows a value not known before deployment (preview JSON). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** Reads a property; unknown values (preview) and values that throw on access (policy engine) are undefined. */
export function get(obj: unknown, ...path: Array<string | number>): any {
  let v: any = obj;
  try {
    for (const key of path) {
      if (v === null || v === undefined) return undefined;
      v = v[key];
    }
  } catch {
    return undefined;
  }
  return v === UNKNOWN ? undefined : v;
}

const str = (v: unknown): string | undefined => (typeof v === "string" && v !== UNKNOWN && v !== "" ? v : undefined);
const num = (v: unknown): number | undefined => {
  const n = typeof v === "string" && v.trim() !== "" ? Number(v) : v;
  return typeof n === "number" && Number.isFinite(n) ? n : undefined;
};
/** A billed quantity: kept even when negative or infinite, so that quantityProblems can refuse it by name. */
const qty = (v: unknown): number | undefined => {
  const n = typeof v === "string" && v.trim() !== "" ? Number(v) : v;
  return typeof n === "number" && !Number.isNaN(n) ? n : undefined;
};
/** Elements of an array; the policy engine's proxy throws on unknown elements, which are left out. */
const list = (v: unknown): any[] => {
  if (!Array.isArray(v)) return [];
  const out: any[] = [];
  for (let i = 0; i < v.length; i++) {
    const x = get(v, i);
    if (x !== undefined) out.push(x);
  }
  return out;
};
const record = (v: unknown): Record<string, string> => {
  if (!v || typeof v !== "object" || Array.isArray(v)) return {};
  const out: Record<string, string> = {};
  for (const k of Object.keys(v)) {
    const x = get(v, k);
    if (typeof x === "string") out[k] = x;
  }
  return out;
};
/** `projects/p/zones/us-east4-a/diskTypes/pd-ssd` -> `pd-ssd`. */
const lastSegment = (v: unknown) => str(v)?.split("/").pop();

interface Context {
  resource: RawResource;
  config: Record<string, string>;
  catalog: Catalog;
}

/** Region of a resource: its own field, then its provider resource, then the stack config. */
function regionOf(provider: ProviderKind, c: Context): string | undefined {
  const p = c.resource.props;
  const pp = c.resource.providerProps ?? {};
  switch (provider) {
    case "aws":
      // An availability zone always lies in the provider's region; the provider is the surer source.
      return (
        str(get(p, "region")) ??
        str(get(pp, "region")) ??
        zoneToRegion(str(get(p, "availabilityZone")), /[a-z]$/) ??
        c.config["aws:region"]
      );
    case "gcp":
      return (
        str(get(p, "region"))?.split("/").pop() ??
        zoneToRegion(lastSegment(get(p, "zone")), /-[a-z]$/) ??
        str(get(pp, "region")) ??
        zoneToRegion(str(get(pp, "zone")), /-[a-z]$/) ??
        c.config["gcp:region"] ??
        zoneToRegion(c.config["gcp:zone"], /-[a-z]$/)
      );
    case "azure":
      return azureLocation(str(get(p, "location")) ?? str(get(pp, "location")) ?? c.config["azure-native:location"]);
    default:
      return undefined;
  }
}

function zoneToRegion(zone: string | undefined, suffix: RegExp): string | undefined {
  return zone ? zone.replace(suffix, "") : undefined;
}

/** "East US" -> "eastus" (Azure accepts both; the catalog uses the short form). */
function azureLocation(location: string | undefined): string | undefined {
  return location?.toLowerCase().replace(/\s+/g, "");
}

/** Tags as `sovereign:*` keys: GCP labels are turned back, command environments read as tags. */
function tagsOf(provider: ProviderKind | undefined, props: Json): Record<string, string> {
  if (provider === "gcp") return fromGcpLabels(record(get(props, "labels")));
  const tags = record(get(props, "tags"));
  return Object.keys(tags).length ? tags : record(get(props, "tagsAll"));
}

function served(tags: Record<string, string>, name: string, mapping?: TagMapping): ServedChain | undefined {
  const ours = nodeFromTags(tags);
  if (ours?.chain)
    return { node: ours.id, chain: ours.chain, network: ours.network, role: ours.role, clients: ours.clients };
  if (!mapping?.chain || !tags[mapping.chain]) return undefined;
  const clients: Record<string, string> = {};
  for (const [layer, key] of Object.entries(mapping.clients ?? {})) if (tags[key]) clients[layer] = tags[key];
  return {
    node: (mapping.node && tags[mapping.node]) || name,
    chain: tags[mapping.chain],
    network: (mapping.network && tags[mapping.network]) || "mainnet",
    role: "full",
    clients,
  };
}

function machineFor(
  provider: ProviderKind,
  c: Context,
  shape: string | undefined,
  tags: Record<string, string>,
  mapping?: TagMapping,
): Machine {
  const r = c.resource;
  const region = regionOf(provider, c) ?? tags[TAG_KEYS.region];
  const file = provider === "baremetal" ? undefined : c.catalog.providers.get(provider);
  const known = file?.shapes.find((s) => s.id === shape);
  const operator =
    file?.operator.id ?? tags[TAG_KEYS.operator] ?? (mapping?.operator && tags[mapping.operator]) ?? "unknown";
  const jurisdiction =
    file?.operator.headquarters ??
    tags[TAG_KEYS.jurisdiction] ??
    c.catalog.operators.get(operator)?.headquarters ??
    "unknown";
  return {
    urn: r.urn,
    name: r.name,
    type: r.type,
    provider,
    region,
    operator,
    jurisdiction,
    ...legalReach(c.catalog, operatorHome(c.catalog, operator)),
    shape,
    vcpu: known?.vcpu,
    memoryGb: known?.memoryGb,
    tags,
    served: served(tags, r.name, mapping),
  };
}

/**
 * A machine's legal reach from its operator's legal home in the catalog. A bare-metal or Akash
 * machine whose operator the catalog does not know counts as within every regime's reach: a
 * `sovereign:jurisdiction` tag may be a host's country, not its operator's legal home.
 */
function legalReach(catalog: Catalog, home: string | undefined) {
  const legal = regimesReaching(catalog, home);
  return { legal, cloudAct: legal.includes(CLOUD_ACT) };
}

interface Found {
  machines?: Machine[];
  disks?: Disk[];
  publicIps?: PublicIp[];
  ingress?: Ingress[];
}
type Handler = (c: Context, mapping?: TagMapping) => Found;

function disk(
  c: Context,
  provider: ProviderKind,
  fields: Omit<Disk, "urn" | "type" | "provider" | "region" | "tags" | "name"> & { suffix?: string },
  tags: Record<string, string>,
): Disk {
  const { suffix, ...rest } = fields;
  return {
    urn: c.resource.urn,
    name: c.resource.name + (suffix ?? ""),
    type: c.resource.type,
    provider,
    region: regionOf(provider, c),
    tags,
    ...rest,
  };
}

function ip(c: Context, provider: ProviderKind, tags: Record<string, string>): PublicIp {
  return {
    urn: c.resource.urn,
    name: c.resource.name,
    type: c.resource.type,
    provider,
    region: regionOf(provider, c),
    tags,
  };
}

/** "-1" / "all" / "*" -> all; "6" -> tcp; "17" -> udp. */
function protocolOf(v: unknown): string {
  const p = String(v ?? "all").toLowerCase();
  return own({ "-1": "all", "*": "all", "6": "tcp", "17": "udp", "1": "icmp" }, p) ?? p;
}

/** "22", "8000-9000", "*" -> ranges ("*" or absent = every port). */
function portRanges(values: unknown[]): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const v of values) {
    const s = String(v).trim();
    if (s === "*" || s === "") return [];
    const [a, b] = s.split("-").map(Number);
    if (Number.isFinite(a)) out.push([a, Number.isFinite(b) ? b : a]);
  }
  return out;
}

function awsRule(
  c: Context,
  rule: Json,
  path?: string,
  fields = { protocol: "protocol", v4: "cidrBlocks", v6: "ipv6CidrBlocks" },
): Ingress {
  const protocol = protocolOf(get(rule, fields.protocol));
  const from = num(get(rule, "fromPort"));
  const to = num(get(rule, "toPort"));
  const everyPort =
    protocol === "all" || from === undefined || (from <= 0 && (to === undefined || to <= 0 || to >= 65535));
  const v4 = get(rule, fields.v4);
  const v6 = get(rule, fields.v6);
  const sources = [...(Array.isArray(v4) ? v4 : [v4]), ...(Array.isArray(v6) ? v6 : [v6])].filter(
    (s): s is string => !!str(s),
  );
  return {
    urn: c.resource.urn,
    name: c.resource.name,
    type: c.resource.type,
    path,
    protocol,
    ports: everyPort || from === undefined ? [] : [[from, to ?? from]],
    sources,
  };
}

function azureRule(c: Context, rule: Json, path?: string): Ingress | undefined {
  const props = get(rule, "properties") ?? rule; // older API versions nest rule fields under properties
  if (String(get(props, "direction") ?? "Inbound").toLowerCase() !== "inbound") return undefined;
  if (String(get(props, "access") ?? "Allow").toLowerCase() !== "allow") return undefined;
  const sources = [str(get(props, "sourceAddressPrefix")), ...list(get(props, "sourceAddressPrefixes"))].filter(
    (s): s is string => !!str(s),
  );
  const ports = [str(get(props, "destinationPortRange")), ...list(get(props, "destinationPortRanges"))].filter(
    (s) => s !== undefined,
  );
  return {
    urn: c.resource.urn,
    name: c.resource.name,
    type: c.resource.type,
    path,
    protocol: protocolOf(get(props, "protocol")),
    ports: ports.length ? portRanges(ports) : [],
    sources,
  };
}

const AWS_INSTANCE: Handler = (c, mapping) => {
  const p = c.resource.props;
  const tags = tagsOf("aws", p);
  const root = get(p, "rootBlockDevice");
  const disks: Disk[] = [
    disk(
      c,
      "aws",
      {
        suffix: "/root",
        role: "root",
        storageClass: str(get(root, "volumeType")) ?? (root ? "gp2" : undefined),
        sizeGb: qty(get(root, "volumeSize")),
        iops: qty(get(root, "iops")),
        throughputMBps: qty(get(root, "throughput")),
        encrypted: get(root, "encrypted") === true,
        alwaysEncrypted: false,
      },
      tags,
    ),
  ];
  list(get(p, "ebsBlockDevices")).forEach((d, i) =>
    disks.push(
      disk(
        c,
        "aws",
        {
          suffix: `/ebsBlockDevices[${i}]`,
          role: "data",
          storageClass: str(get(d, "volumeType")) ?? "gp2",
          sizeGb: qty(get(d, "volumeSize")),
          iops: qty(get(d, "iops")),
          throughputMBps: qty(get(d, "throughput")),
          encrypted: get(d, "encrypted") === true,
          alwaysEncrypted: false,
        },
        tags,
      ),
    ),
  );
  return { machines: [machineFor("aws", c, str(get(p, "instanceType")), tags, mapping)], disks };
};

const GCP_INSTANCE: Handler = (c, mapping) => {
  const p = c.resource.props;
  const tags = tagsOf("gcp", p);
  const init = get(p, "bootDisk", "initializeParams");
  const disks: Disk[] = [
    disk(
      c,
      "gcp",
      {
        suffix: "/bootDisk",
        role: "root",
        storageClass: lastSegment(get(init, "type")) ?? "pd-standard",
        sizeGb: qty(get(init, "size")) ?? 10,
        alwaysEncrypted: true,
      },
      tags,
    ),
  ];
  // Local SSD partitions are billed per GB: one line for all of them.
  const scratch = list(get(p, "scratchDisks")).map((d) => qty(get(d, "size")) ?? 375);
  if (scratch.length) {
    disks.push(
      disk(
        c,
        "gcp",
        {
          suffix: `/scratchDisks[${scratch.length}]`,
          role: "local",
          storageClass: "local-ssd",
          sizeGb: scratch.reduce((a, b) => a + b, 0),
          alwaysEncrypted: true,
        },
        tags,
      ),
    );
  }
  const shape = lastSegment(get(p, "machineType"));
  return { machines: [machineFor("gcp", c, shape, tags, mapping)], disks };
};

const AZURE_VM: Handler = (c, mapping) => {
  const p = c.resource.props;
  const tags = tagsOf("azure", p);
  const os = get(p, "storageProfile", "osDisk");
  const disks: Disk[] = [
    disk(
      c,
      "azure",
      {
        suffix: "/osDisk",
        role: "root",
        storageClass: str(get(os, "managedDisk", "storageAccountType")),
        sizeGb: qty(get(os, "diskSizeGB")),
        alwaysEncrypted: true,
      },
      tags,
    ),
  ];
  list(get(p, "storageProfile", "dataDisks")).forEach((d, i) => {
    // Attached disks are their own resources (priced there); Empty ones are created by the VM.
    if (String(get(d, "createOption") ?? "").toLowerCase() !== "empty") return;
    disks.push(
      disk(
        c,
        "azure",
        {
          suffix: `/dataDisks[${i}]`,
          role: "data",
          storageClass: str(get(d, "managedDisk", "storageAccountType")),
          sizeGb: qty(get(d, "diskSizeGB")),
          alwaysEncrypted: true,
        },
        tags,
      ),
    );
  });
  return { machines: [machineFor("azure", c, str(get(p, "hardwareProfile", "vmSize")), tags, mapping)], disks };
};

/**
 * A bare-metal host firewall: an nftables ruleset a command resource loads (`nft -f -` with the
 * ruleset in stdin, as the bare-metal host component does). An `accept` for destination ports with
 * no source address match opens them to everyone; accepts limited by `saddr` and drops are not
 * ingress from the world. Ports a ruleset leaves unmentioned are not judged.
 */
function nftIngress(c: Context): Ingress[] {
  const p = c.resource.props;
  const run = [str(get(p, "create")), str(get(p, "update"))].join(" ");
  const ruleset = str(get(p, "stdin"));
  if (!ruleset || !/\bnft\b/.test(run)) return [];
  const out: Ingress[] = [];
  ruleset.split("\n").forEach((line, i) => {
    const rule = line.replace(/#.*$/, "").trim();
    if (!/\baccept\b/.test(rule) || /\bsaddr\b/.test(rule) || /\biifname\b/.test(rule)) return;
    const m =
      /\b(tcp|udp)\s+dport\s+(\{[^}]*\}|\d+(?:-\d+)?)/.exec(rule) ??
      /l4proto\s+(tcp|udp)\s+ct original proto-dst\s+(\{[^}]*\}|\d+(?:-\d+)?)/.exec(rule);
    if (!m) return;
    const ports = portRanges(
      m[2]
        .replace(/[{}]/g, "")
        .split(",")
        .map((x) => x.trim())
        .filter(Boolean),
    );
    out.push({
      urn: c.resource.urn,
      name: c.resource.name,
      type: c.resource.type,
      path: `stdin line ${i + 1}`,
      protocol: m[1],
      ports,
      sources: ["0.0.0.0/0", "::/0"],
    });
  });
  return out;
}

/** One row per resource type: what it is, read the same way on every cloud. */
const HANDLERS: Record<string, Handler> = {
  "aws:ec2/instance:Instance": AWS_INSTANCE,
  "aws:ebs/volume:Volume": (c) => {
    const p = c.resource.props;
    return {
      disks: [
        disk(
          c,
          "aws",
          {
            role: "data",
            storageClass: str(get(p, "type")) ?? "gp2",
            sizeGb: qty(get(p, "size")),
            iops: qty(get(p, "iops")),
            throughputMBps: qty(get(p, "throughput")),
            encrypted: get(p, "encrypted") === true,
            alwaysEncrypted: false,
          },
          tagsOf("aws", p),
        ),
      ],
    };
  },
  "aws:ec2/eip:Eip": (c) => ({ publicIps: [ip(c, "aws", tagsOf("aws", c.resource.props))] }),
  "aws:ec2/securityGroup:SecurityGroup": (c) => ({
    ingress: list(get(c.resource.props, "ingress")).map((rule, i) => awsRule(c, rule, `ingress[${i}]`)),
  }),
  "aws:ec2/securityGroupRule:SecurityGroupRule": (c) =>
    get(c.resource.props, "type") === "ingress" ? { ingress: [awsRule(c, c.resource.props)] } : {},
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": (c) => ({
    ingress: [awsRule(c, c.resource.props, undefined, { protocol: "ipProtocol", v4: "cidrIpv4", v6: "cidrIpv6" })],
  }),

  "gcp:compute/instance:Instance": GCP_INSTANCE,
  "gcp:compute/disk:Disk": (c) => {
    const p = c.resource.props;
    return {
      disks: [
        disk(
          c,
          "gcp",
          {
            role: "data",
            storageClass: lastSegment(get(p, "type")) ?? "pd-standard",
            sizeGb: qty(get(p, "size")),
            iops: qty(get(p, "provisionedIops")),
            throughputMBps: qty(get(p, "provisionedThroughput")),
            alwaysEncrypted: true,
          },
          tagsOf("gcp", p),
        ),
      ],
    };
  },
  "gcp:compute/address:Address": (c) =>
    String(get(c.resource.props, "addressType") ?? "EXTERNAL").toUpperCase() === "EXTERNAL"
      ? { publicIps: [ip(c, "gcp", tagsOf("gcp", c.resource.props))] }
      : {},
  "gcp:compute/firewall:Firewall": (c) => {
    const p = c.resource.props;
    if (String(get(p, "direction") ?? "INGRESS").toUpperCase() !== "INGRESS" || get(p, "disabled") === true) return {};
    const sources = list(get(p, "sourceRanges")).filter((s) => !!str(s));
    return {
      ingress: list(get(p, "allows")).map((a, i) => ({
        urn: c.resource.urn,
        name: c.resource.name,
        type: c.resource.type,
        path: `allows[${i}]`,
        protocol: protocolOf(get(a, "protocol")),
        ports: portRanges(list(get(a, "ports"))),
        sources,
      })),
    };
  },

  "azure-native:compute:VirtualMachine": AZURE_VM,
  "azure-native:compute:Disk": (c) => {
    const p = c.resource.props;
    return {
      disks: [
        disk(
          c,
          "azure",
          {
            role: "data",
            storageClass: str(get(p, "sku", "name")),
            sizeGb: qty(get(p, "diskSizeGB")),
            alwaysEncrypted: true,
            // Premium SSD v2 (and Ultra) provision performance on the disk.
            iops: qty(get(p, "diskIOPSReadWrite")),
            throughputMBps: qty(get(p, "diskMBpsReadWrite")),
          },
          tagsOf("azure", p),
        ),
      ],
    };
  },
  "azure-native:network:PublicIPAddress": (c) => ({ publicIps: [ip(c, "azure", tagsOf("azure", c.resource.props))] }),
  "azure-native:network:NetworkSecurityGroup": (c) => ({
    ingress: list(get(c.resource.props, "securityRules"))
      .map((rule, i) => azureRule(c, rule, `securityRules[${i}]`))
      .filter((r): r is Ingress => !!r),
  }),
  "command:remote:Command": (c) => ({ ingress: nftIngress(c) }),
  "azure-native:network:SecurityRule": (c) => {
    const rule = azureRule(c, c.resource.props);
    return rule ? { ingress: [rule] } : {};
  },
};

export const KNOWN_TYPES: readonly string[] = Object.keys(HANDLERS);

/**
 * Nodes outside the clouds' instance types: a resource whose tags (or, for a command resource, its
 * environment) carry `sovereign:node` with provider `baremetal` or `akash`. The bare-metal host
 * component writes one such resource per node; an Akash deployment carries its tags the same way.
 */
function taggedNode(c: Context, mapping?: TagMapping): Machine | undefined {
  const p = c.resource.props;
  const tags = { ...record(get(p, "tags")), ...record(get(p, "environment")) };
  const provider = tags[TAG_KEYS.provider];
  if (!tags[TAG_KEYS.node] || (provider !== "baremetal" && provider !== "akash")) return undefined;
  const machine = machineFor(provider, c, str(tags[`${TAG_PREFIX}shape`]), tags, mapping);
  const monthly = qty(tags[`${TAG_PREFIX}monthlyUsd`]);
  return { ...machine, region: tags[TAG_KEYS.region] ?? machine.region, monthlyUsd: monthly };
}

/** Reads every resource. Component resources are skipped (their children are the real ones). */
export function readResources(stack: StackResources, catalog: Catalog, mapping?: TagMapping): ReadResult {
  const out: ReadResult = { machines: [], disks: [], publicIps: [], ingress: [], others: [], warnings: [] };
  for (const resource of stack.resources) {
    if (!resource.custom || resource.type.startsWith("pulumi:providers:")) continue;
    const c: Context = { resource, config: stack.config, catalog };
    const handler = own(HANDLERS, resource.type);
    if (handler) {
      const found = handler(c, mapping);
      out.machines.push(...(found.machines ?? []));
      out.disks.push(...(found.disks ?? []));
      out.publicIps.push(...(found.publicIps ?? []));
      out.ingress.push(...(found.ingress ?? []));
      // Rules and other resources that bill nothing by themselves stay listed.
      if (!found.machines?.length && !found.disks?.length && !found.publicIps?.length) out.others.push(resource);
      continue;
    }
    const node = taggedNode(c, mapping);
    if (node) out.machines.push(node);
    else out.others.push(resource);
  }
  for (const item of [...out.machines, ...out.disks, ...out.publicIps]) {
    if (!item.region && item.provider !== "baremetal" && item.provider !== "akash") {
      out.warnings.push(
        `${item.name} (${item.type}): no region found on the resource, its provider or the stack config`,
      );
    }
  }
  return out;
}

/** Provider of a resource type token, for messages about resources the reader does not model. */
export function providerOfType(type: string): string {
  return type.split(":")[0];
}
