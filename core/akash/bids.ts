/**
 * Which bid a node leases: the cheapest open bid whose provider keeps the spec's rules — audited
 * where the spec asks (an auditor of the catalog signed the provider), every required attribute,
 * and not a provider that already runs another node of the same chain (so one Akash provider
 * going away takes at most one node of a chain). Pure: the providers' facts are passed in.
 */
import type { Bid, ProviderInfo } from "./console-api";

export interface BidRules {
  /** Only providers an auditor in `auditors` signed. @default false */
  audited?: boolean;
  /** Auditor accounts (catalog `market.auditors`). */
  auditors: string[];
  /** Attributes the provider must have, key -> value. @default none */
  attributes?: Record<string, string>;
  /** Providers that must not get this node (they run other nodes of the chain). @default none */
  avoidProviders?: string[];
  /** Highest acceptable price per block, in the SDL's denomination. @default no limit (the SDL's ceiling binds on chain) */
  maxAmount?: number;
  /** The SDL's denomination. */
  denom: string;
}

export interface BidChoice {
  bid?: Bid;
  /** Why each refused bid was refused, by provider. */
  refused: Array<{ provider: string; reason: string }>;
}

/** The cheapest acceptable open bid (ties: the provider address), and why the others were refused. */
export function chooseBid(
  bids: Bid[],
  providers: ReadonlyMap<string, ProviderInfo | undefined>,
  rules: BidRules,
): BidChoice {
  const refused: BidChoice["refused"] = [];
  const ok: Bid[] = [];
  for (const bid of bids) {
    const reason = refusal(bid, providers.get(bid.id.provider), rules);
    if (reason) refused.push({ provider: bid.id.provider, reason });
    else ok.push(bid);
  }
  ok.sort((a, b) => Number(a.price.amount) - Number(b.price.amount) || a.id.provider.localeCompare(b.id.provider));
  return { bid: ok[0], refused };
}

function refusal(bid: Bid, provider: ProviderInfo | undefined, rules: BidRules): string | undefined {
  if (bid.state !== "open") return `bid is ${bid.state}`;
  if (bid.price.denom !== rules.denom) return `priced in ${bid.price.denom}, the SDL in ${rules.denom}`;
  const amount = Number(bid.price.amount);
  if (!Number.isFinite(amount)) return `price '${bid.price.amount}' is not a number`;
  if (rules.maxAmount !== undefined && amount > rules.maxAmount)
    return `price ${amount} ${bid.price.denom}/block is above the ceiling ${rules.maxAmount}`;
  if (rules.avoidProviders?.includes(bid.id.provider)) return "already runs another node of this chain";
  const needsFacts = rules.audited || Object.keys(rules.attributes ?? {}).length > 0;
  if (!needsFacts) return undefined;
  if (!provider) return "provider facts unknown (GET /v1/providers failed)";
  const signed = (a: { auditedBy: string[] }) => a.auditedBy.some((x) => rules.auditors.includes(x));
  // The Console sets isAudited from the auditors it trusts; a signed attribute says the same.
  if (rules.audited && !provider.isAudited && !provider.attributes.some(signed))
    return `not audited by ${rules.auditors.join(" or ")}`;
  for (const [key, value] of Object.entries(rules.attributes ?? {})) {
    const attr = provider.attributes.find((a) => a.key === key && a.value === value);
    if (!attr) return `lacks attribute ${key}=${value}`;
    if (rules.audited && !signed(attr)) return `attribute ${key}=${value} is not signed by an auditor`;
  }
  return undefined;
}
