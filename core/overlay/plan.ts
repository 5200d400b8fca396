/**
 * The private overlay between the access layer and the nodes: a WireGuard network among the fleet's
 * machines. Gateways peer with every machine; a machine that only runs nodes peers with the gateways
 * alone (nodes talk to each other over their public P2P ports, never over the overlay). Pure data:
 * the components turn it into keys, interfaces and firewall rules.
 */
import { OUTSIDE_OVERLAY } from "../catalog/schema";
import type { Plan } from "../plan";
import { assignAddresses, parseOverlayCidr } from "./addresses";
import { present } from "../present";

/** Defaults of the overlay, shared by the planner of the overlay and the components. */
export const OVERLAY_DEFAULTS = {
  /** Carrier-grade NAT space: unlikely to meet a VPC, a VNet or a home network. */
  cidr: "100.72.0.0/16",
  listenPort: 51820,
  interface: "sovwg0",
  /** Room for the WireGuard header inside a 1500-byte path. */
  mtu: 1420,
  /** Seconds between keepalives, so a NAT-ed machine stays reachable. */
  keepalive: 25,
} as const;

export interface OverlayOptions {
  /** IPv4 CIDR the overlay addresses come from. @default "100.72.0.0/16" */
  cidr?: string;
  /** UDP port WireGuard listens on, on every machine. @default 51820 */
  listenPort?: number;
  /** Interface name (at most 15 characters). @default "sovwg0" */
  interface?: string;
  /** Addresses the deployed stack uses, by machine name: kept as they are. @default {} */
  previous?: Record<string, string>;
}

/** Where a machine runs: a bare-metal host (several nodes may share it) or one cloud VM. */
export type MachineKind = "host" | "vm";

export interface OverlayMachine {
  /** Bare-metal host name, or the node or gateway id of a cloud VM. */
  name: string;
  kind: MachineKind;
  provider: string;
  operator: string;
  /** Overlay address of the machine. */
  address: string;
  /** Public address WireGuard is reached at, when the plan knows it (bare metal); cloud VMs learn it at deploy. */
  endpoint?: string;
  /** Node ids running on the machine. */
  nodes: string[];
  /** Gateway ids running on the machine. */
  gateways: string[];
  /** Monitor ids running on the machine; absent when none. Monitors peer with every machine, as gateways do. */
  monitors?: string[];
  /** Names of the machines it peers with. */
  peers: string[];
}

export interface OverlayPlan {
  cidr: string;
  listenPort: number;
  interface: string;
  mtu: number;
  keepalive: number;
  machines: OverlayMachine[];
}

/** The machine each node and gateway of the plan runs on. */
export function machineName(item: { id: string; host?: string }): string {
  return item.host ?? item.id;
}

/** The overlay of a plan: every machine that runs a node or a gateway, with its address and peers. */
export function planOverlay(
  plan: Pick<Plan, "nodes" | "gateways" | "hosts" | "monitors">,
  options: OverlayOptions = {},
): OverlayPlan {
  const cidr = parseOverlayCidr(options.cidr ?? OVERLAY_DEFAULTS.cidr);
  const listenPort = options.listenPort ?? OVERLAY_DEFAULTS.listenPort;
  if (!Number.isInteger(listenPort) || listenPort < 1 || listenPort > 65535) {
    throw new Error(`overlay.listenPort: ${listenPort} is not a UDP port (1-65535)`);
  }
  const iface = options.interface ?? OVERLAY_DEFAULTS.interface;
  if (!/^[a-zA-Z0-9_-]{1,15}$/.test(iface))
    throw new Error(`overlay.interface: '${iface}' is not an interface name (1-15 letters, digits, _ or -)`);

  const hosts = new Map(plan.hosts.map((h) => [h.name, h]));
  const machines = new Map<string, Omit<OverlayMachine, "address" | "peers"> & { monitors: string[] }>();
  const add = (
    item: { id: string; host?: string; provider: string; operator: string },
    field: "nodes" | "gateways" | "monitors",
  ) => {
    const name = machineName(item);
    let m = machines.get(name);
    if (!m) {
      const host = item.host ? hosts.get(item.host) : undefined;
      if (item.host && !host) throw new Error(`${item.id}: host ${item.host} is not in the plan's hosts`);
      m = {
        name,
        kind: item.host ? "host" : "vm",
        provider: item.provider,
        operator: item.operator,
        endpoint: host?.address,
        nodes: [],
        gateways: [],
        monitors: [],
      };
      machines.set(name, m);
    }
    m[field].push(item.id);
  };
  for (const n of plan.nodes) if (!OUTSIDE_OVERLAY.has(n.provider)) add(n, "nodes");
  for (const g of plan.gateways) add(g, "gateways");
  for (const m of plan.monitors ?? []) add(m, "monitors");

  const addresses = assignAddresses(cidr, [...machines.keys()], options.previous);
  const all = [...machines.values()].sort((a, b) => a.name.localeCompare(b.name));
  // Gateways dial every node and monitors scrape every machine: they peer with all; nodes only with them.
  const isGateway = (m: { gateways: string[]; monitors?: string[] }) => m.gateways.length > 0 || !!m.monitors?.length;
  return {
    cidr: cidr.text,
    listenPort,
    interface: iface,
    mtu: OVERLAY_DEFAULTS.mtu,
    keepalive: OVERLAY_DEFAULTS.keepalive,
    machines: all.map(({ monitors, ...m }) => ({
      ...m,
      nodes: [...m.nodes].sort(),
      gateways: [...m.gateways].sort(),
      ...(monitors.length ? { monitors: [...monitors].sort() } : {}),
      address: present(addresses.get(m.name), `overlay address of ${m.name}`),
      // `m` without its monitors here: a monitor's machine that also runs nodes peers with all too.
      peers: all.filter((o) => o.name !== m.name && (isGateway({ ...m, monitors }) || isGateway(o))).map((o) => o.name),
    })),
  };
}

/** The overlay machine a node, gateway or monitor runs on. */
export function machineOf(overlay: OverlayPlan, id: string): OverlayMachine {
  const m = overlay.machines.find((x) => x.nodes.includes(id) || x.gateways.includes(id) || x.monitors?.includes(id));
  if (!m) throw new Error(`${id} runs on no machine of the overlay`);
  return m;
}

/**
 * Sources allowed to reach node RPC ports: the gateways' overlay addresses (they serve it) and the
 * monitors' (they probe it), as /32 CIDRs.
 */
export function gatewaySources(overlay: OverlayPlan): string[] {
  return overlay.machines.filter((m) => m.gateways.length > 0 || m.monitors?.length).map((m) => `${m.address}/32`);
}
