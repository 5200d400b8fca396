/**
 * How a Fleet deploys its Hetzner Cloud nodes: one provider and one SSH key for the fleet (Hetzner
 * projects are not regional), one host per node, gateways on the same kind of server.
 */
import type * as pulumi from "@pulumi/pulumi";
import { Provider as HcloudProvider } from "@pulumi/hcloud/provider";
import { SshKey } from "@pulumi/hcloud/sshKey";
import { cloudGatewaySite, scaffold } from "../cloud-scope";
import type { FleetContext, GatewaySite, HostBinding } from "../hosts";
import type { NodeHostArgs, NodeHostOutputs } from "../node-host";
import { HetznerNodeHost, type HetznerNodeHostArgs } from "./host";

export interface HetznerFleetOptions {
  /** API token of the Hetzner Cloud project. Pass a secret. @default the provider's HCLOUD_TOKEN */
  token?: pulumi.Input<string>;
  /** Passed to every HetznerNodeHost. @default none */
  transform?: HetznerNodeHostArgs["transform"];
}

declare module "../hosts" {
  interface FleetProviderOptions {
    /** Hetzner Cloud options (API token, transforms). @default {} */
    hetzner?: HetznerFleetOptions;
  }
}

/** The largest Hetzner Cloud volume (GB). */
const MAX_VOLUME_GB = 10240;

export const hetznerBinding: HostBinding = {
  preflight(nodes) {
    return nodes.flatMap((n) =>
      !n.shape
        ? [`${n.id}: a Hetzner Cloud node needs a server type (shape)`]
        : n.storage.local || n.storage.sizeGb > MAX_VOLUME_GB
          ? [
              `${n.id}: Hetzner Cloud gives network volumes of at most ${MAX_VOLUME_GB} GB, not ${n.storage.sizeGb} GB${n.storage.local ? " local" : ""}`,
            ]
          : [],
    );
  },

  deploy(nodes, ctx) {
    const { provider, sshKeys } = hetznerProject(ctx);
    const hosts: Record<string, NodeHostOutputs> = {};
    for (const node of nodes)
      hosts[node.id] = new HetznerNodeHost(
        `${ctx.name}-${node.id}`,
        {
          ...ctx.host,
          node,
          rendered: ctx.workloads.get(node.id),
          overlay: ctx.overlayFor?.(node),
          sshKeys,
          transform: ctx.options.hetzner?.transform,
        },
        { parent: ctx.parent, providers: [provider] },
      );
    return hosts;
  },

  gatewaySite(_gateway, ctx) {
    const { provider, sshKeys } = hetznerProject(ctx);
    return hetznerGatewaySite({ sshKeys }, { providers: [provider] });
  },
};

/** A gateway on a Hetzner Cloud server (RpcGatewayArgs.site). */
export function hetznerGatewaySite(
  site: Omit<HetznerNodeHostArgs, keyof NodeHostArgs>,
  opts?: pulumi.ComponentResourceOptions,
): GatewaySite {
  return cloudGatewaySite("hetzner", { class: "volume", sizeGb: 10, local: false }, HetznerNodeHost, site, opts);
}

/** The fleet's provider and SSH key, made once for its nodes and gateways. */
function hetznerProject(ctx: FleetContext) {
  return scaffold(ctx, "hetzner", () => {
    const opts = ctx.options.hetzner ?? {};
    const provider = new HcloudProvider(`${ctx.name}-hetzner`, { token: opts.token }, { parent: ctx.parent });
    const key = ctx.host.sshPublicKey
      ? new SshKey(`${ctx.name}-hetzner-key`, { publicKey: ctx.host.sshPublicKey }, { parent: ctx.parent, provider })
      : undefined;
    return { provider, sshKeys: key ? [key.name] : undefined };
  });
}
