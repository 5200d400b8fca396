/**
 * How a Fleet deploys its Akash nodes: the Console API key and bid rules, and the order of leases —
 * nodes of one chain are leased one after another, each avoiding the providers of the chain's
 * earlier nodes, so one Akash provider going away takes at most one node of a chain.
 */
import * as pulumi from "@pulumi/pulumi";
import type { HostBinding } from "../hosts";
import { AkashNodeHost, type AkashConsoleOptions } from "./host";
import { present } from "../../core/present";

declare module "../hosts" {
  interface FleetProviderOptions {
    /** Akash: the Console API key and bid rules. @default none; required when the plan has Akash nodes */
    akash?: AkashConsoleOptions;
  }
}

export const akashBinding: HostBinding = {
  preflight(nodes, ctx) {
    return ctx.options.akash?.apiKey
      ? []
      : [
          `the plan places ${nodes.length} node(s) on Akash: set an Akash Console API key as a secret: pulumi config set --secret sovereign:akashApiKey <key>`,
        ];
  },
  deploy(nodes, ctx) {
    const options = present(ctx.options.akash, "FleetArgs.akash (checked by preflight)");
    const byChain = new Map<string, pulumi.Output<string>[]>();
    return Object.fromEntries(
      nodes.map((node) => {
        const before = byChain.get(node.chainKey) ?? [];
        const host = new AkashNodeHost(
          `${ctx.name}-${node.id}`,
          {
            ...ctx.host,
            node,
            rendered: ctx.workloads.get(node.id),
            console: options,
            avoidProviders: pulumi.all(before),
            upstreamTls: ctx.upstreamTlsFor?.(node.id),
          },
          { parent: ctx.parent },
        );
        byChain.set(node.chainKey, [...before, host.akashProvider]);
        return [node.id, host];
      }),
    );
  },
};
