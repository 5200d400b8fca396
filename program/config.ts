/**
 * Stack configuration of the Sovereign program, read and checked in one place. Keys live in the
 * `sovereign` namespace (the project name); Pulumi.yaml declares their types and defaults.
 */
import { isAbsolute, resolve } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { quote } from "../core/errors";
import { SshConnection, sshKeyProblem } from "../core/fleet-spec/schema";
import { parseOverlayCidr } from "../core/overlay/addresses";
import { isWorld, normalizeCidrs } from "../core/workload/firewall";
import { readAccessConfig, selfHostedDnsProblems, type AccessConfig } from "./access";
import { readMonitoringConfig, type MonitoringConfig } from "./monitoring";

export interface DeployConfig {
  /** The fleet spec object (`sovereign:fleet`), if given inline. */
  fleet?: unknown;
  /** Absolute path of the spec file (`sovereign:fleetFile`), if given. */
  fleetFile?: string;
  catalogDir?: string;
  rpcAllowCidrs: string[];
  adminCidrs: string[];
  sshPublicKey?: string;
  gcpProject?: string;
  awsNetwork: "dedicated" | "default";
  l1Rpc?: pulumi.Output<string>;
  l1Beacon?: pulumi.Output<string>;
  workloadUpdates: "ignore" | "replace";
  /** SSH private key for bare-metal hosts (secret). */
  sshPrivateKey?: pulumi.Output<string>;
  /** RPC may be open to 0.0.0.0/0 or ::/0 (`sovereign:allowPublicRpc`). */
  allowPublicRpc: boolean;
  /** Deploy to bare-metal hosts without a pinned host key. */
  sshAcceptUnknownHostKeys: boolean;
  /** Bare-metal hosts' SSH host keys by host name (`sovereign:sshHostKeys`), for specs that do not carry them. */
  sshHostKeys: Record<string, string>;
  sshDialErrorLimit?: number;
  sshPerDialTimeout?: number;
  healthTimeoutSeconds?: number;
  /** Akash Console API key (secret). */
  akashApiKey?: pulumi.Output<string>;
  /** Akash Console API base URL. */
  akashApiUrl?: string;
  akashBidTimeoutSeconds?: number;
  akashBidWindowSeconds?: number;
  akashPollSeconds?: number;
  /** Bare metal: added to every node's RPC and private host ports (fleets sharing hosts). */
  hostPortOffset: number;
  /** The private WireGuard overlay (`sovereign:overlay`), with its CIDR and the bare-metal wireguard-go. */
  overlay?: { cidr?: string; wireguardGo?: string };
  /** What the plan's gateways share, and the RPC hostname's DNS (program/access.ts). */
  access: AccessConfig;
  /** The monitors' receivers and settings (program/monitoring.ts); undefined without `sovereign:alerts`. */
  monitoring?: MonitoringConfig;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`stack configuration is not usable:\n  - ${problems.join("\n  - ")}`);
    this.name = "ConfigError";
  }
}

const nonEmpty = (s: string | undefined) => (s && s.trim() !== "" ? s.trim() : undefined);

/** Whole-number settings and the range each may take. */
const RANGES = {
  sshDialErrorLimit: [1, 100],
  sshPerDialTimeout: [1, 3600],
  healthTimeoutSeconds: [1, 86_400],
  akashBidTimeoutSeconds: [1, 86_400],
  akashBidWindowSeconds: [1, 86_400],
  akashPollSeconds: [1, 3600],
} as const;

export function readConfig(): DeployConfig {
  const config = new pulumi.Config("sovereign");
  const problems: string[] = [];
  const whole = (key: keyof typeof RANGES) => wholeNumber(config, key, problems);
  const cfg: DeployConfig = {
    ...readFleetSource(config, problems),
    catalogDir: nonEmpty(config.get("catalogDir")),
    ...readRpcAllow(config, problems),
    adminCidrs: cidrList(config, "adminCidrs", problems),
    sshPublicKey: readSshPublicKey(config, problems),
    gcpProject: nonEmpty(config.get("gcpProject")) ?? nonEmpty(new pulumi.Config("gcp").get("project")),
    awsNetwork: oneOf(config, "awsNetwork", ["dedicated", "default"], problems),
    l1Rpc: config.getSecret("l1Rpc"),
    l1Beacon: config.getSecret("l1Beacon"),
    workloadUpdates: oneOf(config, "workloadUpdates", ["ignore", "replace"], problems),
    sshPrivateKey: config.getSecret("sshPrivateKey"),
    sshAcceptUnknownHostKeys: config.getBoolean("sshAcceptUnknownHostKeys") ?? false,
    sshHostKeys: readHostKeys(config, problems),
    sshDialErrorLimit: whole("sshDialErrorLimit"),
    sshPerDialTimeout: whole("sshPerDialTimeout"),
    healthTimeoutSeconds: whole("healthTimeoutSeconds"),
    akashApiKey: config.getSecret("akashApiKey"),
    akashApiUrl: readAkashApiUrl(config, problems),
    akashBidTimeoutSeconds: whole("akashBidTimeoutSeconds"),
    akashBidWindowSeconds: whole("akashBidWindowSeconds"),
    akashPollSeconds: whole("akashPollSeconds"),
    hostPortOffset: readHostPortOffset(config, problems),
    overlay: readOverlay(config, problems),
    access: readAccessConfig(config, problems),
    monitoring: readMonitoringConfig(config, problems),
  };
  problems.push(
    ...selfHostedDnsProblems(cfg.access.dns, {
      hasPrivateKey: cfg.sshPrivateKey !== undefined,
      acceptUnknownHostKeys: cfg.sshAcceptUnknownHostKeys,
    }),
  );
  if (problems.length) throw new ConfigError(problems);
  return cfg;
}

/** A list of CIDRs (`rpcAllowCidrs`, `adminCidrs`), normalized; every change is a warning. */
function cidrList(config: pulumi.Config, key: string, problems: string[]): string[] {
  let value: unknown;
  try {
    value = config.getObject<unknown>(key);
  } catch {
    problems.push(`sovereign:${key} must be a YAML list of CIDR strings`);
    return [];
  }
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    problems.push(`sovereign:${key} must be a list of CIDRs, e.g. [203.0.113.0/24]`);
    return [];
  }
  const checked = normalizeCidrs(`sovereign:${key}`, value);
  problems.push(...checked.problems);
  for (const note of checked.notes) pulumi.log.warn(note);
  return checked.cidrs;
}

/** A whole-number setting within its range (RANGES); undefined when unset. */
function wholeNumber(config: pulumi.Config, key: keyof typeof RANGES, problems: string[]): number | undefined {
  const raw = nonEmpty(config.get(key));
  if (raw === undefined) return undefined;
  const [min, max] = RANGES[key];
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < min || n > max) {
    problems.push(
      `sovereign:${key} is ${quote(raw)}; use a whole number from ${min} to ${max.toLocaleString("en-US")}`,
    );
    return undefined;
  }
  return n;
}

/** One of `choices` (the first is the default). */
function oneOf<T extends string>(config: pulumi.Config, key: string, choices: readonly T[], problems: string[]): T {
  const value = nonEmpty(config.get(key)) ?? choices[0];
  if (!choices.includes(value as T)) problems.push(`sovereign:${key} is '${value}'; use ${choices.join(" or ")}`);
  return value as T;
}

function readHostPortOffset(config: pulumi.Config, problems: string[]): number {
  const raw = nonEmpty(config.get("hostPortOffset")) ?? "0";
  const offset = Number(raw);
  if (!Number.isInteger(offset) || offset < 0 || offset > 50000) {
    problems.push(
      `sovereign:hostPortOffset is '${raw}'; use a whole number from 0 to 50000 (e.g. 100 for a second fleet on the same hosts)`,
    );
  }
  return offset;
}

/** The spec inline (`sovereign:fleet`) or its file (`sovereign:fleetFile`, relative to the project): exactly one. */
function readFleetSource(config: pulumi.Config, problems: string[]): Pick<DeployConfig, "fleet" | "fleetFile"> {
  let fleet: unknown;
  try {
    fleet = config.getObject<unknown>("fleet");
  } catch {
    problems.push("sovereign:fleet must be a YAML object (the fleet spec)");
  }
  const fleetFile = nonEmpty(config.get("fleetFile"));
  if (fleet !== undefined && fleetFile) problems.push("set either sovereign:fleet or sovereign:fleetFile, not both");
  if (fleet === undefined && !fleetFile)
    problems.push(
      "set sovereign:fleet (the spec inline) or sovereign:fleetFile (path to a spec file, relative to the project)",
    );
  return { fleet, fleetFile: fleetFile ? resolve(projectDirectory(), fleetFile) : undefined };
}

/** Exactly one key on one line: a second line would be a second authorized key nobody reviews. */
function readSshPublicKey(config: pulumi.Config, problems: string[]): string | undefined {
  const key = nonEmpty(config.get("sshPublicKey"));
  if (!key) return undefined;
  const problem = key.includes("\n") ? "more than one line (give exactly one key)" : sshKeyProblem(key);
  if (problem)
    problems.push(`sovereign:sshPublicKey is not one OpenSSH public key (ssh-ed25519 AAAA... comment): ${problem}`);
  return key;
}

/** Who may reach RPC ports; the whole internet only with `sovereign:allowPublicRpc` (and a warning). */
function readRpcAllow(
  config: pulumi.Config,
  problems: string[],
): Pick<DeployConfig, "rpcAllowCidrs" | "allowPublicRpc"> {
  const rpcAllowCidrs = cidrList(config, "rpcAllowCidrs", problems);
  const allowPublicRpc = config.getBoolean("allowPublicRpc") ?? false;
  const world = rpcAllowCidrs.filter(isWorld);
  if (world.length && !allowPublicRpc) {
    problems.push(
      `sovereign:rpcAllowCidrs has ${world.join(" and ")}: RPC open to the whole internet; list the clients' networks, ` +
        "or set sovereign:allowPublicRpc true to mean it (docs/deploy.md)",
    );
  } else if (world.length) {
    pulumi.log.warn(`RPC is open to the whole internet (${world.join(", ")}; sovereign:allowPublicRpc is true)`);
  }
  return { rpcAllowCidrs, allowPublicRpc };
}

function readAkashApiUrl(config: pulumi.Config, problems: string[]): string | undefined {
  const url = nonEmpty(config.get("akashApiUrl"));
  if (url && !/^https?:\/\/[^\s/]+/.test(url))
    problems.push(
      `sovereign:akashApiUrl is '${url}'; use the Console API's base URL, e.g. https://console-api.akash.network`,
    );
  return url;
}

/**
 * The directory of Pulumi.yaml, which relative paths in the config are relative to (docs/deploy.md).
 * Not the working directory: Pulumi runs the program in the directory of `main` (program/).
 */
export function projectDirectory(): string {
  // The engine says where Pulumi.yaml is; without it (older CLIs, mocks: a placeholder) this project's root.
  const root = pulumi.runtime.getRootDirectory();
  return isAbsolute(root) ? root : resolve(__dirname, "..");
}

/** `sovereign:sshHostKeys`: `{ <host name>: "ssh-ed25519 AAAA..." }`, each key checked like the spec's `ssh.hostKey`. */
function readHostKeys(config: pulumi.Config, problems: string[]): Record<string, string> {
  let raw: unknown;
  try {
    raw = config.getObject<unknown>("sshHostKeys");
  } catch {
    problems.push('sovereign:sshHostKeys must be a YAML object: { <host name>: "ssh-ed25519 AAAA..." }');
    return {};
  }
  const parsed = z.record(z.string(), SshConnection.shape.hostKey.unwrap()).safeParse(raw ?? {});
  if (parsed.success) return parsed.data;
  problems.push(...parsed.error.issues.map((i) => `sovereign:sshHostKeys.${i.path.join(".")}: ${i.message}`));
  return {};
}

function readOverlay(config: pulumi.Config, problems: string[]): DeployConfig["overlay"] {
  let enabled: boolean | undefined;
  try {
    enabled = config.getBoolean("overlay");
  } catch {
    problems.push("sovereign:overlay must be true or false");
  }
  const cidr = nonEmpty(config.get("overlayCidr"));
  const wireguardGo = nonEmpty(config.get("wireguardGo"));
  if (!enabled) {
    if (cidr || wireguardGo)
      problems.push("sovereign:overlayCidr and sovereign:wireguardGo need sovereign:overlay true");
    return undefined;
  }
  if (cidr) {
    try {
      parseOverlayCidr(cidr, "sovereign:overlayCidr");
    } catch (e) {
      problems.push((e as Error).message);
    }
  }
  if (wireguardGo && !/^[\w./-]+$/.test(wireguardGo))
    problems.push(`sovereign:wireguardGo is ${quote(wireguardGo)}; use a plain path like /usr/local/bin/wireguard-go`);
  return { cidr, wireguardGo };
}
