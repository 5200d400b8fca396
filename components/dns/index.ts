/** The RPC hostname on several DNS providers at once (records: core/dns). */
export { RpcDns, type RpcDnsArgs } from "./rpc-dns";
export { Route53RpcRecords, type Route53RpcRecordsArgs } from "./route53";
export { CloudDnsRpcRecords, type CloudDnsRpcRecordsArgs } from "./clouddns";
export { AzureDnsRpcRecords, type AzureDnsRpcRecordsArgs } from "./azure";
export { CloudflareRpcRecords, type CloudflareRpcRecordsArgs } from "./cloudflare";
export { SelfHostedRpcZone, DNS_DIR, type SelfHostedRpcZoneArgs, type SelfHostedDnsServer } from "./selfhosted";
export type { DnsGateway } from "./types";
