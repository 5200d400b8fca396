/**
 * The access layer of a Fleet: one RpcGateway per planned gateway (`Plan.gateways`, placed by the
 * planner from the spec's `gateways` section), on the site its binding gives (the region's network
 * on a cloud, the host over SSH on bare metal), in front of every node of its chains: over the
 * overlay when the Fleet has one, else at the nodes' `rpcEndpoint`.
 */
import * as pulumi from "@pulumi/pulumi";
import type { Catalog } from "../../core/catalog/load";
import { gatewayChains } from "../../core/gateway";
import type { Plan, PlannedGateway } from "../../core/plan";
import type { FleetContext, HostBinding } from "../hosts";
import { placementOutput, type FleetPlacementOutput } from "../placement-output";
import type { NodeHostOutputs } from "../node-host";
import { RpcGateway, chainsFromFleet, type RpcGatewayArgs } from "./rpc-gateway";

/** What every gateway of a Fleet shares (FleetArgs.gateways). */
export type FleetGatewayOptions = Pick<
  RpcGatewayArgs,
  "tls" | "apiKeys" | "port" | "allowCidrs" | "metrics" | "timeouts" | "retries" | "image" | "transform"
>;

/** What the Fleet reports per gateway (also the program's stack output). */
export interface FleetGatewayOutput extends FleetPlacementOutput {
  chains: string[];
  publicIp: string;
  /** `<scheme>://<ip>:<port>`. */
  endpoint: string;
  /** Endpoint URL per chain key: the list a wallet's fallback transport takes. */
  endpoints: Record<string, string>;
}

/** The public port of a Fleet's gateways: HTTPS on 443, or plain HTTP on 80 (the planner keeps one gateway per host). */
export const fleetGatewayPort = (options: FleetGatewayOptions | undefined) =>
  options?.port ?? (options?.tls ? 443 : 80);

/**
 * What stops the plan's gateways from deploying, before any resource exists: a provider whose
 * binding cannot host a gateway, a chain without nodes, or upstreams on other sites whose RPC is
 * private while there is no overlay to reach them.
 */
export function gatewayProblems(
  plan: Plan,
  catalog: Catalog,
  bindings: ReadonlyMap<string, HostBinding>,
  reach: { overlay: boolean; rpcAllowCidrs: readonly string[] },
): string[] {
  const problems: string[] = [];
  for (const g of plan.gateways) {
    if (!bindings.get(g.provider)?.gatewaySite)
      problems.push(
        `${g.id}: the plan puts this gateway on ${g.provider}, where gateways cannot be deployed yet; remove ${g.provider} from gateways.sites`,
      );
    try {
      gatewayChains(plan, g, catalog);
    } catch (e) {
      problems.push((e as Error).message);
    }
    const remote = plan.nodes.filter((n) => g.chains.includes(n.chainKey) && n.site !== g.site).map((n) => n.id);
    if (remote.length && !reach.overlay && reach.rpcAllowCidrs.length === 0)
      problems.push(
        `${g.id} (${g.site}) dials nodes on other sites (${remote.join(", ")}) whose RPC is private: set sovereign:overlay true (WireGuard among the fleet's machines), or sovereign:rpcAllowCidrs to the gateways' addresses`,
      );
  }
  return problems;
}

/** One RpcGateway per planned gateway, children of the Fleet, named `<fleet name>-<gateway id>`. */
export function deployGateways(
  ctx: FleetContext,
  bindings: ReadonlyMap<string, HostBinding>,
  hosts: Record<string, NodeHostOutputs>,
  options: FleetGatewayOptions | undefined,
  dependsOn: pulumi.Resource[],
): Record<string, RpcGateway> {
  // What the gateways dial: the overlay address when the node has one.
  const upstreamUrls = pulumi.output(
    Object.fromEntries(
      Object.entries(hosts).map(([id, h]) => [
        id,
        (h.overlayRpcEndpoint ?? h.rpcEndpoint).apply((rpcEndpoint) => ({ rpcEndpoint })),
      ]),
    ),
  );
  return Object.fromEntries(
    ctx.plan.gateways.map((g: PlannedGateway) => {
      const { site, opts } = bindings.get(g.provider)!.gatewaySite!(g, ctx);
      const gateway = new RpcGateway(
        `${ctx.name}-${g.id}`,
        {
          ...options,
          gateway: g,
          fleet: ctx.plan.fleet,
          port: fleetGatewayPort(options),
          chains: chainsFromFleet(ctx.plan, g, upstreamUrls, {
            catalog: ctx.catalog,
            maxLagBlocks: g.maxLagBlocks,
            backup: (n) => g.backup?.includes(n.id) ?? false,
          }),
          site,
          adminCidrs: ctx.host.adminCidrs,
          sshPublicKey: ctx.host.sshPublicKey,
          workloadUpdates: ctx.host.workloadUpdates,
          overlay: g.provider === "baremetal" ? undefined : ctx.overlayFor?.(g),
        },
        { ...opts, parent: ctx.parent, dependsOn },
      );
      return [g.id, gateway];
    }),
  );
}

/** The Fleet's per-gateway summary, from the plan and the gateway's addresses. */
export function gatewayOutputs(
  plan: Plan,
  gateways: Record<string, RpcGateway>,
): pulumi.Output<Record<string, FleetGatewayOutput>> {
  return pulumi.output(
    Object.fromEntries(
      plan.gateways.map((g) => [
        g.id,
        pulumi
          .all([gateways[g.id].publicIp, gateways[g.id].endpoint, gateways[g.id].endpoints])
          .apply(([publicIp, endpoint, endpoints]): FleetGatewayOutput => ({
            ...placementOutput(g),
            chains: g.chains,
            publicIp,
            endpoint,
            endpoints,
          })),
      ]),
    ),
  );
}
