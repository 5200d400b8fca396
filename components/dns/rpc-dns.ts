import * as pulumi from "@pulumi/pulumi";
import { checkDnsDiversity, dnsProviders, type DnsProviderRef } from "../../core/dns";
import { AzureDnsRpcRecords, type AzureDnsRpcRecordsArgs } from "./azure";
import { CloudDnsRpcRecords, type CloudDnsRpcRecordsArgs } from "./clouddns";
import { CloudflareRpcRecords, type CloudflareRpcRecordsArgs } from "./cloudflare";
import { Route53RpcRecords, type Route53RpcRecordsArgs } from "./route53";
import { SelfHostedRpcZone, type SelfHostedRpcZoneArgs } from "./selfhosted";
import type { DnsGateway } from "./types";

type Shared = "hostname" | "gateways" | "ttl";

export interface RpcDnsArgs {
  /** The one RPC hostname wallets and dApps use, e.g. `rpc.example.org`. */
  hostname: string;
  /** The gateways it resolves to. */
  gateways: DnsGateway[];
  /** @default 30 */
  ttl?: number;
  /** Route 53 (with health checks). @default none */
  route53?: Omit<Route53RpcRecordsArgs, Shared>;
  /** Google Cloud DNS. @default none */
  cloudDns?: Omit<CloudDnsRpcRecordsArgs, Shared>;
  /** Azure DNS. @default none */
  azureDns?: Omit<AzureDnsRpcRecordsArgs, Shared>;
  /** Cloudflare DNS. @default none */
  cloudflare?: Omit<CloudflareRpcRecordsArgs, Shared>;
  /** The user's own authoritative servers (Knot DNS over SSH). @default none */
  selfHosted?: Omit<SelfHostedRpcZoneArgs, Shared>;
  /**
   * Fewest DNS operators (companies) that must hold the records at once.
   * @default 2
   */
  minOperators?: number;
}

/**
 * One RPC hostname on several DNS providers at once, with the same records on each (every
 * gateway's address), so neither a DNS provider nor a gateway's operator can take the hostname
 * down. Refuses fewer than `minOperators` distinct DNS operators. Each provider's component takes
 * its own provider through `opts.providers`.
 *
 * @example
 * new RpcDns("rpc", {
 *   hostname: "rpc.example.org", gateways: gws.map((g) => ({ id: g.gatewayId, address: g.publicIp })),
 *   route53: { zoneId: zone.zoneId },
 *   selfHosted: { zone: "rpc.example.org", servers: [ns1, ns2] },
 * });
 */
export class RpcDns extends pulumi.ComponentResource {
  /** Where the records live (provider and operator). */
  readonly providers: DnsProviderRef[];
  readonly route53?: Route53RpcRecords;
  readonly cloudDns?: CloudDnsRpcRecords;
  readonly azureDns?: AzureDnsRpcRecords;
  readonly cloudflare?: CloudflareRpcRecords;
  readonly selfHosted?: SelfHostedRpcZone;

  constructor(name: string, args: RpcDnsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("sovereign:dns:RpcDns", name, {}, opts);
    if (args.gateways.length === 0) throw new Error(`${name}: the hostname needs at least one gateway`);
    const providers = dnsProviders(args);
    checkDnsDiversity(providers, args.minOperators ?? 2);
    this.providers = providers;
    const shared = { hostname: args.hostname, gateways: args.gateways, ttl: args.ttl };
    const p = { parent: this };
    if (args.route53) this.route53 = new Route53RpcRecords(`${name}-route53`, { ...args.route53, ...shared }, p);
    if (args.cloudDns) this.cloudDns = new CloudDnsRpcRecords(`${name}-clouddns`, { ...args.cloudDns, ...shared }, p);
    if (args.azureDns) this.azureDns = new AzureDnsRpcRecords(`${name}-azuredns`, { ...args.azureDns, ...shared }, p);
    if (args.cloudflare)
      this.cloudflare = new CloudflareRpcRecords(`${name}-cloudflare`, { ...args.cloudflare, ...shared }, p);
    if (args.selfHosted) this.selfHosted = new SelfHostedRpcZone(`${name}-ns`, { ...args.selfHosted, ...shared }, p);
    this.registerOutputs({ providers: this.providers });
  }
}
