import * as pulumi from "@pulumi/pulumi";
import * as dns from "@pulumi/gcp/dns";
import { DEFAULT_RPC_TTL, fqdn } from "../../core/dns";
import { transform, type Transform } from "../transform";
import type { DnsGateway } from "./types";

export interface CloudDnsRpcRecordsArgs {
  /** The RPC hostname, e.g. `rpc.example.org`. */
  hostname: string;
  /** Name of the Cloud DNS managed zone holding it. */
  managedZone: pulumi.Input<string>;
  gateways: DnsGateway[];
  /** @default 30 */
  ttl?: number;
  /** GCP project of the zone. @default the provider's */
  project?: pulumi.Input<string>;
  /**
   * Edit the record set's args.
   * @default none
   * @example { recordSet: { ttl: 60 } }
   */
  transform?: { recordSet?: Transform<dns.RecordSetArgs> };
}

/**
 * The RPC hostname on Google Cloud DNS: one A record set with every gateway's address. Cloud DNS
 * health-checked routing serves internal load balancers only, so public gateways leave the set
 * when the next `pulumi up` drops them (the records stay the same as on the other providers).
 *
 * @example
 * new CloudDnsRpcRecords("rpc-gcp", { hostname: "rpc.example.org", managedZone: "rpc-zone", gateways });
 */
export class CloudDnsRpcRecords extends pulumi.ComponentResource {
  readonly recordSet: dns.RecordSet;

  constructor(name: string, args: CloudDnsRpcRecordsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("sovereign:dns:CloudDnsRpcRecords", name, {}, opts);
    this.recordSet = new dns.RecordSet(
      ...transform(
        args.transform?.recordSet,
        `${name}-a`,
        {
          managedZone: args.managedZone,
          project: args.project,
          name: fqdn(args.hostname),
          type: "A",
          ttl: args.ttl ?? DEFAULT_RPC_TTL,
          rrdatas: args.gateways.map((g) => g.address),
        } as dns.RecordSetArgs,
        { parent: this },
      ),
    );
    this.registerOutputs({});
  }
}
