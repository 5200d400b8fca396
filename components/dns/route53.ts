import * as pulumi from "@pulumi/pulumi";
import * as route53 from "@pulumi/aws/route53";
import { DEFAULT_RPC_TTL, fqdn } from "../../core/dns";
import { DEFAULT_HTTP_PORT } from "../../core/gateway";
import { transform, type Transform } from "../transform";
import type { DnsGateway } from "./types";

export interface Route53RpcRecordsArgs {
  /** The RPC hostname, e.g. `rpc.example.org`. */
  hostname: string;
  /** Hosted zone holding it. */
  zoneId: pulumi.Input<string>;
  gateways: DnsGateway[];
  /** @default 30 */
  ttl?: number;
  /**
   * How Route 53 checks each gateway: a failing one leaves the answers (multivalue answer routing).
   * @default { type: "TCP", intervalSeconds: 10, failureThreshold: 2 }
   * @example { type: "HTTPS", path: "/ethereum/mainnet", port: 8443 }
   */
  healthCheck?: {
    type?: "TCP" | "HTTP" | "HTTPS";
    path?: string;
    port?: number;
    intervalSeconds?: 10 | 30;
    failureThreshold?: number;
  };
  /**
   * Edit the children's args.
   * @default none
   * @example { record: { allowOverwrite: true } }
   */
  transform?: { healthCheck?: Transform<route53.HealthCheckArgs>; record?: Transform<route53.RecordArgs> };
}

/**
 * The RPC hostname on Route 53: one record per gateway under multivalue answer routing, each tied
 * to a Route 53 health check, so an unhealthy gateway is left out of the answers within seconds.
 *
 * @example
 * new Route53RpcRecords("rpc-r53", { hostname: "rpc.example.org", zoneId: zone.zoneId, gateways });
 */
export class Route53RpcRecords extends pulumi.ComponentResource {
  readonly healthChecks: route53.HealthCheck[] = [];
  readonly records: route53.Record[] = [];

  constructor(name: string, args: Route53RpcRecordsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("sovereign:dns:Route53RpcRecords", name, {}, opts);
    const hc = { type: "TCP" as const, intervalSeconds: 10, failureThreshold: 2, ...args.healthCheck };
    const host = fqdn(args.hostname);
    for (const g of args.gateways) {
      const check = new route53.HealthCheck(
        ...transform(
          args.transform?.healthCheck,
          `${name}-${g.id}-health`,
          {
            type: hc.type,
            ipAddress: g.address,
            port: hc.port ?? g.port ?? DEFAULT_HTTP_PORT,
            resourcePath: hc.type === "TCP" ? undefined : (hc.path ?? "/"),
            requestInterval: hc.intervalSeconds,
            failureThreshold: hc.failureThreshold,
            tags: { Name: `${host} ${g.id}`, "sovereign:gateway": g.id },
          } as route53.HealthCheckArgs,
          { parent: this },
        ),
      );
      this.healthChecks.push(check);
      this.records.push(
        new route53.Record(
          ...transform(
            args.transform?.record,
            `${name}-${g.id}`,
            {
              zoneId: args.zoneId,
              name: host,
              type: "A",
              ttl: args.ttl ?? DEFAULT_RPC_TTL,
              records: [g.address],
              setIdentifier: g.id,
              multivalueAnswerRoutingPolicy: true,
              healthCheckId: check.id,
            } as route53.RecordArgs,
            { parent: this },
          ),
        ),
      );
    }
    this.registerOutputs({});
  }
}
