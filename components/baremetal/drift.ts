/**
 * DriftProbe: what one bare-metal workload (node or gateway) should look like on its host, kept in
 * the state by a Pulumi dynamic provider whose `read` checks the host over SSH (core/drift). Remote
 * commands have no read (pulumi-command#432), so `pulumi refresh` alone cannot see a stopped
 * container, an edited file or a flushed nftables table; the probe can. A refresh that finds drift
 * records it; the next `up` updates the probe, which raises `repairs`, and the workload's commands
 * carry `repairs` in their input, so they run again and put the host back:
 * `pulumi up --refresh` (or `pulumi refresh` then `pulumi up`) repairs a host.
 * A host the refresh cannot reach keeps its last reading: unknown is never repaired blindly.
 */
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type { ExpectedWorkload } from "../../core/drift/check";
import type { BareMetalConnection } from "./remote";

/** Loaded by the provider process, which runs the serialized provider (not this module). */
const DRIFT_MODULE = join(__dirname, "../../core/drift/index.ts");

export interface DriftProbeArgs {
  /** The host's name in the spec, for messages. @default the connection's address */
  hostName?: string;
  /** SSH connection to the host (the key is kept as a secret). */
  connection: BareMetalConnection;
  /** What the deploy leaves on the host (files, containers, nftables table, processes). */
  expected: pulumi.Input<ExpectedWorkload>;
}

interface Inputs {
  hostName: string;
  host: string;
  port: number;
  user: string;
  hostKey?: string;
  privateKey: string;
  expected: ExpectedWorkload;
}
interface Outputs extends Inputs {
  /** What the last refresh found different, one line each; [] when none (or not checked). */
  drift: string[];
  /** How many times an `up` repaired drift: the workload's commands run again when it rises. */
  repairs: number;
  /** `ok`, `drift` or `unknown: <why>` from the last refresh; `deployed` before any. */
  lastCheck: string;
}

const INPUT_KEYS = ["hostName", "host", "port", "user", "hostKey", "privateKey", "expected"] as const;

/** Serialized into the state and run by the engine's dynamic-provider host: plain functions only. */
export const driftProbeProvider: pulumi.dynamic.ResourceProvider = {
  async create(inputs: Inputs) {
    const e = inputs.expected;
    const outs: Outputs = { ...inputs, drift: [], repairs: 0, lastCheck: "deployed" };
    return { id: `${e.fleet}/${e.workload}@${inputs.host}`, outs };
  },
  async read(id: string, props: Outputs) {
    require("tsx/cjs");
    const drift = require(DRIFT_MODULE) as typeof import("../../core/drift");
    const target = { ...props, privateKey: props.privateKey };
    const findings = await drift.checkHost(props.hostName, target, [props.expected]);
    const unknown = findings.find((f) => f.status === "unknown");
    if (unknown) return { id, props: { ...props, lastCheck: `unknown: ${unknown.detail}` } };
    const found = findings.filter((f) => f.status === "drift").map((f) => `${f.check} ${f.subject}: ${f.detail}`);
    return { id, props: { ...props, drift: found, lastCheck: found.length ? "drift" : "ok" } };
  },
  async diff(_id: string, olds: Outputs, news: Inputs) {
    const changed = INPUT_KEYS.some((k) => JSON.stringify(olds[k]) !== JSON.stringify(news[k]));
    return { changes: changed || (olds.drift ?? []).length > 0, replaces: [], deleteBeforeReplace: false };
  },
  async update(_id: string, olds: Outputs, news: Inputs) {
    const repaired = (olds.drift ?? []).length > 0 ? 1 : 0;
    const outs: Outputs = { ...news, drift: [], repairs: (olds.repairs ?? 0) + repaired, lastCheck: olds.lastCheck };
    return { outs };
  },
};

/**
 * The drift probe of one bare-metal workload. Its `repairs` output goes into the workload's remote
 * commands (see BareMetalHost), so a repair after a refresh that found drift runs them again.
 *
 * @example
 * const probe = new DriftProbe("prod-btc-1-drift", { connection, expected }, { parent: this });
 * const stdin = pulumi.interpolate`# repair ${probe.repairs}\n${script}`;
 */
export class DriftProbe extends pulumi.dynamic.Resource {
  declare readonly drift: pulumi.Output<string[]>;
  declare readonly repairs: pulumi.Output<number>;
  declare readonly lastCheck: pulumi.Output<string>;

  constructor(name: string, args: DriftProbeArgs, opts?: pulumi.CustomResourceOptions) {
    const c = args.connection;
    super(
      driftProbeProvider,
      name,
      {
        hostName: args.hostName ?? c.host,
        host: c.host,
        port: c.port ?? 22,
        user: c.user ?? "root",
        hostKey: c.hostKey,
        privateKey: pulumi.secret(c.privateKey),
        expected: args.expected,
        drift: undefined,
        repairs: undefined,
        lastCheck: undefined,
      },
      { ...opts, additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), "privateKey"] },
      "baremetal",
      "DriftProbe",
    );
  }
}
