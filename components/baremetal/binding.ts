/**
 * How a Fleet deploys its bare-metal nodes: port offsets per host (kept for deployed nodes), the
 * SSH key per host, and the preflight checks (key given, host keys pinned).
 */
import * as pulumi from "@pulumi/pulumi";
import type { PlannedHost, PlannedNode } from "../../core/plan";
import { baremetalPortOffsets, baremetalWorkloadOptions } from "../../core/workload/baremetal";
import type { WorkloadOptions } from "../../core/workload/render";
import type { FleetContext, GatewaySite, HostBinding } from "../hosts";
import { BareMetalHost, type BareMetalConnection } from "./host";
import { present } from "../../core/present";

/** Options of the bare-metal binding (FleetArgs.baremetal). */
export interface BareMetalFleetOptions {
  /** Private key for every host, or per host name. Pass secrets. */
  privateKey: pulumi.Input<string> | Record<string, pulumi.Input<string>>;
  /** Deploy to hosts whose `ssh.hostKey` is not in the spec (anyone in the path could pose as them). @default false */
  acceptUnknownHostKeys?: boolean;
  /** @default 10 */
  dialErrorLimit?: number;
  /** @default 15 */
  perDialTimeout?: number;
  /** @default 300 */
  healthTimeoutSeconds?: number;
  /**
   * Added to the RPC and private host ports of every node of this fleet, so another fleet's nodes on
   * the same hosts keep theirs (e.g. 100 for `staging` beside `prod`). P2P ports never move.
   * @default 0
   */
  portOffset?: number;
  /**
   * The host port offsets the deployed nodes have now (the stack's last `nodes` output): they keep
   * them whatever nodes are added. @default {} (offsets from numeric id order)
   */
  deployedPortOffsets?: Record<string, number>;
}

declare module "../hosts" {
  interface FleetProviderOptions {
    /** Bare-metal options: the SSH key for the hosts, dial and health timeouts, port offsets. @default none; required when the plan has bare-metal nodes */
    baremetal?: BareMetalFleetOptions;
  }
}

export const baremetalBinding: HostBinding = {
  preflight(_nodes, ctx) {
    const problems: string[] = [];
    const options = ctx.options.baremetal;
    if (!options?.privateKey)
      problems.push(
        "the plan places nodes or gateways on bare-metal hosts: set their SSH key as a secret: pulumi config set --secret sovereign:sshPrivateKey < ~/.ssh/id_ed25519",
      );
    const unpinned = ctx.plan.hosts.filter((h) => !h.ssh.hostKey).map((h) => h.name);
    if (unpinned.length && !options?.acceptUnknownHostKeys) {
      problems.push(
        `bare-metal host(s) ${unpinned.join(", ")} have no ssh.hostKey in the spec, so anyone in the network path could pose as them and receive the node's secrets: add it (ssh-keyscan -t ed25519 <address>), or set sovereign:sshAcceptUnknownHostKeys true`,
      );
    }
    const base = options?.portOffset ?? 0;
    if (!Number.isInteger(base) || base < 0)
      problems.push(`baremetal.portOffset must be a whole number >= 0, got ${base}`);
    return problems;
  },

  workloadOptions(nodes, ctx) {
    const offsets = portOffsets(nodes, ctx);
    return Object.fromEntries(
      nodes.map((n): [string, WorkloadOptions] => [
        n.id,
        baremetalWorkloadOptions(
          ctx.plan.fleet,
          n.id,
          present(offsets.get(n.id), `${n.id}'s port offset`),
          ctx.host.workload,
        ),
      ]),
    );
  },

  deploy(nodes, ctx) {
    const options = ctx.options.baremetal;
    if (!options?.privateKey)
      throw new Error(
        "bare-metal nodes need an SSH private key: pulumi config set --secret sovereign:sshPrivateKey < ~/.ssh/id_ed25519",
      );
    const hosts = new Map<string, PlannedHost>(ctx.plan.hosts.map((h) => [h.name, h]));
    return Object.fromEntries(
      nodes.map((node) => {
        const host = hosts.get(node.host ?? "");
        if (!host) throw new Error(`${node.id}: host ${node.host} is not in the plan's hosts`);
        const rendered = ctx.workloads.get(node.id);
        return [
          node.id,
          new BareMetalHost(
            `${ctx.name}-${node.id}`,
            {
              ...ctx.host,
              node,
              rendered,
              overlay: ctx.overlayFor?.(node),
              connection: hostConnection(host, options),
              healthTimeoutSeconds: options.healthTimeoutSeconds,
              hostPortOffset: rendered?.hostPortOffset ?? portOffsets([node], ctx).get(node.id),
            },
            { parent: ctx.parent },
          ),
        ];
      }),
    );
  },

  gatewaySite(gateway, ctx) {
    const options = ctx.options.baremetal;
    const host = ctx.plan.hosts.find((h) => h.name === gateway.host);
    if (!host) throw new Error(`${gateway.id}: host ${gateway.host} is not in the plan's hosts`);
    if (!options?.privateKey)
      throw new Error(
        `${gateway.id} runs on bare-metal host ${host.name}: pulumi config set --secret sovereign:sshPrivateKey < ~/.ssh/id_ed25519`,
      );
    return baremetalGatewaySite(hostConnection(host, options), options.healthTimeoutSeconds);
  },
};

/**
 * A gateway on an SSH host (RpcGatewayArgs.site): a BareMetalHost claims its ports, uploads its
 * files, loads its nftables table and starts it, named by fleet and gateway like a node.
 */
export function baremetalGatewaySite(connection: BareMetalConnection, healthTimeoutSeconds = 120): GatewaySite {
  return {
    provider: "baremetal",
    disk: { class: "host", sizeGb: 0, local: true },
    workloadOptions: (fleet, gatewayId) => baremetalWorkloadOptions(fleet, gatewayId, 0),
    // The Overlay component brings a bare-metal host's interface up over SSH: the gateway's host
    // firewall has no overlay rule of its own.
    host: (name, { overlay: _overlay, ...args }, opts) =>
      new BareMetalHost(name, { healthTimeoutSeconds, connection, ...args }, opts),
  };
}

/** Host port offsets of the nodes: per host, deployed nodes keep theirs; plus the fleet's portOffset. */
function portOffsets(nodes: PlannedNode[], ctx: FleetContext): Map<string, number> {
  const options = ctx.options.baremetal;
  return baremetalPortOffsets(nodes, ctx.catalog, {
    base: options?.portOffset,
    deployed: options?.deployedPortOffsets,
  });
}

/** The SSH connection to a planned host, with the key and dial options of the Fleet's bare-metal options. */
export function hostConnection(host: PlannedHost, options: BareMetalFleetOptions): BareMetalConnection {
  const key = keyFor(options.privateKey, host.name);
  if (key === undefined) throw new Error(`no SSH private key for host ${host.name}`);
  return {
    host: host.address,
    port: host.ssh.port,
    user: host.ssh.user,
    hostKey: host.ssh.hostKey,
    privateKey: key,
    dialErrorLimit: options.dialErrorLimit,
    perDialTimeout: options.perDialTimeout,
  };
}

function keyFor(privateKey: BareMetalFleetOptions["privateKey"], host: string): pulumi.Input<string> | undefined {
  const perHost =
    typeof privateKey === "object" && !pulumi.Output.isInstance(privateKey) && !(privateKey instanceof Promise);
  return perHost ? (privateKey as Record<string, pulumi.Input<string>>)[host] : (privateKey as pulumi.Input<string>);
}
