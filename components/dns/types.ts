import type * as pulumi from "@pulumi/pulumi";

/** A gateway the hostname points at. */
export interface DnsGateway {
  /** Gateway id (`PlannedGateway.id`): Route 53 set identifier and health check name. */
  id: string;
  /** Its public IPv4 address (e.g. `RpcGateway.publicIp`). */
  address: pulumi.Input<string>;
  /** Port its health is checked on. @default the RpcGateway component's plain HTTP port (core/gateway DEFAULT_HTTP_PORT, 8545) */
  port?: number;
}
