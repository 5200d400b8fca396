import * as pulumi from "@pulumi/pulumi";
import * as dns from "@pulumi/azure-native/dns";
import { DEFAULT_RPC_TTL, relativeName } from "../../core/dns";
import { transform, type Transform } from "../transform";
import type { DnsGateway } from "./types";

export interface AzureDnsRpcRecordsArgs {
  /** The RPC hostname, e.g. `rpc.example.org`. */
  hostname: string;
  /** The Azure DNS zone's name (the domain, e.g. `example.org`). */
  zone: string;
  resourceGroupName: pulumi.Input<string>;
  gateways: DnsGateway[];
  /** @default 30 */
  ttl?: number;
  /**
   * Edit the record set's args.
   * @default none
   * @example { recordSet: { metadata: { owner: "ops" } } }
   */
  transform?: { recordSet?: Transform<dns.RecordSetArgs> };
}

/**
 * The RPC hostname on Azure DNS: one A record set with every gateway's address (Azure DNS has no
 * health checks of its own; Traffic Manager would be another provider under the same hostname).
 *
 * @example
 * new AzureDnsRpcRecords("rpc-az", { hostname: "rpc.example.org", zone: "example.org", resourceGroupName: rg.name, gateways });
 */
export class AzureDnsRpcRecords extends pulumi.ComponentResource {
  readonly recordSet: dns.RecordSet;

  constructor(name: string, args: AzureDnsRpcRecordsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("sovereign:dns:AzureDnsRpcRecords", name, {}, opts);
    this.recordSet = new dns.RecordSet(
      ...transform(
        args.transform?.recordSet,
        `${name}-a`,
        {
          zoneName: args.zone.replace(/\.$/, ""),
          resourceGroupName: args.resourceGroupName,
          relativeRecordSetName: relativeName(args.hostname, args.zone),
          recordType: "A",
          ttl: args.ttl ?? DEFAULT_RPC_TTL,
          aRecords: args.gateways.map((g) => ({ ipv4Address: g.address })),
        } as dns.RecordSetArgs,
        { parent: this },
      ),
    );
    this.registerOutputs({});
  }
}
