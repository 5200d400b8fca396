/**
 * The Sovereign Pulumi program: stack config -> fleet spec -> plan -> one Fleet component.
 * It refuses to deploy a plan that is infeasible or breaks its policy, before creating anything.
 */
import * as pulumi from "@pulumi/pulumi";
import { CatalogError, loadCatalog } from "../core/catalog/load";
import { InfeasibleError, SpecError } from "../core/errors";
import { planChecked } from "../core/planner/checked";
import { NOTHING_DEPLOYED, deployedFromOutputs, planWarnings, type DeployedFleet, type Plan } from "../core/plan";
import { parseFleetFile, validateFleetObject } from "../core/fleet-spec/parse";
import { SshConnection, type FleetSpec } from "../core/fleet-spec/schema";
import { resolveFleet } from "../core/fleet-spec/resolve";
import {
  Fleet,
  fleetGatewayPort,
  type FleetGatewayOutput,
  type FleetMonitorOutput,
  type FleetNodeOutput,
  type FleetOverlayMachineOutput,
} from "../components";
import { RpcDns } from "../components/dns";
import { fqdn } from "../core/dns";
import { planOverlay } from "../core/overlay";
import { monitoredDns, rpcDnsArgs } from "./access";
import { leasedAkashNodes, leasedPolicy, type LeasedAkashNode } from "./akash";
import { ConfigError, readConfig, type DeployConfig } from "./config";
import { present } from "../core/present";

export interface StackOutputs {
  fleet: string;
  /** Per node: id, chain, clients, provider, region, public IP, RPC endpoint, ... */
  nodes: pulumi.Output<Record<string, FleetNodeOutput>>;
  /** The plan's monthly cost, USD. */
  monthlyUsd: number;
  costs: {
    estimate: boolean;
    breakdown: Plan["totals"]["breakdown"];
    byProvider: Record<string, number>;
    byChain: Record<string, number>;
    byOperator: Record<string, number>;
  };
  /** Sovereignty metrics of the plan: shares, HHI, Nakamoto coefficients, CLOUD Act share, worst losses. */
  metrics: unknown;
  policy: { satisfied: boolean; checks: Array<{ rule: string; scope: string; ok: boolean; message: string }> };
  /** Akash nodes after leasing: the real provider (operator), its country, the price. */
  akash: pulumi.Output<Record<string, LeasedAkashNode>>;
  /** The policy checked again with each Akash provider as its own operator. */
  leasedPolicy: pulumi.Output<StackOutputs["policy"]>;
  /** The WireGuard overlay's machines (address, public key, nodes, gateways), by machine; {} without one. */
  overlay: pulumi.Output<Record<string, FleetOverlayMachineOutput>>;
  /** The access layer's gateways (site, operator, endpoints per chain), by gateway id; {} without a `gateways` section. */
  gateways: pulumi.Output<Record<string, FleetGatewayOutput>>;
  /** What wallets and dApps use: the hostname's URL per chain, and every gateway's URL per chain (for a fallback transport). */
  rpc: pulumi.Output<RpcAccess>;
  /** The fleet's monitors (site, operator, Prometheus URLs), by monitor id; {} without a `monitoring` section. `sovereign status --deployed` reads it. */
  monitors: pulumi.Output<Record<string, FleetMonitorOutput>>;
  /** The monitors' Grafana admin password (user `admin`; a secret: `pulumi stack output --show-secrets grafanaAdminPassword`), when Grafana runs. */
  grafanaAdminPassword?: pulumi.Output<string>;
}

export interface RpcAccess {
  /** The RPC hostname (`sovereign:dns`), when set. */
  hostname?: string;
  /** Where its records live, e.g. `route53 (aws)`, `self-hosted:ns1.example.org (hetzner)`. */
  dnsProviders: string[];
  /** `<scheme>://<hostname>:<port>/<chain>/<network>` per chain key. */
  urls: Record<string, string>;
  /** Every gateway's URL per chain key: the endpoint list of viem's `fallback` or ethers' `FallbackProvider`. */
  endpoints: Record<string, string[]>;
}

export class DeployRefused extends pulumi.RunError {
  constructor(message: string) {
    super(message);
    this.name = "DeployRefused";
  }
}

/**
 * Bad input becomes a RunError: Pulumi prints its message without a stack trace. The name stays
 * on the error (InfeasibleError, SpecError, ConfigError...) so callers can tell them apart.
 */
function refusal(e: unknown): unknown {
  if (e instanceof SpecError || e instanceof InfeasibleError || e instanceof ConfigError || e instanceof CatalogError) {
    const err = new pulumi.RunError(`${e.name}: ${e.message}`);
    err.name = e.name;
    return err;
  }
  return e;
}

/**
 * The nodes and gateways this stack runs now, from its last outputs: the planner keeps them where
 * they are (nodes with their clients), so growing a fleet adds nodes instead of moving nodes or
 * gateways (a moved gateway has a new address, DNS records and certificate).
 */
async function deployedFleet(): Promise<{ fleet: DeployedFleet; nodes: Array<Partial<FleetNodeOutput>> }> {
  const nodes = await deployedOutput("nodes");
  return {
    fleet: deployedFromOutputs({
      nodes,
      gateways: await deployedOutput("gateways"),
      monitors: await deployedOutput("monitors"),
    }),
    nodes: Object.values((nodes ?? {}) as Record<string, Partial<FleetNodeOutput>>),
  };
}

/** The stack's own last output `name` (undefined for a new stack). */
let selfReference: pulumi.StackReference | undefined;
async function deployedOutput(name: string): Promise<unknown> {
  try {
    selfReference ??= new pulumi.StackReference(
      `${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}`,
    );
    const details = await selfReference.getOutputDetails(name);
    return details.value ?? details.secretValue;
  } catch {
    return undefined; // a new stack has no outputs yet
  }
}

/** Overlay addresses this stack uses now, by machine, so every machine keeps its own. */
async function deployedOverlay(): Promise<Record<string, string>> {
  const machines = (await deployedOutput("overlay")) as Record<string, Partial<FleetOverlayMachineOutput>> | undefined;
  return Object.fromEntries(
    Object.values(machines ?? {}).flatMap((m) => (m.name && m.address ? [[m.name, m.address]] : [])),
  );
}

/** The deployed bare-metal nodes' host port offsets: they keep them when nodes are added. */
function deployedPortOffsets(deployed: Array<Partial<FleetNodeOutput>>): Record<string, number> {
  return Object.fromEntries(
    deployed.flatMap((n) => (n.id && typeof n.hostPortOffset === "number" ? [[n.id, n.hostPortOffset]] : [])),
  );
}

/** The fleet spec of the stack config, with the host keys of `sovereign:sshHostKeys` pinned. */
const specFromConfig = (cfg: DeployConfig) =>
  withHostKeys(
    cfg.fleetFile ? parseFleetFile(cfg.fleetFile) : validateFleetObject(cfg.fleet, "sovereign:fleet"),
    cfg.sshHostKeys,
  );

/**
 * Host keys from stack config on the spec's bare-metal hosts (a spec shared by several stacks, or
 * committed without them). A key for no host, or one that differs from the spec's, is refused.
 */
function withHostKeys(spec: FleetSpec, keys: Record<string, string>): FleetSpec {
  const hosts = spec.sites.baremetal?.hosts ?? [];
  const problems = Object.keys(keys)
    .filter((name) => !hosts.some((h) => h.name === name))
    .map((name) => `sovereign:sshHostKeys.${name}: no host of sites.baremetal.hosts is named ${name}`);
  for (const h of hosts) {
    const key = Object.hasOwn(keys, h.name) ? keys[h.name] : undefined;
    if (key && h.ssh?.hostKey && h.ssh.hostKey !== key)
      problems.push(`sovereign:sshHostKeys.${h.name}: the spec pins another key for this host; keep one of the two`);
  }
  if (problems.length) throw new ConfigError(problems);
  if (!hosts.length) return spec;
  const pinned = hosts.map((h) =>
    Object.hasOwn(keys, h.name) ? { ...h, ssh: SshConnection.parse({ ...h.ssh, hostKey: keys[h.name] }) } : h,
  );
  return {
    ...spec,
    sites: { ...spec.sites, baremetal: { ...present(spec.sites.baremetal, "sites.baremetal"), hosts: pinned } },
  };
}

export async function planFromConfig(
  cfg: DeployConfig,
  deployed: DeployedFleet = NOTHING_DEPLOYED,
  catalog = loadCatalog(cfg.catalogDir),
  spec: FleetSpec = specFromConfig(cfg),
): Promise<Plan> {
  const fleet = resolveFleet(spec, catalog, cfg.fleetFile ?? "sovereign:fleet");
  // A pinned client older than an active upgrade's minimum, or one upstream dropped, is off the chain: refuse it.
  const plan = await planChecked(fleet, catalog, deployed);
  if (plan.stability?.moved) {
    pulumi.log.warn(
      `the deployed nodes cannot all stay where they are under the current spec; ${plan.stability.previous - plan.stability.kept} of ${plan.stability.previous} move or change clients (they resync)`,
    );
  }
  if (!plan.policy.satisfied) {
    const failed = plan.policy.checks.filter((c) => !c.ok).map((c) => `${c.rule} (${c.scope}): ${c.message}`);
    throw new DeployRefused(
      `refusing to deploy fleet ${plan.fleet}: the plan breaks its policy:\n  - ${failed.join("\n  - ")}`,
    );
  }
  return plan;
}

/** The overlay CIDR holds every machine of the plan, checked before any resource exists. */
function overlayFits(plan: Plan, cidr: string | undefined) {
  try {
    planOverlay(plan, { cidr });
  } catch (e) {
    throw new ConfigError([`sovereign:overlayCidr: ${(e as Error).message.replace(/^overlay\.cidr:? /, "")}`]);
  }
}

export async function deploy(): Promise<StackOutputs> {
  try {
    return await deployFleet();
  } catch (e) {
    throw refusal(e);
  }
}

async function deployFleet(): Promise<StackOutputs> {
  const cfg = readConfig();
  const deployed = await deployedFleet();
  // One catalog for the plan and the Fleet; provider checks are the bindings' preflight (components/<provider>/binding.ts).
  const catalog = loadCatalog(cfg.catalogDir);
  // The spec is read once: the plan and the Fleet's options (policy, Akash filters) see the same one.
  const spec = specFromConfig(cfg);
  const plan = await planFromConfig(cfg, deployed.fleet, catalog, spec);
  for (const warning of planWarnings(plan)) pulumi.log.warn(warning);
  if (cfg.overlay) overlayFits(plan, cfg.overlay.cidr);
  const awsProfile = new pulumi.Config("aws").get("profile");
  const azureSubscription = new pulumi.Config("azure-native").get("subscriptionId");

  const fleet = new Fleet(plan.fleet, {
    plan,
    catalog,
    rpcAllowCidrs: cfg.rpcAllowCidrs,
    adminCidrs: cfg.adminCidrs,
    sshPublicKey: cfg.sshPublicKey,
    l1Rpc: cfg.l1Rpc,
    l1Beacon: cfg.l1Beacon,
    workloadUpdates: cfg.workloadUpdates,
    aws: { network: cfg.awsNetwork, providerArgs: awsProfile ? { profile: awsProfile } : undefined },
    gcp: { project: cfg.gcpProject },
    azure: { providerArgs: azureSubscription ? { subscriptionId: azureSubscription } : undefined },
    akash: cfg.akashApiKey && {
      apiKey: cfg.akashApiKey,
      url: cfg.akashApiUrl,
      bidTimeoutSeconds: cfg.akashBidTimeoutSeconds,
      bidWindowSeconds: cfg.akashBidWindowSeconds,
      pollSeconds: cfg.akashPollSeconds,
      audited: spec.sites.akash?.audited,
      attributes: spec.sites.akash?.attributes,
    },
    overlay: cfg.overlay && {
      cidr: cfg.overlay.cidr,
      wireguardGo: cfg.overlay.wireguardGo,
      previous: await deployedOverlay(),
    },
    gateways: cfg.access.gateways,
    monitoring: cfg.monitoring && { ...cfg.monitoring, policy: spec.policy, dns: monitoredDns(cfg.access.dns) },
    baremetal: cfg.sshPrivateKey && {
      privateKey: cfg.sshPrivateKey,
      acceptUnknownHostKeys: cfg.sshAcceptUnknownHostKeys,
      dialErrorLimit: cfg.sshDialErrorLimit,
      perDialTimeout: cfg.sshPerDialTimeout,
      healthTimeoutSeconds: cfg.healthTimeoutSeconds,
      portOffset: cfg.hostPortOffset,
      deployedPortOffsets: deployedPortOffsets(deployed.nodes),
    },
  });

  const leased = leasedAkashNodes(fleet.hosts);
  return {
    fleet: plan.fleet,
    nodes: fleet.nodes,
    gateways: fleet.gatewayEndpoints,
    monitors: fleet.monitorEndpoints,
    ...(fleet.grafanaAdminPassword ? { grafanaAdminPassword: fleet.grafanaAdminPassword } : {}),
    rpc: rpcAccess(cfg, plan, fleet),
    akash: leased,
    overlay: fleet.overlayMachines,
    leasedPolicy: leased.apply((l) => leasedPolicy(plan, spec.policy, catalog, l)),
    monthlyUsd: plan.totals.monthlyUsd,
    costs: {
      estimate: plan.totals.estimate,
      breakdown: plan.totals.breakdown,
      byProvider: plan.totals.byProvider,
      byChain: plan.totals.byChain,
      byOperator: plan.totals.byOperator,
    },
    metrics: finiteOnly(plan.metrics),
    policy: {
      satisfied: plan.policy.satisfied,
      checks: plan.policy.checks.map((c) => ({ rule: c.rule, scope: c.scope, ok: c.ok, message: c.message })),
    },
  };
}

/**
 * The RPC hostname on the DNS providers of `sovereign:dns`, pointing at every gateway, and what
 * clients use: the hostname's URLs and every gateway's URL per chain.
 */
function rpcAccess(cfg: DeployConfig, plan: Plan, fleet: Fleet): pulumi.Output<RpcAccess> {
  const dnsConfig = cfg.access.dns;
  const endpoints = fleet.gatewayEndpoints.apply((gws) => {
    const byChain: Record<string, string[]> = {};
    for (const g of Object.values(gws))
      for (const [chain, url] of Object.entries(g.endpoints)) (byChain[chain] ??= []).push(url);
    return byChain;
  });
  if (!dnsConfig) {
    if (plan.gateways.length)
      pulumi.log.warn(
        "the gateways have no common hostname: set sovereign:dns (docs/access-layer.md) so wallets use one name on several DNS providers",
      );
    return endpoints.apply((e): RpcAccess => ({ dnsProviders: [], urls: {}, endpoints: e }));
  }
  if (!plan.gateways.length)
    throw new DeployRefused(
      `sovereign:dns names ${dnsConfig.hostname}, but the plan of fleet ${plan.fleet} has no gateways for it to point at: add a gateways section to the fleet spec (docs/access-layer.md)`,
    );
  const port = fleetGatewayPort(cfg.access.gateways);
  const dns = new RpcDns(
    `${plan.fleet}-rpc`,
    rpcDnsArgs(
      dnsConfig,
      plan.gateways.map((g) => ({ id: g.id, address: fleet.gateways[g.id].publicIp, port })),
      cfg.sshPrivateKey,
    ),
    { dependsOn: Object.values(fleet.gateways) },
  );
  const scheme = cfg.access.gateways.tls ? "https" : "http";
  const suffix = (scheme === "https" && port === 443) || (scheme === "http" && port === 80) ? "" : `:${port}`;
  const hostname = fqdn(dnsConfig.hostname).slice(0, -1);
  return endpoints.apply((e): RpcAccess => ({
    hostname,
    dnsProviders: dns.providers.map((p) => `${p.provider} (${p.operator})`),
    urls: Object.fromEntries(Object.keys(e).map((chain) => [chain, `${scheme}://${hostname}${suffix}/${chain}`])),
    endpoints: e,
  }));
}

/** Stack outputs are JSON: non-finite numbers become null. */
function finiteOnly<T>(value: T): T {
  return JSON.parse(JSON.stringify(value, (_, v) => (typeof v === "number" && !Number.isFinite(v) ? null : v)));
}
