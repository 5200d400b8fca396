/**
 * The access layer's stack config: what the plan's gateways share (`sovereign:gatewayTlsCertificate`,
 * `sovereign:gatewayTlsPrivateKey`, `sovereign:gatewayApiKeys` with a secret
 * `sovereign:gatewayApiKey-<name>` each, `sovereign:gatewayAllowCidrs`, `sovereign:gatewayImage`,
 * `sovereign:gatewayTimeouts`, `sovereign:erpcImage`) and
 * the one RPC hostname on several DNS providers (`sovereign:dns`), checked in one place with every
 * problem named by its key.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { SshConnection } from "../core/fleet-spec/schema";
import { apiKeyProblem, apiKeySetProblems, tlsProblems } from "../core/gateway/credentials";
import { GatewayTimeouts } from "../core/gateway/types";
import { dnsDiversityProblem, dnsOperator, dnsProviders, fqdn, relativeName, serverResourceLabel } from "../core/dns";
import type { FleetGatewayOptions } from "../components/gateway/fleet-gateways";
import type { RpcDnsArgs } from "../components/dns/rpc-dns";
import type { MonitoredDns } from "../core/monitoring/workload";
import { present } from "../core/present";

/** A DNS name, checked by core/dns's own `fqdn` (the one the records are rendered with). */
const name = z.string().superRefine((value, ctx) => {
  try {
    fqdn(value, "name");
  } catch {
    ctx.addIssue({ code: "custom", message: "use a DNS name of two or more labels, e.g. rpc.example.org" });
  }
});

/** `sovereign:dns`: the hostname and where its records live (at least two DNS operators). */
export const DnsConfig = z
  .strictObject({
    hostname: name,
    ttl: z.number().int().min(5).max(86_400).optional(),
    minOperators: z.number().int().min(1).max(10).optional(),
    route53: z.strictObject({ zoneId: z.string().min(1) }).optional(),
    cloudDns: z.strictObject({ managedZone: z.string().min(1), project: z.string().min(1).optional() }).optional(),
    azureDns: z.strictObject({ zone: name, resourceGroupName: z.string().min(1) }).optional(),
    cloudflare: z.strictObject({ zoneId: z.string().min(1) }).optional(),
    selfHosted: z
      .strictObject({
        zone: name,
        servers: z
          .array(
            z.strictObject({
              name,
              operator: z.string().min(1),
              address: z.ipv4({ message: "use the server's public IPv4 address" }),
              port: z.number().int().min(1).max(65535).optional(),
              ssh: SshConnection,
            }),
          )
          .min(1),
      })
      .optional(),
  })
  .superRefine((dns, ctx) => {
    for (const issue of [...selfHostedServerIssues(dns.selfHosted?.servers ?? []), ...diversityIssues(dns)])
      ctx.addIssue({ code: "custom", ...issue });
    // The zones of the providers that take one must hold the hostname (else the component fails mid-up).
    for (const key of ["azureDns", "selfHosted"] as const) {
      const zone = dns[key]?.zone;
      if (!zone) continue;
      try {
        relativeName(dns.hostname, zone);
      } catch {
        ctx.addIssue({
          code: "custom",
          path: [key, "zone"],
          message: `${zone} does not hold the hostname ${dns.hostname}`,
        });
      }
    }
  });
export type DnsConfig = z.infer<typeof DnsConfig>;

type DnsIssue = { path: PropertyKey[]; message: string };

/**
 * Self-hosted servers that would fail mid-deploy or fake diversity: two whose resources would get
 * one name (ns1.a.org and ns1.b.org), or one address claimed by two operators.
 */
function selfHostedServerIssues(servers: ReadonlyArray<{ name: string; operator: string; address: string }>) {
  const issues: DnsIssue[] = [];
  const byLabel = new Map<string, string>();
  const operatorAt = new Map<string, string>();
  servers.forEach((s, i) => {
    const label = serverResourceLabel(s.name);
    const same = byLabel.get(label);
    if (same !== undefined)
      issues.push({
        path: ["selfHosted", "servers", i, "name"],
        message: `${s.name} and ${same} both start with '${label}', which names their resources: make the first labels differ (ns1, ns2)`,
      });
    byLabel.set(label, s.name);
    const operator = operatorAt.get(s.address);
    if (operator !== undefined && dnsOperator(operator) !== dnsOperator(s.operator))
      issues.push({
        path: ["selfHosted", "servers", i, "operator"],
        message: `${s.address} is run by ${operator} in another entry; one machine has one operator`,
      });
    operatorAt.set(s.address, operator ?? s.operator);
  });
  return issues;
}

/** minOperators (2 unless given) more than the providers listed give: RpcDns would refuse mid-deploy. */
function diversityIssues(dns: Parameters<typeof dnsProviders>[0] & { minOperators?: number }): DnsIssue[] {
  const problem = dnsDiversityProblem(dnsProviders(dns), dns.minOperators ?? 2);
  return problem ? [{ path: dns.minOperators === undefined ? [] : ["minOperators"], message: problem }] : [];
}

/** `sovereign:gatewayApiKeys`: who holds a key and their rate; each key itself is the secret `sovereign:gatewayApiKey-<name>`. */
const ApiKeyHolders = z
  .array(
    z.strictObject({
      name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, { message: "use lower-case letters, digits and -" }),
      requestsPerSecond: z.number().int().min(1).max(1_000_000).optional(),
    }),
  )
  .min(1);

export interface AccessConfig {
  gateways: FleetGatewayOptions;
  dns?: DnsConfig;
}

/** Problems of a zod parse as `key.path: message` lines. */
const issues = (key: string, error: z.ZodError) =>
  error.issues.map((i) => `sovereign:${[key, ...i.path].join(".")}: ${i.message}`);

/** Config `key` parsed with `schema`; undefined when unset or wrong (then `problems` says why, by field). */
export function parsedConfig<T>(
  config: pulumi.Config,
  key: string,
  schema: z.ZodType<T>,
  shape: string,
  problems: string[],
): T | undefined {
  let raw: unknown;
  try {
    raw = config.getObject<unknown>(key);
  } catch {
    problems.push(`sovereign:${key} must be ${shape}`);
    return undefined;
  }
  if (raw === undefined) return undefined;
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  problems.push(...issues(key, parsed.error));
  return undefined;
}

/**
 * A secret's plain text, for checks only: it stays a Pulumi secret everywhere it is used, and no
 * message quotes it. (config.get would warn that a secret is read as plain text.)
 */
export const secretText = (key: string) => pulumi.runtime.getConfig(`sovereign:${key}`)?.trim();

/** `sovereign:gatewayTlsCertificate` and the secret `sovereign:gatewayTlsPrivateKey`, checked as a pair. */
function readTls(config: pulumi.Config, problems: string[]): FleetGatewayOptions["tls"] {
  const certificate = config.get("gatewayTlsCertificate")?.trim();
  const privateKey = config.getSecret("gatewayTlsPrivateKey");
  if (!certificate && !privateKey) return undefined;
  if (!certificate || !privateKey) {
    problems.push(
      "sovereign:gatewayTlsCertificate and sovereign:gatewayTlsPrivateKey go together (the key as a secret: pulumi config set --secret sovereign:gatewayTlsPrivateKey < key.pem)",
    );
    return undefined;
  }
  const found = tlsProblems(certificate, secretText("gatewayTlsPrivateKey") ?? "");
  problems.push(
    ...found.certificate.map(
      (p) => `sovereign:gatewayTlsCertificate ${p}: pulumi config set sovereign:gatewayTlsCertificate < fullchain.pem`,
    ),
    ...found.privateKey.map(
      (p) => `sovereign:gatewayTlsPrivateKey ${p}: pulumi config set --secret sovereign:gatewayTlsPrivateKey < key.pem`,
    ),
  );
  return found.certificate.length || found.privateKey.length ? undefined : { certificate, privateKey };
}

/** The secret key of each holder of `sovereign:gatewayApiKeys`, each checked as HAProxy will need it. */
function readApiKeys(
  config: pulumi.Config,
  holders: z.infer<typeof ApiKeyHolders>,
  problems: string[],
): NonNullable<FleetGatewayOptions["apiKeys"]> {
  const keys: NonNullable<FleetGatewayOptions["apiKeys"]> = [];
  const plain: Array<{ name: string; key: string }> = [];
  for (const h of holders) {
    const setting = `sovereign:gatewayApiKey-${h.name}`;
    const key = config.getSecret(`gatewayApiKey-${h.name}`);
    const text = pulumi.runtime.getConfig(setting);
    const problem = text === undefined ? undefined : apiKeyProblem(text);
    if (!key || text === undefined)
      problems.push(
        `sovereign:gatewayApiKeys names ${h.name}, whose key is not set: pulumi config set --secret ${setting} <16-128 characters>`,
      );
    else if (problem)
      problems.push(`${setting}: ${problem}: pulumi config set --secret ${setting} $(openssl rand -hex 24)`);
    else {
      keys.push({ name: h.name, key, requestsPerSecond: h.requestsPerSecond });
      plain.push({ name: h.name, key: text });
    }
  }
  problems.push(...apiKeySetProblems(plain).map((p) => `sovereign:gatewayApiKeys: ${p}`));
  return keys;
}

/** The access layer's config; problems are added to `problems` (none of them is thrown here). */
export function readAccessConfig(config: pulumi.Config, problems: string[]): AccessConfig {
  const gateways: FleetGatewayOptions = {};
  const tls = readTls(config, problems);
  if (tls) gateways.tls = tls;

  const image = config.get("gatewayImage")?.trim();
  if (image && !/^[\w][\w./:@-]*$/.test(image))
    problems.push(
      `sovereign:gatewayImage is '${image}'; use an image reference, e.g. haproxy:2.6.12 or registry.example.org/haproxy@sha256:...`,
    );
  else if (image) gateways.image = image;
  const erpcImage = config.get("erpcImage")?.trim();
  if (erpcImage && !/^[\w][\w./:@-]*$/.test(erpcImage))
    problems.push(
      `sovereign:erpcImage is '${erpcImage}'; use an image reference, e.g. ghcr.io/erpc/erpc:0.0.56 or registry.example.org/erpc@sha256:...`,
    );
  else if (erpcImage) gateways.erpcImage = erpcImage;
  const holders = parsedConfig(
    config,
    "gatewayApiKeys",
    ApiKeyHolders,
    "a YAML list of {name, requestsPerSecond}",
    problems,
  );
  if (holders) gateways.apiKeys = readApiKeys(config, holders, problems);
  const allowCidrs = z.array(z.cidrv4().or(z.cidrv6()));
  const allow = parsedConfig(config, "gatewayAllowCidrs", allowCidrs, "a YAML list of CIDRs", problems);
  // An empty list is Pulumi.yaml's default: everyone.
  if (allow?.length) gateways.allowCidrs = allow;
  const timeouts = parsedConfig(
    config,
    "gatewayTimeouts",
    GatewayTimeouts,
    "a YAML object of gateway timings, e.g. {headMs: 1000, checkIntervalMs: 500}",
    problems,
  );
  if (timeouts) gateways.timeouts = timeouts;
  const dns = parsedConfig(
    config,
    "dns",
    DnsConfig,
    "a YAML object: {hostname, selfHosted|route53|cloudDns|azureDns|cloudflare}",
    problems,
  );
  return { gateways, dns };
}

/** What stops Sovereign from pushing the zone to the self-hosted servers over SSH. */
export function selfHostedDnsProblems(
  dns: DnsConfig | undefined,
  ssh: { hasPrivateKey: boolean; acceptUnknownHostKeys: boolean },
): string[] {
  const servers = dns?.selfHosted?.servers ?? [];
  if (!servers.length) return [];
  const problems: string[] = [];
  if (!ssh.hasPrivateKey)
    problems.push(
      "sovereign:dns.selfHosted: the zone is pushed to its servers over SSH: pulumi config set --secret sovereign:sshPrivateKey < ~/.ssh/id_ed25519",
    );
  const unpinned = servers.filter((s) => !s.ssh.hostKey).map((s) => s.name);
  if (unpinned.length && !ssh.acceptUnknownHostKeys)
    problems.push(
      `sovereign:dns.selfHosted.servers ${unpinned.join(", ")} have no ssh.hostKey, so anyone in the network path could pose as them: add it (ssh-keyscan -t ed25519 <address>), or set sovereign:sshAcceptUnknownHostKeys true`,
    );
  return problems;
}

/**
 * What the monitors ask for the zone's SOA: the self-hosted servers (the one kind whose addresses
 * the config holds; a cloud provider's name servers are its own to watch). Undefined without them.
 */
export function monitoredDns(dns: DnsConfig | undefined): MonitoredDns | undefined {
  const selfHosted = dns?.selfHosted;
  return (
    selfHosted && {
      zone: selfHosted.zone,
      servers: selfHosted.servers.map((s) => `${s.address}:${s.port ?? 53}`),
    }
  );
}

/** RpcDns args from `sovereign:dns` and the deployed gateways, with the SSH key for self-hosted servers. */
export function rpcDnsArgs(
  dns: DnsConfig,
  gateways: RpcDnsArgs["gateways"],
  privateKey: pulumi.Input<string> | undefined,
): RpcDnsArgs {
  const { selfHosted, ...rest } = dns;
  return {
    ...rest,
    gateways,
    selfHosted: selfHosted && {
      zone: selfHosted.zone,
      servers: selfHosted.servers.map((s) => ({
        name: s.name,
        operator: s.operator,
        address: s.address,
        port: s.port,
        connection: {
          host: s.address,
          port: s.ssh.port,
          user: s.ssh.user,
          hostKey: s.ssh.hostKey,
          privateKey: present(privateKey, "sovereign:sshPrivateKey"),
        },
      })),
    },
  };
}
