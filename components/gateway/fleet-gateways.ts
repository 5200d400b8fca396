/**
 * The access layer of a Fleet: one RpcGateway per planned gateway (`Plan.gateways`, placed by the
 * planner from the spec's `gateways` section), on the site its binding gives (the region's network
 * on a cloud, the host over SSH on bare metal), in front of every node of its chains: over the
 * overlay when the Fleet has one, else at the nodes' `rpcEndpoint`.
 */
import * as pulumi from "@pulumi/pulumi";
import type { Catalog } from "../../core/catalog/load";
import { OUTSIDE_OVERLAY } from "../../core/catalog/schema";
import { partImage } from "../../core/catalog/load";
import { gatewayChains, mtlsNodes, upstreamServerName } from "../../core/gateway";
import type { Plan, PlannedGateway } from "../../core/plan";
import type { FleetContext, HostBinding } from "../hosts";
import { placementOutput, type FleetPlacementOutput } from "../placement-output";
import type { NodeHostOutputs } from "../node-host";
import { RpcGateway, chainsFromFleet, type RpcGatewayArgs } from "./rpc-gateway";
import { UpstreamCa, type UpstreamCaArgs } from "./upstream-ca";
import { UpstreamCertificate, type UpstreamCertificateArgs } from "./upstream-certificate";
import { present } from "../../core/present";

/** What every gateway of a Fleet shares (FleetArgs.gateways). */
export type FleetGatewayOptions = Pick<
  RpcGatewayArgs,
  "tls" | "apiKeys" | "port" | "allowCidrs" | "metrics" | "timeouts" | "retries" | "image" | "erpcImage" | "transform"
> & {
  /**
   * Edit the children that draw the upstream CA and issue the mTLS certificates (made only when a
   * gateway dials a node outside the overlay).
   * @default none
   * @example { ca: { generate: { environment: { OPENSSL_CONF: "/etc/ssl/fips.cnf" } } } }
   */
  upstreamTlsTransform?: { ca?: UpstreamCaArgs["transform"]; certificate?: UpstreamCertificateArgs["transform"] };
};

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
    // Nodes outside the overlay are dialled over mTLS (fleetUpstreamTls), whatever the overlay.
    const remote = plan.nodes
      .filter((n) => g.chains.includes(n.chainKey) && n.site !== g.site && !OUTSIDE_OVERLAY.has(n.provider))
      .map((n) => n.id);
    if (remote.length && !reach.overlay && reach.rpcAllowCidrs.length === 0)
      problems.push(
        `${g.id} (${g.site}) dials nodes on other sites (${remote.join(", ")}) whose RPC is private: set sovereign:overlay true (WireGuard among the fleet's machines), or sovereign:rpcAllowCidrs to the gateways' addresses`,
      );
  }
  return problems;
}

/** The Fleet's mTLS between gateways and the nodes outside the overlay: what each side gets. */
export interface FleetUpstreamTls {
  /** A node's terminator: the HAProxy image, its server certificate + key (secret) and the CA. */
  forNode(nodeId: string): { image: string; certificate: pulumi.Output<string>; ca: pulumi.Output<string> } | undefined;
  /** A gateway's client certificate and the CA. */
  forGateway(gatewayId: string): {
    ca: pulumi.Output<string>;
    certificate: pulumi.Output<string>;
    privateKey: pulumi.Output<string>;
  };
  /** The name a node's server certificate carries, for nodes dialled over mTLS. */
  serverName(nodeId: string): string | undefined;
}

/**
 * The fleet's upstream CA, a server certificate per node in `mtlsNodes` and a client certificate
 * per gateway, children of the Fleet (`<name>-upstream-ca`, `<name>-<id>-upstream-tls`); undefined
 * when no gateway dials a node outside the overlay.
 */
export function fleetUpstreamTls(
  ctx: FleetContext,
  options: FleetGatewayOptions | undefined,
): FleetUpstreamTls | undefined {
  const nodes = mtlsNodes(ctx.plan);
  if (nodes.length === 0) return undefined;
  const fleet = ctx.plan.fleet;
  const image = options?.image ?? partImage("gateway");
  const parent = { parent: ctx.parent };
  const ca = new UpstreamCa(`${ctx.name}-upstream-ca`, { fleet, transform: options?.upstreamTlsTransform?.ca }, parent);
  const issue = (id: string, name: string, usage: "server" | "client") =>
    new UpstreamCertificate(
      `${ctx.name}-${id}-upstream-tls`,
      { ca, name, usage, transform: options?.upstreamTlsTransform?.certificate },
      parent,
    );
  const servers = new Map(nodes.map((n) => [n.id, issue(n.id, upstreamServerName(fleet, n.id), "server")]));
  const clients = new Map(
    ctx.plan.gateways.map((g) => [g.id, issue(g.id, `${g.id}.${fleet}.gateway.sovereign`, "client")]),
  );
  return {
    forNode(id) {
      const s = servers.get(id);
      return (
        s && {
          image,
          certificate: pulumi.secret(pulumi.interpolate`${s.certificate}${s.privateKey}`),
          ca: ca.certificate,
        }
      );
    },
    forGateway(id) {
      const c = present(clients.get(id), `client ${id}`);
      return { ca: ca.certificate, certificate: c.certificate, privateKey: c.privateKey };
    },
    serverName: (id) => (servers.has(id) ? upstreamServerName(fleet, id) : undefined),
  };
}

/** One RpcGateway per planned gateway, children of the Fleet, named `<fleet name>-<gateway id>`. */
export function deployGateways(
  ctx: FleetContext,
  bindings: ReadonlyMap<string, HostBinding>,
  hosts: Record<string, NodeHostOutputs>,
  options: FleetGatewayOptions | undefined,
  dependsOn: pulumi.Resource[],
  upstreamTls?: FleetUpstreamTls,
): Record<string, RpcGateway> {
  // What the gateways dial: a terminator outside the overlay, else the overlay address when the node has one.
  const upstreamUrls = pulumi.output(
    Object.fromEntries(
      Object.entries(hosts).map(([id, h]) => [
        id,
        (h.mtlsRpcEndpoint ?? h.overlayRpcEndpoint ?? h.rpcEndpoint).apply((rpcEndpoint) => ({ rpcEndpoint })),
      ]),
    ),
  );
  return Object.fromEntries(
    ctx.plan.gateways.map((g: PlannedGateway) => {
      const gatewaySite = present(bindings.get(g.provider)?.gatewaySite, `a gateway site on ${g.provider}`);
      const site = gatewaySite(g, ctx);
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
            mtlsServerName: upstreamTls?.serverName,
          }),
          upstreamTls: upstreamTls?.forGateway(g.id),
          upstreamAuth: ctx.host.rpcPasswords,
          site,
          adminCidrs: ctx.host.adminCidrs,
          sshPublicKey: ctx.host.sshPublicKey,
          workloadUpdates: ctx.host.workloadUpdates,
          overlay: ctx.overlayFor?.(g),
        },
        { parent: ctx.parent, dependsOn },
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
