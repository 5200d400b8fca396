/**
 * WireGuard configuration text of one overlay machine: the `wg setconf` format (bare metal, where
 * the interface's address is set with `ip`), and the `wg-quick` format (cloud VMs, kernel WireGuard,
 * systemd `wg-quick@<interface>`). Both carry the private key: the caller keeps them secret.
 */
import type { OverlayMachine, OverlayPlan } from "./plan";

/** What a machine knows about a peer at deploy time. */
export interface PeerKeys {
  publicKey: string;
  /** Public address; unset for a peer whose address is learnt from its first handshake. */
  endpoint?: string;
}

const KEY = /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw480]=$/;

/** True for a base64 WireGuard key (32 bytes). */
export function isWireGuardKey(key: string): boolean {
  return KEY.test(key);
}

function peerSections(
  overlay: OverlayPlan,
  machine: OverlayMachine,
  peers: Readonly<Record<string, PeerKeys>>,
): string[] {
  const byName = new Map(overlay.machines.map((m) => [m.name, m]));
  return machine.peers.flatMap((name) => {
    const peer = byName.get(name);
    const keys = peers[name];
    if (!peer) throw new Error(`${machine.name}: peer ${name} is not in the overlay`);
    if (!keys || !isWireGuardKey(keys.publicKey))
      throw new Error(`${machine.name}: no valid public key for peer ${name}`);
    const endpoint = keys.endpoint ?? peer.endpoint;
    return [
      "",
      `[Peer]`,
      `# ${name} (${peer.operator}; ${[...peer.gateways.map((g) => `gateway ${g}`), ...(peer.monitors ?? []).map((m) => `monitor ${m}`), ...peer.nodes.map((n) => `node ${n}`)].join(", ")})`,
      `PublicKey = ${keys.publicKey}`,
      `AllowedIPs = ${peer.address}/32`,
      ...(endpoint ? [`Endpoint = ${endpoint}:${overlay.listenPort}`] : []),
      `PersistentKeepalive = ${overlay.keepalive}`,
    ];
  });
}

function check(machine: OverlayMachine, privateKey: string): void {
  if (!isWireGuardKey(privateKey)) throw new Error(`${machine.name}: the private key is not a base64 WireGuard key`);
}

/** `wg setconf <interface> <file>` format. */
export function renderWgSetconf(
  overlay: OverlayPlan,
  machine: OverlayMachine,
  privateKey: string,
  peers: Readonly<Record<string, PeerKeys>>,
): string {
  check(machine, privateKey);
  return [
    `# WireGuard overlay of Sovereign, machine ${machine.name} (${machine.address}); rendered by core/overlay/wg-config.ts.`,
    "[Interface]",
    `PrivateKey = ${privateKey}`,
    `ListenPort = ${overlay.listenPort}`,
    ...peerSections(overlay, machine, peers),
    "",
  ].join("\n");
}

/** `wg-quick` format: the same, plus the interface's address and MTU. */
export function renderWgQuick(
  overlay: OverlayPlan,
  machine: OverlayMachine,
  privateKey: string,
  peers: Readonly<Record<string, PeerKeys>>,
): string {
  check(machine, privateKey);
  const prefix = overlay.cidr.split("/")[1];
  return [
    `# WireGuard overlay of Sovereign, machine ${machine.name}; rendered by core/overlay/wg-config.ts.`,
    "[Interface]",
    `PrivateKey = ${privateKey}`,
    `ListenPort = ${overlay.listenPort}`,
    `Address = ${machine.address}/${prefix}`,
    `MTU = ${overlay.mtu}`,
    ...peerSections(overlay, machine, peers),
    "",
  ].join("\n");
}
