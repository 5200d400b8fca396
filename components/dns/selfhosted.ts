import * as pulumi from "@pulumi/pulumi";
import type * as command from "@pulumi/command";
import {
  fqdn,
  renderKnotConfig,
  renderZoneFile,
  rpcRecordSet,
  serverResourceLabel,
  type NameServer,
} from "../../core/dns";
import { remoteCommand, sshConnection, type BareMetalConnection } from "../baremetal/remote";
import { BAREMETAL_ROOT } from "../../core/layout";
import type { Transform } from "../transform";
import type { DnsGateway } from "./types";

/** One self-hosted authoritative server. */
export interface SelfHostedDnsServer {
  /** Its name in the zone's NS records, e.g. `ns1.rpc.example.org`. */
  name: string;
  /** Who runs the machine (counts toward the DNS operators). */
  operator: string;
  /** Public address it answers on. */
  address: string;
  /** @default 53 */
  port?: number;
  /** SSH connection to the machine. */
  connection: BareMetalConnection;
}

export interface SelfHostedRpcZoneArgs {
  /** The zone the servers are authoritative for, e.g. `rpc.example.org` (delegate it to them with NS records). */
  zone: string;
  /** The RPC hostname inside the zone; it may be the zone's apex. */
  hostname: string;
  gateways: DnsGateway[];
  servers: SelfHostedDnsServer[];
  /** @default 30 */
  ttl?: number;
  /**
   * Edit the remote command that writes and serves the zone on each server.
   * @default none
   * @example { server: { triggers: [Date.now()] } }
   */
  transform?: { server?: Transform<command.remote.CommandArgs> };
}

/** Where the zone, the Knot config and its runtime files live on a server (root only). */
export const DNS_DIR = `${BAREMETAL_ROOT}/dns`;

/**
 * The RPC zone on the user's own authoritative servers (Knot DNS, Debian's `knot`): the same zone
 * file, rendered once by core/dns, pushed over SSH to every server, which serves it from its own
 * address. A changed record set reloads the zone in place; destroy stops knotd and removes the files.
 *
 * @example
 * new SelfHostedRpcZone("rpc-ns", {
 *   zone: "rpc.example.org", hostname: "rpc.example.org", gateways,
 *   servers: [{ name: "ns1.rpc.example.org", operator: "hetzner", address: "203.0.113.8", connection }],
 * });
 */
export class SelfHostedRpcZone extends pulumi.ComponentResource {
  /** The zone file every server serves. */
  readonly zoneFile: pulumi.Output<string>;
  readonly nameservers: NameServer[];

  constructor(name: string, args: SelfHostedRpcZoneArgs, opts?: pulumi.ComponentResourceOptions) {
    super("sovereign:dns:SelfHostedRpcZone", name, {}, opts);
    if (args.servers.length === 0) throw new Error(`${name}: a self-hosted zone needs at least one server`);
    const zone = fqdn(args.zone, "dns.zone");
    this.nameservers = args.servers.map((s) => ({ name: s.name, address: s.address }));
    this.zoneFile = pulumi.all(args.gateways.map((g) => g.address)).apply((addresses) =>
      renderZoneFile({
        zone,
        nameservers: this.nameservers,
        records: [
          rpcRecordSet(
            args.hostname,
            args.gateways.map((g, i) => ({ id: g.id, address: addresses[i] })),
            args.ttl,
          ),
        ],
      }),
    );
    for (const s of args.servers) {
      const knot = renderKnotConfig({ zone, listen: { address: s.address, port: s.port ?? 53 }, dir: DNS_DIR });
      remoteCommand(
        args.transform?.server,
        `${name}-${serverResourceLabel(s.name)}`,
        {
          connection: sshConnection(s.connection),
          create: "sh -s",
          // A changed record set is an update (reload in place), never a replacement: no triggers.
          update: "sh -s",
          stdin: this.zoneFile.apply((text) =>
            knotServeScript({ dir: DNS_DIR, zone, address: s.address, knotConfig: knot, zoneFile: text }),
          ),
          delete: knotStopScript(DNS_DIR),
          logging: "stdoutAndStderr",
        },
        { parent: this },
      );
    }
    this.registerOutputs({ zoneFile: this.zoneFile });
  }
}

/**
 * Writes the Knot config and zone into `dir` and serves them: a running knotd reloads, else one is
 * started; it ends once knotd serves the zone (with its serial), or fails with knotd's log.
 */
export function knotServeScript(input: {
  dir: string;
  zone: string;
  /** The server's address, named in the error. */
  address: string;
  knotConfig: string;
  zoneFile: string;
}): string {
  const { dir, zone } = input;
  const conf = `${dir}/knot.conf`;
  const zonePath = `${dir}/${zone}zone`;
  const b64 = (text: string) => Buffer.from(text).toString("base64");
  return [
    "set -eu",
    `install -d -m 0700 '${dir}'`,
    `printf '%s' '${b64(input.knotConfig)}' | base64 -d > '${conf}'`,
    `printf '%s' '${b64(input.zoneFile)}' | base64 -d > '${zonePath}.new' && mv '${zonePath}.new' '${zonePath}'`,
    `knotc -c '${conf}' conf-check >/dev/null`,
    `if knotc -c '${conf}' status >/dev/null 2>&1; then knotc -c '${conf}' reload >/dev/null; knotc -c '${conf}' zone-reload ${zone} >/dev/null`,
    `else knotd -c '${conf}' -d </dev/null >>'${dir}/knot.log' 2>&1; fi`,
    // Served once knotd has loaded it (it reports the zone's serial).
    `for i in $(seq 50); do knotc -c '${conf}' zone-status ${zone} 2>/dev/null | grep -q 'serial: [1-9]' && exit 0; sleep 0.2; done`,
    `echo "knotd on ${input.address} did not load ${zone}: $(tail -n 5 '${dir}/knot.log')" >&2; exit 1`,
    "",
  ].join("\n");
}

/**
 * Stops the knotd of `dir` and removes `dir`. knotd keeps writing into `dir` (timer database, log,
 * pid file) until its process has ended, so the script waits for the process itself, not for the
 * pid file (removing the directory while knotd still wrote into it failed: "Directory not empty").
 */
export function knotStopScript(dir: string): string {
  return [
    `pid=$(cat '${dir}/knot.pid' 2>/dev/null || true)`,
    `knotc -c '${dir}/knot.conf' stop >/dev/null 2>&1 || true`,
    // Only while that pid is still a knotd: a recycled pid is someone else's process.
    // A zombie (no init to reap it, as in some containers) has ended: it writes nothing.
    'alive() { [ -n "$pid" ] && case "$(cat /proc/$pid/stat 2>/dev/null)" in *"(knotd) Z"*) false ;; *"(knotd) "*) true ;; *) false ;; esac; }',
    "for i in $(seq 100); do alive || break; sleep 0.1; done",
    'if alive; then kill -9 "$pid"; for i in $(seq 50); do alive || break; sleep 0.1; done; fi',
    `rm -rf '${dir}'`,
    "",
  ].join("\n");
}
