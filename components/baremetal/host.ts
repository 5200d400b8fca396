import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import type { PlannedHost, PlannedNode } from "../../core/plan";
import { nftTableName, renderNftables } from "../../core/workload/nftables";
import { workloadFiles, type WorkloadFile } from "../../core/workload/render";
import { TAG_PREFIX } from "../../core/workload/tags";
import { fill, readTemplate } from "../../core/workload/templates";
import { registerHostBinding, type FleetContext } from "../hosts";
import { prepareHost, type NodeHostArgs, type NodeHostOutputs } from "../node-host";

/** How to reach a host over SSH. */
export interface BareMetalConnection {
  /** Address of the host. */
  host: string;
  /** @default 22 */
  port?: number;
  /** @default "root" */
  user?: string;
  /** OpenSSH private key; pass a secret (`pulumi config set --secret sovereign:sshPrivateKey`). */
  privateKey: pulumi.Input<string>;
  /** The host's public key ("ssh-ed25519 AAAA..."), checked on every connection. @default none: any host key is accepted */
  hostKey?: string;
  /** Dial attempts before a host counts as unreachable. @default 10 */
  dialErrorLimit?: number;
  /** Seconds per dial attempt. @default 15 */
  perDialTimeout?: number;
}

export interface BareMetalHostArgs extends NodeHostArgs {
  /** SSH connection to the host. */
  connection: BareMetalConnection;
  /** Seconds to wait for the node's containers to run (and pass their health checks). @default 300 */
  healthTimeoutSeconds?: number;
  /**
   * Added to the RPC and private ports Docker publishes, so several nodes share one host without
   * clashes (RPC clients dial the shifted port; `rpcEndpoint` reports it). P2P ports are never
   * shifted: the planner keeps nodes whose P2P ports clash on different hosts.
   * @default 0
   */
  hostPortOffset?: number;
}

/** Everything Sovereign puts on a bare-metal host lives below this directory. */
export const BAREMETAL_ROOT = "/srv/sovereign";

/**
 * A node on an SSH-reachable Linux host: the rendered compose project and its secrets uploaded, a
 * host firewall (nftables) with the clouds' exposure, the containers started and waited for, and
 * all of it removed on destroy. Built on @pulumi/command remote commands; re-running with nothing
 * changed runs nothing.
 */
export class BareMetalHost extends pulumi.ComponentResource implements NodeHostOutputs {
  readonly nodeId: string;
  readonly publicIp: pulumi.Output<string>;
  readonly privateIp: pulumi.Output<string>;
  readonly rpcEndpoint: pulumi.Output<string>;

  constructor(name: string, args: BareMetalHostArgs, opts?: pulumi.ComponentResourceOptions) {
    super("sovereign:baremetal:NodeHost", name, {}, opts);
    const offset = args.hostPortOffset ?? 0;
    const prepared = prepareHost(this, name, {
      ...args,
      workload: { dataRoot: `${BAREMETAL_ROOT}/data`, configRoot: `${BAREMETAL_ROOT}/config`, hostPortOffset: offset, ...args.workload },
    });
    const w = prepared.workload;
    const c = args.connection;
    // A component's own inputs never reach the engine, so the node's tags ride on a resource that
    // runs nothing: what the policy pack (diversity) and `sovereign cost` read for a bare-metal node.
    new command.local.Command(`${name}-tags`, {
      environment: { ...prepared.tags, [`${TAG_PREFIX}monthlyUsd`]: String(args.node.monthlyUsd) },
    }, { parent: this });
    const connection = {
      host: c.host, port: c.port ?? 22, user: c.user ?? "root", privateKey: pulumi.secret(c.privateKey), hostKey: c.hostKey,
      dialErrorLimit: c.dialErrorLimit ?? 10, perDialTimeout: c.perDialTimeout ?? 15,
    };
    const values = {
      node: w.node, project: w.project, configDir: w.configDir, nodeDataDir: w.nodeDataDir,
      configRoot: w.configDir.slice(0, w.configDir.lastIndexOf("/")), dataRoot: w.dataRoot,
      timeoutSeconds: String(args.healthTimeoutSeconds ?? 300),
    };

    // The files (compose project, .env, JWT) travel in stdin, which Pulumi keeps as a secret.
    const upload = pulumi.secret(prepared.secretValues.apply((secrets) => uploadScript(workloadFiles(w, secrets).filter((f) => f.path.startsWith(`${w.configDir}/`)))));
    const workload = new command.remote.Command(`${name}-workload`, {
      connection,
      create: "sh -s",
      update: "sh -s",
      stdin: upload,
      delete: fill(readTemplate("baremetal/down.sh"), values, "templates/baremetal/down.sh"),
      logging: "stdoutAndStderr",
    }, { parent: this });

    const firewall = new command.remote.Command(`${name}-firewall`, {
      connection,
      create: "nft -f -",
      update: "nft -f -",
      stdin: renderNftables(w.node, w.ports, { rpcAllowCidrs: args.rpcAllowCidrs ?? [] }),
      delete: `nft delete table inet ${nftTableName(w.node)} 2>/dev/null || true`,
    }, { parent: this });

    new command.remote.Command(`${name}-start`, {
      connection,
      create: fill(readTemplate("baremetal/up.sh"), values, "templates/baremetal/up.sh"),
      // A changed project (new image, new secret) starts again; the hash says "changed" without the secret.
      triggers: [upload.apply((s) => createHash("sha256").update(s).digest("hex"))],
      logging: "stdoutAndStderr",
    }, { parent: this, dependsOn: [workload, firewall] });

    this.nodeId = args.node.id;
    this.publicIp = pulumi.output(c.host);
    this.privateIp = pulumi.output(c.host);
    this.rpcEndpoint = pulumi.output(`http://${c.host}:${w.rpc.port + offset}`);
    this.registerOutputs({ nodeId: this.nodeId, publicIp: this.publicIp, rpcEndpoint: this.rpcEndpoint });
  }
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

/** Options of the bare-metal binding (FleetArgs.baremetal). */
export interface BareMetalFleetOptions {
  /** Private key for every host, or per host name. Pass secrets. */
  privateKey: pulumi.Input<string> | Record<string, pulumi.Input<string>>;
  /** @default 10 */
  dialErrorLimit?: number;
  /** @default 15 */
  perDialTimeout?: number;
  /** @default 300 */
  healthTimeoutSeconds?: number;
}

/** Spacing of published ports between nodes sharing a host. */
const PORT_OFFSET_STEP = 10;

/**
 * Port offsets for the nodes of one host: each node, in id order, gets the smallest multiple of
 * PORT_OFFSET_STEP at which none of its published ports clashes with a node before it. Adding a
 * node with a later id never moves an existing one.
 */
export function hostPortOffsets(nodes: Array<{ id: string; ports: number[] }>): Map<string, number> {
  const used = new Set<number>();
  const offsets = new Map<string, number>();
  for (const node of [...nodes].sort((a, b) => a.id.localeCompare(b.id))) {
    let offset = 0;
    while (node.ports.some((p) => used.has(p + offset))) offset += PORT_OFFSET_STEP;
    node.ports.forEach((p) => used.add(p + offset));
    offsets.set(node.id, offset);
  }
  return offsets;
}

declare module "../hosts" {
  interface FleetProviderOptions {
    /** Bare-metal options: the SSH key for the hosts, dial and health timeouts. @default none; required when the plan has bare-metal nodes */
    baremetal?: BareMetalFleetOptions;
  }
}

registerHostBinding("baremetal", {
  deploy(nodes: PlannedNode[], ctx: FleetContext) {
    const options = ctx.options.baremetal;
    if (!options?.privateKey) throw new Error("bare-metal nodes need an SSH private key: pulumi config set --secret sovereign:sshPrivateKey < ~/.ssh/id_ed25519");
    const hosts = new Map<string, PlannedHost>(ctx.plan.hosts.map((h) => [h.name, h]));
    const offsets = new Map<string, number>();
    for (const host of hosts.values()) {
      const onHost = nodes.filter((n) => n.host === host.name);
      const ports = (n: PlannedNode) => Object.values(n.clients).flatMap((id) => ctx.catalog.clients.get(id)!.ports.filter((p) => p.exposure === "rpc" || p.exposure === "private").map((p) => p.port));
      for (const [id, off] of hostPortOffsets(onHost.map((n) => ({ id: n.id, ports: ports(n) })))) offsets.set(id, off);
    }
    return Object.fromEntries(nodes.map((node) => {
      const host = hosts.get(node.host!);
      if (!host) throw new Error(`${node.id}: host ${node.host} is not in the plan's hosts`);
      const key = typeof options.privateKey === "object" && !pulumi.Output.isInstance(options.privateKey) && !(options.privateKey instanceof Promise)
        ? (options.privateKey as Record<string, pulumi.Input<string>>)[host.name]
        : (options.privateKey as pulumi.Input<string>);
      if (key === undefined) throw new Error(`no SSH private key for host ${host.name}`);
      return [node.id, new BareMetalHost(`${ctx.name}-${node.id}`, {
        ...ctx.host, node,
        connection: { host: host.address, port: host.ssh.port, user: host.ssh.user, hostKey: host.ssh.hostKey, privateKey: key, dialErrorLimit: options.dialErrorLimit, perDialTimeout: options.perDialTimeout },
        healthTimeoutSeconds: options.healthTimeoutSeconds,
        hostPortOffset: offsets.get(node.id) ?? 0,
      }, { parent: ctx.parent })];
    }));
  },
});

