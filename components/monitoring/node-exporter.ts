import * as pulumi from "@pulumi/pulumi";
import type * as command from "@pulumi/command";
import { partImage } from "../../core/catalog/load";
import { MONITOR_PROGRAMS, NODE_EXPORTER_PORT } from "../../core/monitoring";
import type { BareMetalConnection } from "../baremetal/host";
import { remoteCommand, sshConnection } from "../baremetal/remote";
import type { Transform } from "../transform";

export interface NodeExporterArgs {
  /** The machine's SSH connection (a bare-metal host of the plan). */
  connection: BareMetalConnection;
  /** Address node_exporter listens on: the machine's overlay address, so the port stays private. */
  listen: string;
  /** Fleet name: the container is `<fleet>-node-exporter`. @default "sovereign" */
  fleet?: string;
  /** @default partImage("nodeExporter") (official, pinned in catalog/images.yaml); the lab passes its Debian-built image */
  image?: string;
  /** Edit the remote command's args. @default none */
  transform?: Transform<command.remote.CommandArgs>;
}

/**
 * node_exporter on one bare-metal machine of the fleet (the monitors scrape it over the overlay):
 * a container on the host's network and PID namespace with the host's root read-only, listening on
 * the machine's overlay address only; removed on destroy.
 *
 * @example
 * new NodeExporter("fra-1-node-exporter", { connection, listen: "100.72.0.2", fleet: "eth-rpc-prod" });
 */
export class NodeExporter extends pulumi.ComponentResource {
  /** `http://<listen>:9100/metrics`. */
  readonly metricsUrl: pulumi.Output<string>;

  constructor(name: string, args: NodeExporterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("sovereign:monitoring:NodeExporter", name, {}, opts);
    const fleet = args.fleet ?? "sovereign";
    if (!/^[0-9.]+$/.test(args.listen))
      throw new Error(`${name}: listen must be an IPv4 address, got '${args.listen}'`);
    const container = `${fleet}-node-exporter`;
    const remove = `docker rm -f ${container} >/dev/null 2>&1 || true`;
    const run = [
      remove,
      [
        `docker run -d --name ${container} --restart unless-stopped --network host --pid host`,
        `--label sovereign.fleet=${fleet} -v /:/host:ro --entrypoint ${MONITOR_PROGRAMS.nodeExporter}`,
        args.image ?? partImage("nodeExporter"),
        `--path.rootfs=/host --web.listen-address=${args.listen}:${NODE_EXPORTER_PORT}`,
        // A failed create leaves nothing behind (Pulumi runs no delete for it).
        `|| { ${remove}; exit 1; }`,
      ].join(" "),
    ].join("\n");
    remoteCommand(
      args.transform,
      `${name}-run`,
      {
        connection: sshConnection(args.connection),
        create: run,
        update: run,
        delete: remove,
        triggers: [args.listen, args.image ?? partImage("nodeExporter")],
        logging: "stdoutAndStderr",
      },
      { parent: this },
    );
    this.metricsUrl = pulumi.output(`http://${args.listen}:${NODE_EXPORTER_PORT}/metrics`);
    this.registerOutputs({ metricsUrl: this.metricsUrl });
  }
}
