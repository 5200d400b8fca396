import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import { renderWgSetconf, type OverlayPlan, type PeerKeys } from "../../core/overlay";
import { remoteCommand, sshConnection, type BareMetalConnection } from "../baremetal/remote";
import { BAREMETAL_ROOT } from "../../core/layout";
import { type Transform } from "../transform";

export interface BareMetalWireGuardArgs {
  /** The fleet's overlay (`planOverlay(plan)`). */
  overlay: OverlayPlan;
  /** Name of the machine in the overlay (the bare-metal host's name). */
  machine: string;
  /** SSH connection to the host. */
  connection: BareMetalConnection;
  /** The machine's private key (a secret; `WireGuardKey.privateKey`). */
  privateKey: pulumi.Input<string>;
  /** Public keys (and endpoints learnt at deploy) of the machine's peers, by machine name. */
  peers: pulumi.Input<Record<string, PeerKeys>>;
  /**
   * The userspace implementation to start when the host's kernel has no WireGuard module.
   * @default "wireguard-go" (found on the host's PATH)
   * @example "/opt/wireguard-go/bin/wireguard-go"
   */
  wireguardGo?: string;
  /**
   * Edit the args of the remote command that brings the interface up.
   * @default none
   * @example { up: { triggers: [rotation] } }
   */
  transform?: { up?: Transform<command.remote.CommandArgs> };
}

/** Where the machine's WireGuard configuration lives on the host (mode 0600, root only). */
export const OVERLAY_DIR = `${BAREMETAL_ROOT}/overlay`;

/**
 * The overlay interface of a bare-metal host, over SSH: kernel WireGuard when the host has the
 * module, else wireguard-go (userspace, over /dev/net/tun); then `wg syncconf` with the rendered
 * peers (live sessions survive a peer change) and the overlay address. The configuration, with the
 * private key, travels in stdin, which Pulumi keeps secret. Destroy removes the interface (which
 * also ends wireguard-go) and the file.
 *
 * @example
 * new BareMetalWireGuard("fleet-h4-wg", {
 *   overlay, machine: "h4", connection: { host: "203.0.113.4", privateKey: sshKey },
 *   privateKey: key.privateKey, peers: { h6: { publicKey: h6Key.publicKey } },
 * });
 */
export class BareMetalWireGuard extends pulumi.ComponentResource {
  /** The machine's overlay address. */
  readonly address: string;

  constructor(name: string, args: BareMetalWireGuardArgs, opts?: pulumi.ComponentResourceOptions) {
    super("sovereign:overlay:BareMetalWireGuard", name, {}, opts);
    const machine = args.overlay.machines.find((m) => m.name === args.machine);
    if (!machine)
      throw new Error(
        `${name}: machine ${args.machine} is not in the overlay (machines: ${args.overlay.machines.map((m) => m.name).join(", ")})`,
      );
    const wireguardGo = args.wireguardGo ?? "wireguard-go";
    if (!/^[\w./-]+$/.test(wireguardGo)) throw new Error(`${name}: wireguardGo '${wireguardGo}' must be a plain path`);
    const connection = sshConnection(args.connection);
    const o = args.overlay;
    const iface = o.interface;
    const conf = `${OVERLAY_DIR}/${iface}.conf`;
    const script = pulumi.secret(
      pulumi.all([args.privateKey, args.peers]).apply(([key, peers]) =>
        [
          "set -eu",
          "umask 077",
          `install -d -m 0700 '${OVERLAY_DIR}'`,
          `printf '%s' '${Buffer.from(renderWgSetconf(o, machine, key.trim(), peers)).toString("base64")}' | base64 -d > '${conf}.new'`,
          `mv '${conf}.new' '${conf}'`,
          `if ! ip link show dev ${iface} >/dev/null 2>&1; then`,
          `  if ip link add dev ${iface} type wireguard 2>/dev/null; then echo "${iface}: kernel WireGuard"`,
          `  elif command -v '${wireguardGo}' >/dev/null; then`,
          // Its log must not hold the SSH session's stdout open, or the command never ends.
          `    '${wireguardGo}' ${iface} </dev/null >>'${OVERLAY_DIR}/wireguard-go.log' 2>&1`,
          `    echo "${iface}: wireguard-go (no WireGuard module in this kernel)"`,
          `  else echo "${iface}: this kernel has no WireGuard module and ${wireguardGo} is not installed: install wireguard-go or load the wireguard module" >&2; exit 1`,
          "  fi",
          "fi",
          `wg syncconf ${iface} '${conf}'`,
          `ip address replace ${machine.address}/${o.cidr.split("/")[1]} dev ${iface}`,
          `ip link set dev ${iface} mtu ${o.mtu} up`,
          `wg show ${iface} listen-port`,
          "",
        ].join("\n"),
      ),
    );
    remoteCommand(
      args.transform?.up,
      `${name}-up`,
      {
        connection,
        create: "sh -s",
        update: "sh -s",
        stdin: script,
        delete: `ip link del dev ${iface} 2>/dev/null || true; rm -f '${conf}' '${OVERLAY_DIR}/wireguard-go.log'; rmdir '${OVERLAY_DIR}' 2>/dev/null || true`,
        logging: "stdoutAndStderr",
      },
      { parent: this },
    );
    this.address = machine.address;
    this.registerOutputs({ address: this.address });
  }
}
