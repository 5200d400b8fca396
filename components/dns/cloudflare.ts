import * as pulumi from "@pulumi/pulumi";
import * as cloudflare from "@pulumi/cloudflare";
import { DEFAULT_RPC_TTL, fqdn } from "../../core/dns";
import { transform, type Transform } from "../transform";
import type { DnsGateway } from "./types";

export interface CloudflareRpcRecordsArgs {
  /** The RPC hostname, e.g. `rpc.example.org`. */
  hostname: string;
  /** Cloudflare zone id. */
  zoneId: pulumi.Input<string>;
  gateways: DnsGateway[];
  /** @default 30 (Cloudflare's minimum is 30 on free plans) */
  ttl?: number;
  /**
   * Edit each record's args.
   * @default none
   * @example { record: { comment: "managed by sovereign" } }
   */
  transform?: { record?: Transform<cloudflare.DnsRecordArgs> };
}

/**
 * The RPC hostname on Cloudflare DNS: one DNS-only (not proxied, so clients reach the gateways
 * themselves) A record per gateway.
 *
 * @example
 * new CloudflareRpcRecords("rpc-cf", { hostname: "rpc.example.org", zoneId: "0123abcd...", gateways });
 */
export class CloudflareRpcRecords extends pulumi.ComponentResource {
  readonly records: cloudflare.DnsRecord[];

  constructor(name: string, args: CloudflareRpcRecordsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("sovereign:dns:CloudflareRpcRecords", name, {}, opts);
    const host = fqdn(args.hostname).replace(/\.$/, "");
    this.records = args.gateways.map(
      (g) =>
        new cloudflare.DnsRecord(
          ...transform(
            args.transform?.record,
            `${name}-${g.id}`,
            {
              zoneId: args.zoneId,
              name: host,
              type: "A",
              content: g.address,
              ttl: args.ttl ?? DEFAULT_RPC_TTL,
              proxied: false,
              comment: `sovereign gateway ${g.id}`,
            } as cloudflare.DnsRecordArgs,
            { parent: this },
          ),
        ),
    );
    this.registerOutputs({});
  }
}
