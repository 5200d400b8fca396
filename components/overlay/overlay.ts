import * as pulumi from "@pulumi/pulumi";
import { renderWgQuick, type OverlayPlan, type PeerKeys } from "../../core/overlay";
import type { BareMetalConnection } from "../baremetal/host";
import { BareMetalWireGuard, type BareMetalWireGuardArgs } from "./baremetal";
import { WireGuardKey, type WireGuardKeyArgs } from "./key";

export interface OverlayArgs {
  /** The fleet's overlay (`planOverlay(plan)`): machines, addresses, peers. */
  overlay: OverlayPlan;
  /** SSH connections of the bare-metal machines, by host name. @default {} (no bare-metal machine) */
  connections?: Record<string, BareMetalConnection>;
  /**
   * Public addresses of cloud VMs, by machine name, once known. A peer with no known address gets no
   * `Endpoint`: it is learnt from its first handshake, so one side of each pair must know the other.
   * @default {} (bare-metal hosts' addresses come from the plan)
   */
  endpoints?: Record<string, pulumi.Input<string>>;
  /** wireguard-go on the bare-metal hosts (see BareMetalWireGuardArgs.wireguardGo). @default "wireguard-go" */
  wireguardGo?: string;
  /**
   * Edit the children: every machine's key command, every bare-metal interface command.
   * @default none
   * @example { baremetal: { up: (args) => { args.triggers = [Date.now()]; } } }
   */
  transform?: { key?: WireGuardKeyArgs["transform"]; baremetal?: BareMetalWireGuardArgs["transform"] };
}

/**
 * The private WireGuard overlay among the fleet's machines: one key pair per machine (Pulumi
 * secrets), the interface brought up over SSH on every bare-metal host, and the `wg-quick`
 * configuration of every cloud VM for its cloud-init (kernel WireGuard, `wg-quick@<interface>`).
 *
 * @example
 * const overlay = new Overlay("lab-overlay", {
 *   overlay: planOverlay(plan),
 *   connections: { h4: { host: "10.77.0.14", privateKey: sshKey } },
 * });
 * const userData = overlay.cloudConfig("devnet-2-aws-us-east-1"); // secret wg-quick text
 */
export class Overlay extends pulumi.ComponentResource {
  readonly plan: OverlayPlan;
  /** Public keys by machine name. */
  readonly publicKeys: Record<string, pulumi.Output<string>>;
  /** The bare-metal interfaces, by host name. */
  readonly interfaces: Record<string, BareMetalWireGuard>;
  private readonly keys: Record<string, WireGuardKey>;
  private readonly endpoints: Record<string, pulumi.Input<string>>;

  constructor(name: string, args: OverlayArgs, opts?: pulumi.ComponentResourceOptions) {
    super("sovereign:overlay:Overlay", name, {}, opts);
    this.plan = args.overlay;
    this.endpoints = args.endpoints ?? {};
    this.keys = Object.fromEntries(
      args.overlay.machines.map((m) => [
        m.name,
        new WireGuardKey(`${name}-${m.name}-key`, { transform: args.transform?.key }, { parent: this }),
      ]),
    );
    this.publicKeys = Object.fromEntries(Object.entries(this.keys).map(([m, k]) => [m, k.publicKey]));
    this.interfaces = {};
    for (const m of args.overlay.machines.filter((x) => x.kind === "host")) {
      const connection = args.connections?.[m.name];
      if (!connection)
        throw new Error(`${name}: no SSH connection for bare-metal host ${m.name} (OverlayArgs.connections.${m.name})`);
      this.interfaces[m.name] = new BareMetalWireGuard(
        `${name}-${m.name}`,
        {
          overlay: args.overlay,
          machine: m.name,
          connection,
          privateKey: this.keys[m.name].privateKey,
          peers: this.peerKeys(m.name),
          wireguardGo: args.wireguardGo,
          transform: args.transform?.baremetal,
        },
        { parent: this },
      );
    }
    this.registerOutputs({ publicKeys: this.publicKeys });
  }

  /** What `machine` needs to know of its peers: public keys and the endpoints known so far. */
  peerKeys(
    machine: string,
    extraEndpoints: Record<string, pulumi.Input<string>> = {},
  ): pulumi.Output<Record<string, PeerKeys>> {
    const m = this.machine(machine);
    const endpoints = { ...this.endpoints, ...extraEndpoints };
    return pulumi
      .all(Object.fromEntries(m.peers.map((p) => [p, pulumi.all([this.keys[p].publicKey, endpoints[p]])])))
      .apply((byPeer) =>
        Object.fromEntries(
          Object.entries(byPeer).map(([p, [publicKey, endpoint]]) => [
            p,
            endpoint === undefined ? { publicKey } : { publicKey, endpoint },
          ]),
        ),
      );
  }

  /**
   * The `wg-quick` configuration of a cloud VM (a secret: it holds the private key), for its
   * cloud-init. Pass the public addresses of peers created before it (e.g. nodes, for a gateway).
   */
  cloudConfig(machine: string, endpoints: Record<string, pulumi.Input<string>> = {}): pulumi.Output<string> {
    const m = this.machine(machine);
    return pulumi.secret(
      pulumi
        .all([this.keys[machine].privateKey, this.peerKeys(machine, endpoints)])
        .apply(([key, peers]) => renderWgQuick(this.plan, m, key, peers)),
    );
  }

  private machine(name: string) {
    const m = this.plan.machines.find((x) => x.name === name);
    if (!m) throw new Error(`machine ${name} is not in the overlay`);
    return m;
  }
}
