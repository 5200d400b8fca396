/**
 * Akash after leasing: each node's Akash provider becomes its operator (and the provider's country
 * its jurisdiction, when the Console knows it), and the spec's policy is checked again against
 * these real operators (plan time only knew "akash", one operator for all of them).
 */
import * as pulumi from "@pulumi/pulumi";
import { alternativesIn, type Catalog } from "../core/catalog/load";
import { evaluatePolicy } from "../core/diversity";
import type { Policy } from "../core/diversity/policy";
import type { Plan } from "../core/plan";
import { AkashNodeHost } from "../components/akash/host";
import type { NodeHostOutputs } from "../components/node-host";

export interface LeasedAkashNode {
  dseq: string;
  /** The Akash provider's account address: the node's operator from now on. */
  provider: string;
  organization: string;
  country: string;
  audited: boolean;
  price: { denom: string; amount: string };
  publicIp: string;
}

/** The leased Akash nodes, by node id. */
export function leasedAkashNodes(
  hosts: Record<string, NodeHostOutputs>,
): pulumi.Output<Record<string, LeasedAkashNode>> {
  const akash = Object.entries(hosts).filter((e): e is [string, AkashNodeHost] => e[1] instanceof AkashNodeHost);
  return pulumi.all(
    Object.fromEntries(
      akash.map(([id, h]) => {
        const d = h.deployment;
        return [
          id,
          pulumi
            .all([d.dseq, d.akashProvider, d.organization, d.country, d.audited, d.price, d.publicIp])
            .apply(([dseq, provider, organization, country, audited, price, publicIp]) => ({
              dseq,
              provider,
              organization,
              country,
              audited,
              price,
              publicIp,
            })),
        ];
      }),
    ),
  );
}

/** The policy checked against the real Akash providers (each one operator; its country the jurisdiction). */
export function leasedPolicy(
  plan: Plan,
  policy: Policy,
  catalog: Catalog,
  leased: Record<string, Pick<LeasedAkashNode, "provider" | "country">>,
) {
  const nodes = plan.nodes.map((n) => {
    const l = leased[n.id];
    return l ? { ...n, operator: `akash:${l.provider}`, jurisdiction: l.country || "AKASH" } : n;
  });
  const checks = evaluatePolicy(policy, nodes, alternativesIn(catalog));
  return {
    satisfied: checks.every((c) => c.ok),
    checks: checks.map((c) => ({ rule: c.rule, scope: c.scope, ok: c.ok, message: c.message })),
  };
}
