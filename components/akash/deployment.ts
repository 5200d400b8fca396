/**
 * AkashDeployment: one node's Akash deployment as a resource the engine manages (a Pulumi dynamic
 * provider), leased through the Akash Console API (core/akash/lease.ts). Create = deployment,
 * bids, lease, manifest, lease status; delete = close the deployment. A changed SDL replaces the
 * deployment (Akash keeps no data across leases: the node resyncs). Read (`pulumi refresh`) asks the
 * Console: a closed deployment leaves the state (the next `up` leases anew), a lease its provider
 * closed marks the resource `leaseState` so the next `up` replaces it, and an active lease refreshes
 * its IP, ports, services and price. The API key and the SDL
 * (which carries the node's secrets) are Pulumi secrets in inputs and outputs alike.
 */
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type { BidRules } from "../../core/akash/bids";
import type { LeasedNode, LeaseRequest } from "../../core/akash/lease";

/** Loaded by the provider process, which runs the serialized provider (not this module). */
const LEASE_MODULE = join(__dirname, "../../core/akash/lease.ts");

export interface AkashDeploymentArgs {
  /** Node id, for messages. */
  node: pulumi.Input<string>;
  /** The SDL YAML with the node's secrets: pass a secret. */
  sdl: pulumi.Input<string>;
  /** Akash Console API base URL. @default "https://console-api.akash.network" */
  apiUrl?: pulumi.Input<string>;
  /** Console API key (sent as `x-api-key`): pass a secret. */
  apiKey: pulumi.Input<string>;
  /** Which bids are acceptable (audited, attributes, providers to avoid, denomination). */
  rules: pulumi.Input<BidRules>;
  /** @default 300 */
  bidTimeoutSeconds?: pulumi.Input<number>;
  /** @default 15 */
  bidWindowSeconds?: pulumi.Input<number>;
  /** @default 5 */
  pollSeconds?: pulumi.Input<number>;
}

type Inputs = Omit<LeaseRequest, "rules"> & { rules: BidRules };
type Outputs = Omit<LeasedNode, "provider"> & {
  akashProvider: string;
  apiUrl: string;
  apiKey: string;
  node: string;
  /** Set by a refresh that found the lease not active (`closed`, `insufficient_funds`, `missing`). */
  leaseState?: string;
};

/** Serialized into the state and run by the engine's dynamic-provider host: plain functions only. */
export const akashDeploymentProvider: pulumi.dynamic.ResourceProvider = {
  async create(inputs: Inputs) {
    require("tsx/cjs");
    const lease = require(LEASE_MODULE) as typeof import("../../core/akash/lease");
    const { provider: akashProvider, ...out } = await lease.leaseNode(inputs);
    const outs: Outputs = { ...out, akashProvider, apiUrl: inputs.apiUrl, apiKey: inputs.apiKey, node: inputs.node };
    return { id: out.dseq, outs };
  },
  async diff(_id: string, olds: Outputs & { sdl?: string; rules?: BidRules }, news: Inputs) {
    // Outputs hold no SDL (secret inputs stay in inputs); the engine passes old inputs merged in.
    const replaces: string[] = (["sdl", "rules"] as const).filter(
      (k) => olds[k] !== undefined && JSON.stringify(olds[k]) !== JSON.stringify(news[k]),
    );
    // A refresh found the lease closed: a new deployment is leased, then the old one closed.
    if (olds.leaseState !== undefined) replaces.push("leaseState");
    const changes = replaces.length > 0 || olds.apiKey !== news.apiKey || olds.apiUrl !== news.apiUrl;
    return { changes: changes || replaces.length > 0, replaces, deleteBeforeReplace: false };
  },
  async read(id: string, props: Outputs) {
    require("tsx/cjs");
    const lease = require(LEASE_MODULE) as typeof import("../../core/akash/lease");
    const now = await lease.readNode(props.apiUrl, props.apiKey, id, props.akashProvider);
    if (now.state === "gone") return { id: "" }; // no id: the engine drops it from the state
    if (now.state === "lease-closed") return { id, props: { ...props, leaseState: now.leaseState } };
    const { leaseState: _closed, ...live } = props;
    return { id, props: { ...live, ...now.node } };
  },
  async update(_id: string, olds: Outputs, news: Inputs) {
    return { outs: { ...olds, apiKey: news.apiKey, apiUrl: news.apiUrl } };
  },
  async delete(id: string, props: Outputs) {
    require("tsx/cjs");
    const lease = require(LEASE_MODULE) as typeof import("../../core/akash/lease");
    await lease.closeNode(props.apiUrl, props.apiKey, id);
  },
};

export class AkashDeployment extends pulumi.dynamic.Resource {
  declare readonly dseq: pulumi.Output<string>;
  /** The Akash provider (account address) that leased the node. */
  declare readonly akashProvider: pulumi.Output<string>;
  declare readonly providerName: pulumi.Output<string>;
  declare readonly hostUri: pulumi.Output<string>;
  declare readonly organization: pulumi.Output<string>;
  declare readonly country: pulumi.Output<string>;
  declare readonly audited: pulumi.Output<boolean>;
  declare readonly price: pulumi.Output<{ denom: string; amount: string }>;
  declare readonly publicIp: pulumi.Output<string>;
  declare readonly forwardedPorts: pulumi.Output<LeasedNode["forwardedPorts"]>;
  declare readonly services: pulumi.Output<LeasedNode["services"]>;

  constructor(name: string, args: AkashDeploymentArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      akashDeploymentProvider,
      name,
      {
        node: args.node,
        sdl: pulumi.secret(args.sdl),
        apiUrl: args.apiUrl ?? "https://console-api.akash.network",
        apiKey: pulumi.secret(args.apiKey),
        rules: args.rules,
        bidTimeoutSeconds: args.bidTimeoutSeconds ?? 300,
        bidWindowSeconds: args.bidWindowSeconds ?? 15,
        pollSeconds: args.pollSeconds ?? 5,
        dseq: undefined,
        akashProvider: undefined,
        providerName: undefined,
        hostUri: undefined,
        organization: undefined,
        country: undefined,
        audited: undefined,
        price: undefined,
        publicIp: undefined,
        forwardedPorts: undefined,
        services: undefined,
      },
      { ...opts, additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), "apiKey", "sdl"] },
      "akash",
      "Deployment",
    );
  }
}
