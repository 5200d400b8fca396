import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import {
  fqdn,
  renderKnotConfig,
  renderZoneFile,
  rpcRecordSet,
  serverResourceLabel,
  type NameServer,
} from "../../core/dns";
import { type BareMetalConnection } from "../baremetal/host";
import { BAREMETAL_ROOT } from "../../core/layout";
import { transform, type Transform } from "../transform";
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
    const conf = `${DNS_DIR}/knot.conf`;
    const zonePath = `${DNS_DIR}/${zone}zone`;
    for (const s of args.servers) {
      const c = s.connection;
      const knot = renderKnotConfig({ zone, listen: { address: s.address, port: s.port ?? 53 }, dir: DNS_DIR });
      const script = this.zoneFile.apply((text) =>
        [
          "set -eu",
          `install -d -m 0700 '${DNS_DIR}'`,
          `printf '%s' '${Buffer.from(knot).toString("base64")}' | base64 -d > '${conf}'`,
          `printf '%s' '${Buffer.from(text).toString("base64")}' | base64 -d > '${zonePath}.new' && mv '${zonePath}.new' '${zonePath}'`,
          `knotc -c '${conf}' conf-check >/dev/null`,
          `if knotc -c '${conf}' status >/dev/null 2>&1; then knotc -c '${conf}' reload >/dev/null; knotc -c '${conf}' zone-reload ${zone} >/dev/null`,
          `else knotd -c '${conf}' -d </dev/null >>'${DNS_DIR}/knot.log' 2>&1; fi`,
          // Served once knotd has loaded it (it reports the zone's serial).
          `for i in $(seq 50); do knotc -c '${conf}' zone-status ${zone} 2>/dev/null | grep -q 'serial: [1-9]' && exit 0; sleep 0.2; done`,
          `echo "knotd on ${s.address} did not load ${zone}: $(tail -n 5 '${DNS_DIR}/knot.log')" >&2; exit 1`,
          "",
        ].join("\n"),
      );
      const [cmdName, cmdArgs, cmdOpts] = transform(
        args.transform?.server,
        `${name}-${serverResourceLabel(s.name)}`,
        {
          connection: {
            host: c.host,
            port: c.port ?? 22,
            user: c.user ?? "root",
            privateKey: pulumi.secret(c.privateKey),
            hostKey: c.hostKey,
            dialErrorLimit: c.dialErrorLimit ?? 10,
            perDialTimeout: c.perDialTimeout ?? 15,
          },
          create: "sh -s",
          update: "sh -s",
          stdin: script,
          triggers: [script.apply((t) => createHash("sha256").update(t).digest("hex"))],
          delete: `knotc -c '${conf}' stop >/dev/null 2>&1 || true; for i in $(seq 50); do [ -e '${DNS_DIR}/knot.pid' ] || break; sleep 0.1; done; rm -rf '${DNS_DIR}'`,
          logging: "stdoutAndStderr",
        } as command.remote.CommandArgs,
        { parent: this },
      );
      new command.remote.Command(cmdName, cmdArgs, cmdOpts);
    }
    this.registerOutputs({ zoneFile: this.zoneFile });
  }
}
