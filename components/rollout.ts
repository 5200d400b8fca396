/**
 * Rolling upgrades on bare metal (`Plan.rollout`, core/rollout): when a node's workload changes
 * (image, command, config), its nodes restart wave by wave. Each node of a wave is first drained at
 * every bare-metal gateway of its chain (HAProxy's stats page, from the gateway's host: no new
 * requests, in-flight ones finish), then restarts in place with its data (BareMetalHost's start
 * waits for the drains: NodeRolloutGate), then must pass the health bar (templates/rollout/health.sh,
 * from a gateway's host), then is put back; the next wave's drains wait for that. A node that misses
 * the health bar fails the update naming itself and the check; later waves never start, so their
 * nodes keep the old release, and the next `pulumi up` continues from the failed node.
 */
import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import { haproxyBackendName } from "../core/gateway/haproxy";
import { baremetalPaths } from "../core/layout/baremetal";
import type { PlannedGateway } from "../core/plan";
import { gatewayStateScript, healthScript, type RolloutGateway } from "../core/rollout/scripts";
import { rpcKind } from "../core/rpc-kinds";
import type { Workload } from "../core/workload/render";
import type { FleetContext } from "./hosts";
import type { NodeHostOutputs, NodeRolloutGate } from "./node-host";
import { hostConnection } from "./baremetal/binding";
import { remoteCommand, sshConnection } from "./baremetal/remote";
import type { Transform } from "./transform";
import { present } from "../core/present";

/** Edit the rollout's children. @default none */
export interface FleetRolloutTransform {
  /** `<fleet>-<node>-drain-<gateway>` and `<fleet>-<node>-ready-<gateway>`: the node's state at a gateway. */
  gatewayState?: Transform<command.remote.CommandArgs>;
  /** `<fleet>-<node>-health`: the health bar, from the first gateway's host. */
  health?: Transform<command.remote.CommandArgs>;
}

interface Deferred {
  promise: Promise<pulumi.Resource[]>;
  resolve(value: pulumi.Resource[]): void;
}
const deferred = (): Deferred => {
  let resolve!: (value: pulumi.Resource[]) => void;
  const promise = new Promise<pulumi.Resource[]>((r) => (resolve = r));
  return { promise, resolve };
};

/** A node's place in its chain's rollout. */
interface Slot {
  chainKey: string;
  wave: number;
}

/**
 * The Fleet's rollout: `before(node)` (the gate BareMetalHost's start waits on) creates the node's
 * drains, after the previous wave is back; `finish(hosts)` adds each node's health bar and its
 * return to the gateways once every host exists. Chains no bare-metal gateway serves get no gate.
 */
export class FleetRollout implements NodeRolloutGate {
  private readonly slots = new Map<string, Slot>();
  /** Per chain key, per wave (0-based): resolves with the resources that end the wave. */
  private readonly waves = new Map<string, Deferred[]>();
  private readonly gateways = new Map<string, PlannedGateway[]>();

  constructor(
    private readonly ctx: FleetContext,
    private readonly options: { metrics?: string; transform?: FleetRolloutTransform },
  ) {
    for (const [chainKey, rollout] of Object.entries(ctx.plan.rollout ?? {})) {
      const gateways = ctx.plan.gateways.filter((g) => g.provider === "baremetal" && g.chains.includes(chainKey));
      if (!gateways.length) continue;
      if (rollout.settings.onFailure === "rollback")
        throw new pulumi.RunError(
          `${chainKey}: rollout.onFailure rollback is not available on bare metal yet (docs/deploy.md); use stop`,
        );
      this.gateways.set(chainKey, gateways);
      this.waves.set(chainKey, rollout.waves.map(deferred));
      for (const w of rollout.waves) for (const id of w.nodes) this.slots.set(id, { chainKey, wave: w.wave - 1 });
    }
  }

  before(nodeId: string): Promise<pulumi.Resource[]> {
    const slot = this.slots.get(nodeId);
    if (!slot) return Promise.resolve([]);
    const previous =
      slot.wave > 0
        ? present(this.waves.get(slot.chainKey), `${slot.chainKey}'s waves`)[slot.wave - 1].promise
        : Promise.resolve([]);
    return Promise.resolve(
      present(this.gateways.get(slot.chainKey), `${slot.chainKey}'s gateways`).map((g) =>
        this.gatewayState(nodeId, g, "drain", previous),
      ),
    );
  }

  /** Each gated node's health bar and return to the gateways; ends every wave (call once, after the hosts). */
  finish(hosts: Record<string, NodeHostOutputs & { started?: pulumi.Resource }>): void {
    const ends = new Map<string, pulumi.Resource[][]>();
    for (const [nodeId, slot] of this.slots) {
      const host = hosts[nodeId];
      const waves = ends.get(slot.chainKey) ?? [];
      ends.set(slot.chainKey, waves);
      waves[slot.wave] ??= [];
      if (!host?.started) continue;
      const health = this.health(nodeId, slot.chainKey, hosts, host.started);
      const ready = present(this.gateways.get(slot.chainKey), `${slot.chainKey}'s gateways`).map((g) =>
        this.gatewayState(nodeId, g, "ready", [health]),
      );
      waves[slot.wave].push(...ready);
    }
    for (const [chainKey, deferreds] of this.waves)
      deferreds.forEach((d, i) => d.resolve(ends.get(chainKey)?.[i] ?? []));
  }

  /** What marks a node's release: its rendered workload (image, command, config); a change reruns its steps. */
  private release(nodeId: string): string {
    const w: Workload | undefined = this.ctx.workloads.get(nodeId);
    return createHash("sha256")
      .update(JSON.stringify(w ?? nodeId))
      .digest("hex");
  }

  private connection(g: PlannedGateway) {
    const host = present(
      this.ctx.plan.hosts.find((h) => h.name === g.host),
      `gateway host ${g.host}`,
    );
    return sshConnection(hostConnection(host, present(this.ctx.options.baremetal, "FleetArgs.baremetal")));
  }

  private target(g: PlannedGateway, chainKey: string): RolloutGateway {
    const paths = baremetalPaths(this.ctx.plan.fleet, g.id);
    const chain = this.ctx.catalog.chains.get(chainKey.split("/")[0]);
    const basic = rpcKind(chain?.rpc.kind ?? "evm").auth === "basic";
    return {
      id: g.id,
      container: `${paths.project}-gateway`,
      metrics: this.options.metrics ?? "127.0.0.1:8405",
      backend: haproxyBackendName("rpc", chainKey),
      backends: (["rpc", "ws"] as const).map((traffic) => haproxyBackendName(traffic, chainKey)),
      authFile: basic ? `${paths.configRoot}/${g.id}/haproxy/upstream-auth.map` : "",
    };
  }

  private gatewayState(
    nodeId: string,
    g: PlannedGateway,
    action: "drain" | "ready",
    after: pulumi.Input<pulumi.Resource[]>,
  ): command.remote.Command {
    const chainKey = present(this.slots.get(nodeId), `${nodeId}'s rollout slot`).chainKey;
    return remoteCommand(
      this.options.transform?.gatewayState,
      `${this.ctx.name}-${nodeId}-${action}-${g.id}`,
      {
        connection: this.connection(g),
        // The script on stdin: a failure then names the node and the check, not the whole script.
        create: "sh -s",
        stdin: gatewayStateScript(this.target(g, chainKey), nodeId, action),
        triggers: [this.release(nodeId)],
        logging: "stdoutAndStderr",
      },
      { parent: this.ctx.parent, dependsOn: after },
    );
  }

  private health(
    nodeId: string,
    chainKey: string,
    hosts: Record<string, NodeHostOutputs>,
    started: pulumi.Resource,
  ): command.remote.Command {
    const [g] = present(this.gateways.get(chainKey), `${chainKey}'s gateways`);
    const rollout = present(this.ctx.plan.rollout, "the plan's rollout")[chainKey];
    const node = present(
      this.ctx.plan.nodes.find((n) => n.id === nodeId),
      `node ${nodeId}`,
    );
    const kind = this.ctx.catalog.chains.get(node.chain)?.rpc.kind ?? "evm";
    // What the gateways dial: the overlay address when there is one; nodes behind mTLS are not asked.
    const urlOf = (id: string) =>
      hosts[id]?.mtlsRpcEndpoint ? pulumi.output("") : (hosts[id]?.overlayRpcEndpoint ?? hosts[id]?.rpcEndpoint);
    const peers = this.ctx.plan.nodes.filter((n) => n.chainKey === chainKey && n.id !== nodeId).map((n) => urlOf(n.id));
    const script = pulumi.all([urlOf(nodeId), pulumi.all(peers)]).apply(([url, peerUrls]) =>
      healthScript({
        gateway: this.target(g, chainKey),
        node: nodeId,
        chain: chainKey,
        kind,
        url: url ?? "",
        peers: peerUrls.filter((u): u is string => !!u),
        settings: rollout.settings,
      }),
    );
    return remoteCommand(
      this.options.transform?.health,
      `${this.ctx.name}-${nodeId}-health`,
      {
        connection: this.connection(g),
        create: "sh -s",
        stdin: script,
        triggers: [this.release(nodeId)],
        logging: "stdoutAndStderr",
      },
      { parent: this.ctx.parent, dependsOn: [started] },
    );
  }
}
