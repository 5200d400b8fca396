import * as pulumi from "@pulumi/pulumi";
import { UPSTREAM_TLS_PORT } from "../../core/workload/upstream-terminator";
import { akashProvider, renderSdl, sdlYaml } from "../../core/workload/sdl";
import { validateSdl } from "../../core/workload/sdl-validate";
import { prepareHost, type NodeHostArgs, type NodeHostOutputs, type NodeHostTransform } from "../node-host";
import { transform, type Transform } from "../transform";
import { AkashDeployment, type AkashDeploymentArgs } from "./deployment";

/** How to reach the Akash Console and which providers may bid. */
export interface AkashConsoleOptions {
  /** Console API key (Akash Console, Settings, API keys): pass a secret. */
  apiKey: pulumi.Input<string>;
  /** @default "https://console-api.akash.network" */
  url?: string;
  /** Seconds to wait for an acceptable bid. @default 300 */
  bidTimeoutSeconds?: number;
  /** Seconds to keep collecting bids after the first acceptable one. @default 15 */
  bidWindowSeconds?: number;
  /** Seconds between polls of bids and lease status. @default 5 */
  pollSeconds?: number;
  /** Only providers an auditor of the catalog signed (spec `sites.akash.audited`). @default false */
  audited?: boolean;
  /** Provider attributes every bid must have (spec `sites.akash.attributes`). @default none */
  attributes?: Record<string, string>;
}

export interface AkashNodeHostArgs extends NodeHostArgs {
  console: AkashConsoleOptions;
  /** Akash providers that must not get this node: those running other nodes of its chain. @default [] */
  avoidProviders?: pulumi.Input<string[]>;
  /**
   * Put an mTLS terminator beside the node so the fleet's gateways reach its RPC (a lease cannot
   * join the overlay): HAProxy from `image`, showing `certificate` (certificate then key, PEM, a
   * secret; an UpstreamCertificate for `upstreamServerName(fleet, node)`) and letting through only
   * client certificates of `ca`. @default none
   */
  upstreamTls?: { image: string; certificate: pulumi.Input<string>; ca: pulumi.Input<string> };
  /** Edits the JWT command's or the AkashDeployment's args or options. @default none */
  transform?: NodeHostTransform & { deployment?: Transform<AkashDeploymentArgs> };
}

/**
 * A node on Akash: its SDL rendered from the node workload and validated offline with Akash's own
 * library before any network call, then leased through the Console API (AkashDeployment). RPC is
 * global only when `rpcAllowCidrs` is set, and then open to anyone (Akash has no source filter).
 * Persistent data lives only as long as the lease.
 *
 * @example
 * new AkashNodeHost("n1", { node, console: { apiKey: cfg.requireSecret("akashApiKey"), audited: true } });
 */
export class AkashNodeHost extends pulumi.ComponentResource implements NodeHostOutputs {
  readonly nodeId: string;
  readonly publicIp: pulumi.Output<string>;
  readonly privateIp: pulumi.Output<string>;
  readonly rpcEndpoint: pulumi.Output<string>;
  /** The Akash provider that leased the node (its account address): the node's real operator. */
  readonly akashProvider: pulumi.Output<string>;
  readonly mtlsRpcEndpoint?: pulumi.Output<string>;
  readonly deployment: AkashDeployment;

  constructor(name: string, args: AkashNodeHostArgs, opts?: pulumi.ComponentResourceOptions) {
    super("sovereign:akash:NodeHost", name, {}, opts);
    const prepared = prepareHost(this, name, args);
    const catalog = prepared.catalog;
    // Behind the gateways the terminator is the only way in (see SdlOptions.upstreamTls).
    const publicRpc = prepared.rpcPublic && !args.upstreamTls;
    const sdl = renderSdl(args.node, catalog, {
      fleet: prepared.fleet,
      publicRpc,
      audited: args.console.audited,
      attributes: args.console.attributes,
      upstreamTls: args.upstreamTls && { image: args.upstreamTls.image },
    });
    validateSdl(args.node.id, sdl.document, catalog);
    const market = akashProvider(catalog).market;
    // A bid prices the whole group: at most the sum of the profiles' ceilings.
    const maxAmount = Object.values(sdl.document.profiles.placement[sdl.group].pricing).reduce(
      (a, p) => a + p.amount,
      0,
    );

    const [childName, deploymentArgs, deploymentOpts] = transform(
      args.transform?.deployment,
      `${name}-deployment`,
      {
        node: args.node.id,
        sdl: pulumi.secret(
          pulumi
            .all([prepared.secretValues, args.upstreamTls?.certificate, args.upstreamTls?.ca])
            .apply(([secrets, upstreamTlsPem, upstreamTlsCa]) =>
              sdlYaml(sdl, { ...secrets, upstreamTlsPem, upstreamTlsCa }),
            ),
        ),
        apiUrl: args.console.url,
        apiKey: pulumi.secret(args.console.apiKey),
        rules: pulumi.output(args.avoidProviders ?? []).apply((avoid) => ({
          audited: args.console.audited ?? false,
          auditors: market.auditors,
          attributes: args.console.attributes ?? {},
          avoidProviders: [...avoid].sort(),
          denom: market.denom,
          maxAmount,
        })),
        bidTimeoutSeconds: args.console.bidTimeoutSeconds,
        bidWindowSeconds: args.console.bidWindowSeconds,
        pollSeconds: args.console.pollSeconds,
      } satisfies AkashDeploymentArgs,
      { parent: this } as pulumi.CustomResourceOptions,
    );
    this.deployment = new AkashDeployment(childName, deploymentArgs, deploymentOpts);

    this.nodeId = args.node.id;
    this.akashProvider = this.deployment.akashProvider;
    this.publicIp = this.deployment.publicIp;
    // Akash has no private network between deployments: private RPC is reachable only by the node's own services.
    this.privateIp = pulumi.output("");
    this.rpcEndpoint = publicRpc
      ? pulumi.interpolate`http://${this.publicIp}:${prepared.workload.rpc.port}`
      : pulumi.output("");
    if (args.upstreamTls) this.mtlsRpcEndpoint = pulumi.interpolate`https://${this.publicIp}:${UPSTREAM_TLS_PORT}`;
    this.registerOutputs({
      nodeId: this.nodeId,
      mtlsRpcEndpoint: this.mtlsRpcEndpoint,
      publicIp: this.publicIp,
      rpcEndpoint: this.rpcEndpoint,
      akashProvider: this.akashProvider,
    });
  }
}
