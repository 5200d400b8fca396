import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import { expectedWorkload } from "../../core/drift/check";
import { baremetalPaths } from "../../core/layout";
import { markerRelease, nodeRelease, releaseMarker, type NodeRelease } from "../../core/plan/release";
import { nftTableName, renderNftables } from "../../core/workload/nftables";
import { baremetalWorkloadOptions } from "../../core/workload/baremetal";
import type { Workload, WorkloadFile } from "../../core/workload/render";
import { TAG_PREFIX } from "../../core/workload/tags";
import { fill, readTemplate } from "../../core/workload/templates";
import { NodeHost, type NodeHostArgs, type NodeHostTransform, type PreparedHost } from "../node-host";
import { transform, type Transform } from "../transform";
import { DriftProbe, type DriftProbeArgs } from "./drift";
import { remoteCommand, sshConnection, type BareMetalConnection } from "./remote";

export type { BareMetalConnection } from "./remote";

export interface BareMetalHostArgs extends NodeHostArgs {
  /** SSH connection to the host. */
  connection: BareMetalConnection;
  /** Seconds to wait for the node's containers to run (and pass their health checks). @default 300 */
  healthTimeoutSeconds?: number;
  /**
   * Added to the RPC and private ports Docker publishes, so several nodes share one host without
   * clashes (RPC clients dial the shifted port; `rpcEndpoint` reports it). P2P ports are never
   * shifted: the planner keeps nodes whose P2P ports clash on different hosts, and the host refuses
   * a port another fleet's node holds (templates/baremetal/claim.sh).
   * @default 0
   */
  hostPortOffset?: number;
  /** Edit the args of the remote commands (children `<name>-<part>`). @default none */
  transform?: NodeHostTransform & {
    /** `<name>-workload`: claims the host ports, uploads the compose project; on delete removes the node. */
    workload?: Transform<command.remote.CommandArgs>;
    /** `<name>-firewall`: loads the node's nftables table. */
    firewall?: Transform<command.remote.CommandArgs>;
    /** `<name>-start`: starts the containers and waits for their health checks. */
    start?: Transform<command.remote.CommandArgs>;
    /** `<name>-drift`: the drift probe (what `pulumi refresh` checks on the host). */
    drift?: Transform<DriftProbeArgs>;
    /** `<name>-release`: the release the node started with (runs nothing; `sovereign status` reads it). */
    release?: Transform<command.local.CommandArgs>;
  };
}

/**
 * A node on an SSH-reachable Linux host: the rendered compose project and its secrets uploaded, a
 * host firewall (nftables) with the clouds' exposure, the containers started and waited for, and
 * all of it removed on destroy. Built on @pulumi/command remote commands; re-running with nothing
 * changed runs nothing. Everything on the host is named by fleet and node (core/layout/baremetal),
 * and the node first claims its host ports, so two fleets on one host never touch each other.
 *
 * @example
 * new BareMetalHost("prod-bitcoin-fra-1-1", {
 *   node, fleet: "prod", rpcAllowCidrs: ["203.0.113.0/24"],
 *   connection: { host: "203.0.113.10", hostKey: "ssh-ed25519 AAAA...", privateKey: cfg.requireSecret("sshPrivateKey") },
 *   transform: { start: { triggers: ["2026-12-01"] } },
 * });
 */
export class BareMetalHost extends NodeHost {
  readonly hostPortOffset: number;
  /** The command that starts (and on a changed workload restarts) the containers: what a rollout waits on. */
  readonly started: command.remote.Command;
  /** The images the node's containers started with, by layer; gateways (custom workloads) have none. */
  readonly release?: pulumi.Output<NodeRelease>;

  constructor(name: string, args: BareMetalHostArgs, opts?: pulumi.ComponentResourceOptions) {
    super("sovereign:baremetal:NodeHost", name, args, opts);
    const fleet = args.fleet ?? "sovereign";
    const host = this.prepare({
      ...args,
      workload: baremetalWorkloadOptions(fleet, args.node.id, args.hostPortOffset ?? 0, args.workload),
    });
    const w = host.workload;
    // A component's own inputs never reach the engine, so the node's tags ride on a resource that
    // runs nothing: what the policy pack (diversity) and `sovereign cost` read for a bare-metal node.
    new command.local.Command(
      this.child("tags"),
      {
        environment: { ...host.tags, [`${TAG_PREFIX}monthlyUsd`]: String(args.node.monthlyUsd) },
      },
      { parent: this },
    );
    const connection = sshConnection(args.connection);
    const values = templateValues(fleet, w, args.healthTimeoutSeconds ?? 300);
    const ruleset = renderNftables(w.node, w.ports, {
      rpcAllowCidrs: args.rpcAllowCidrs ?? [],
      fleet,
      overlay: args.overlay && { interface: args.overlay.interface, sources: args.overlay.gatewaySources },
    });
    // Nodes get a drift probe; gateways (custom workloads) not yet: with one, the lab's inline gateway
    // deploy (test/gateway/lab-deploy.e2e.test.ts) stalled before its first remote command.
    const probe = args.customWorkload ? undefined : this.createProbe(args, host, ruleset);
    const upload = repairable(probe, this.uploadScript(host, values));
    const workload = this.createWorkload(args, connection, upload, values);
    const firewall = this.createFirewall(args, connection, w, fleet, repairable(probe, ruleset), workload);
    this.started = this.createStart(args, connection, upload, values, [workload, firewall]);
    if (!args.customWorkload) this.release = this.createRelease(args, host);
    this.hostPortOffset = w.hostPortOffset;
    const address = pulumi.output(args.connection.host);
    this.finish(
      {
        publicIp: address,
        privateIp: address,
        rpcEndpoint: host.rpcEndpoint(address, address),
      },
      { hostPortOffset: this.hostPortOffset },
    );
  }

  /** The port claim, then the files (compose project, .env, JWT); all of it a secret (stdin). */
  private uploadScript(host: PreparedHost, values: Record<string, string>): pulumi.Output<string> {
    const configDir = host.workload.configDir;
    const claim = fill(readTemplate("baremetal/claim.sh"), values, "templates/baremetal/claim.sh");
    return pulumi.secret(host.files().apply((files) => claim + uploadScript(configFiles(configDir, files))));
  }

  /** What the host should have after this deploy: non-secret file hashes, containers, the nftables table. */
  private createProbe(args: BareMetalHostArgs, host: PreparedHost, ruleset: string): DriftProbe {
    // The hashes are of files without secrets; the secret values only decide which files exist. A
    // gateway's containers carry labels of its final config, so the deployed workload is what counts.
    const expected = pulumi.unsecret(
      pulumi
        .all([host.deployed, host.files()])
        .apply(([w, files]) => expectedWorkload(w, configFiles(w.configDir, files), ruleset)),
    );
    return new DriftProbe(
      ...transform(
        args.transform?.drift,
        this.child("drift"),
        { hostName: args.node.host, connection: args.connection, expected },
        { parent: this },
      ),
    );
  }

  /**
   * The node's release, kept once its start has run with it: a rollout stopped before this node
   * leaves its marker on the release it still runs (read from `pulumi stack export`).
   */
  private createRelease(args: BareMetalHostArgs, host: PreparedHost): pulumi.Output<NodeRelease> {
    const marker = new command.local.Command(
      ...transform(
        args.transform?.release,
        this.child("release"),
        { environment: releaseMarker(args.node.id, nodeRelease(args.node, host.catalog)) },
        { parent: this, dependsOn: [this.started] },
      ),
    );
    return marker.environment.apply((env) => markerRelease(env ?? {})?.release ?? {});
  }

  private createWorkload(
    args: BareMetalHostArgs,
    connection: Connection,
    upload: pulumi.Output<string>,
    values: Record<string, string>,
  ): command.remote.Command {
    return remoteCommand(
      args.transform?.workload,
      this.child("workload"),
      workloadCommandArgs(connection, upload, values),
      { parent: this },
    );
  }

  /** After the claim: a table of a node that may not run must not filter another fleet's ports. */
  private createFirewall(
    args: BareMetalHostArgs,
    connection: Connection,
    w: Workload,
    fleet: string,
    ruleset: pulumi.Input<string>,
    after: pulumi.Resource,
  ): command.remote.Command {
    return remoteCommand(
      args.transform?.firewall,
      this.child("firewall"),
      {
        connection,
        create: "nft -f -",
        update: "nft -f -",
        stdin: ruleset,
        delete: `nft delete table inet ${nftTableName(w.node, fleet)} 2>/dev/null || true`,
      },
      { parent: this, dependsOn: [after] },
    );
  }

  private createStart(
    args: BareMetalHostArgs,
    connection: Connection,
    upload: pulumi.Output<string>,
    values: Record<string, string>,
    after: pulumi.Resource[],
  ): command.remote.Command {
    // In a rolling upgrade the node restarts only once drained at every gateway (NodeRolloutGate).
    const gate = args.rollout?.before(args.node.id);
    const dependsOn = gate ? gate.then((g) => [...after, ...g]) : after;
    return remoteCommand(
      args.transform?.start,
      this.child("start"),
      {
        connection,
        create: fill(readTemplate("baremetal/up.sh"), values, "templates/baremetal/up.sh"),
        // A changed project (new image, new secret) starts again; the hash says "changed" without the secret.
        triggers: [upload.apply((s) => createHash("sha256").update(s).digest("hex"))],
        logging: "stdoutAndStderr",
      },
      { parent: this, dependsOn },
    );
  }
}

type Connection = ReturnType<typeof sshConnection>;

/** The files a bare-metal host gets: the project directory's (no systemd unit: the start command runs compose). */
/** The files a host gets under its config directory (the data directory is the clients' own). */
function configFiles(configDir: string, files: readonly WorkloadFile[]): WorkloadFile[] {
  return files.filter((f) => f.path.startsWith(`${configDir}/`));
}

/**
 * A command's script with the probe's repair count in a comment line: when an `up` repairs drift the
 * count rises, the script differs, and the command runs again (files rewritten, table loaded, the
 * project started: its trigger is the upload's hash).
 */
export function repairable(probe: DriftProbe | undefined, script: pulumi.Input<string>): pulumi.Output<string> {
  if (!probe) return pulumi.output(script);
  return pulumi.interpolate`# sovereign repairs: ${probe.repairs}\n${script}`;
}

/** The fields of templates/baremetal/*.sh for one workload (node or gateway) of a fleet. */
export function templateValues(fleet: string, w: Workload, timeoutSeconds: number): Record<string, string> {
  const paths = baremetalPaths(fleet, w.node);
  return {
    node: w.node,
    fleet,
    project: w.project,
    configDir: w.configDir,
    nodeDataDir: w.nodeDataDir,
    configRoot: w.configDir.slice(0, w.configDir.lastIndexOf("/")),
    dataRoot: w.dataRoot,
    fleetDir: paths.fleetDir,
    fleetsDir: paths.fleetsDir,
    claimsDir: paths.claimsDir,
    claim: paths.claim,
    ports: [...new Set(w.ports.map((p) => `${p.port}/${p.protocol}`))].join(" "),
    timeoutSeconds: String(timeoutSeconds),
  };
}

/**
 * The command that claims a workload's (node or gateway) host ports and writes its files (`upload`,
 * a secret script, run again on change); on delete it stops and removes what the workload made.
 */
export function workloadCommandArgs(
  connection: Connection,
  upload: pulumi.Output<string>,
  values: Record<string, string>,
): command.remote.CommandArgs {
  return {
    connection,
    create: "sh -s",
    update: "sh -s",
    stdin: upload,
    delete: fill(readTemplate("baremetal/down.sh"), values, "templates/baremetal/down.sh"),
    logging: "stdoutAndStderr",
  };
}

/** A POSIX sh script that writes each file atomically with its mode; contents travel base64-encoded. */
export function uploadScript(files: WorkloadFile[]): string {
  const lines = ["set -eu", "umask 077"];
  for (const f of files) {
    const dir = f.path.slice(0, f.path.lastIndexOf("/"));
    lines.push(`install -d -m 0700 '${dir}'`);
    lines.push(`printf '%s' '${Buffer.from(f.content).toString("base64")}' | base64 -d > '${f.path}.new'`);
    lines.push(`chmod ${f.mode} '${f.path}.new' && mv '${f.path}.new' '${f.path}'`);
  }
  return `${lines.join("\n")}\n`;
}
