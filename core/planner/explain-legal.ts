import { shareNeeded } from "../diversity";
import type { Site } from "../fleet-spec/resolve";
import type { Policy } from "../diversity/policy";
import type { Reason } from "./explain";
import { legalLimits, type RuleFamily } from "./limits";

/** A set of machines under one policy: a chain's nodes or a set of gateways. */
export interface LegalDemand {
  policy: Policy;
  total: number;
  /** The sites any of them may go to. */
  sites: readonly Site[];
  /** "ethereum/mainnet's 6 nodes", "the fleet's 3 gateways". */
  of: string;
  /** "ethereum/mainnet", "a gateway". */
  subject: string;
  /** A host takes at most one of them (chain nodes sharing a P2P port; gateways, which listen on 443). */
  onePerHost: boolean;
}

/**
 * maxShare.legal read off the spec: a cap leaves `total - limit` machines for operators outside the
 * regime's reach, and the allowed sites outside it cannot take that many (none, or only bare-metal
 * hosts, one each or up to their maxNodes).
 */
export function legalReasons(d: LegalDemand, relaxed: ReadonlySet<RuleFamily>): Reason[] {
  if (relaxed.has("maxShare.legal")) return [];
  return legalLimits(d.policy, d.total).flatMap(({ regime, cap, limit }): Reason[] => {
    const needed = d.total - limit;
    const outside = [...new Set(d.sites)].filter((s) => !s.legal.includes(regime));
    const room = outside.some((s) => !s.host)
      ? Infinity
      : outside.reduce((a, s) => a + (d.onePerHost ? 1 : (s.host!.maxNodes ?? Infinity)), 0);
    if (needed <= 0 || room >= needed) return [];
    const names = outside.map((s) => s.host?.name ?? s.id).sort();
    return [
      {
        family: "maxShare.legal",
        text:
          `maxShare.legal.${regime} ${cap} allows at most ${limit} of ${d.of} on operators within ${regime}'s reach, ` +
          `so it needs at least ${needed} on operators outside it; only ${outside.length} such site(s) can host ${d.subject}` +
          `${names.length ? ` (${names.join(", ")}${d.onePerHost ? ", one each" : ""})` : ""}` +
          ` — allow sites of operators outside ${regime}'s reach (or state a host's outsideReach), or raise maxShare.legal.${regime} to ${shareNeeded(d.total - room, d.total)}`,
      },
    ];
  });
}
