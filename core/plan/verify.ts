/**
 * `validate --plan`: a saved plan checked against the spec it claims to follow. The diversity rules
 * come from core/diversity (`evaluatePolicy`, the one implementation of the share math); this file
 * adds only what a saved plan can get wrong on its own: node counts, the budget, sites the spec does
 * not allow (or facts that do not match the site), and clients the chain entry does not allow.
 * Prices come from the catalog and the spec, as the planner's do, never from the file: a file with
 * every price set to 0 does not pass a budget.
 */
import { alternativesIn, type Catalog } from "../catalog/load";
import { cheapestOption } from "../costs/options";
import { evaluatePolicy, type PolicyCheck } from "../diversity";
import { hostMonthlyUsd } from "../costs/hosts";
import type { Fleet, Site } from "../fleet-spec/resolve";
import { quote } from "../errors";
import { own } from "../own";
import type { SavedGateway, SavedNode, SavedPlan } from "./file";
import { gatewayChecks, gatewayGroupOf } from "./verify-gateways";

const show = (v: string | boolean) => (typeof v === "string" ? quote(v) : String(v));
const usd = (x: number) => `$${x.toFixed(2)}`;

/** Every check of a saved plan against the spec: the policy (core/diversity), counts, budget, sites, clients. */
export function checkSavedPlan(fleet: Fleet, catalog: Catalog, saved: SavedPlan): PolicyCheck[] {
  const { nodes, gateways } = saved;
  const checks = evaluatePolicy(fleet.spec.policy, nodes, alternativesIn(catalog));

  const wanted = new Map<string, number>();
  for (const g of fleet.groups) wanted.set(g.chainKey, (wanted.get(g.chainKey) ?? 0) + g.count);
  for (const chain of new Set(nodes.map((n) => n.chainKey))) if (!wanted.has(chain)) wanted.set(chain, 0);
  for (const [chain, count] of wanted) {
    const has = nodes.filter((n) => n.chainKey === chain).length;
    checks.push({
      rule: "count",
      scope: chain,
      ok: has === count,
      limit: count,
      actual: has,
      message: `the plan has ${has} ${chain} nodes; the spec asks for ${count}`,
    });
  }

  const budget = fleet.spec.budget?.monthlyUsd;
  if (budget !== undefined)
    checks.push(budgetCheck(budget, priceNodes(fleet, catalog, nodes, gateways), [...nodes, ...gateways]));

  checks.push(
    ...perNode(
      "sites",
      nodes,
      (n) => siteProblem(fleet, n),
      "every node is at a site the spec allows, with that site's operator, region and jurisdiction",
    ),
  );
  checks.push(...siteCaps(fleet, nodes));
  checks.push(
    ...perNode("clients", nodes, (n) => clientProblem(fleet, n), "every node runs clients its chain entry allows"),
  );
  checks.push(...gatewayChecks(fleet, gateways, (g) => siteProblem(fleet, g)));
  return checks;
}

/**
 * What the plan costs by the catalog and the spec: a cloud or Akash node or gateway the cheapest
 * option that fits its role (or gateway size) at its site (what the planner pays), a bare-metal host
 * its whole price once.
 */
function priceNodes(
  fleet: Fleet,
  catalog: Catalog,
  nodes: readonly SavedNode[],
  gateways: readonly SavedGateway[],
): { total: number; unpriced: string[] } {
  let sum = 0;
  const unpriced: string[] = [];
  const hosts = new Set<string>();
  const groupOf = (n: SavedNode | SavedGateway) =>
    "chains" in n
      ? gatewayGroupOf(fleet, n)
      : fleet.groups.find((g) => g.chain === n.chain && g.network === n.network && g.role === n.role);
  for (const n of [...nodes, ...gateways]) {
    const site = siteOf(fleet, n);
    const group = groupOf(n);
    if (!site || !group) {
      unpriced.push(n.id);
      continue;
    }
    if (site.host) {
      if (!hosts.has(site.id)) sum += hostMonthlyUsd(site.host);
      hosts.add(site.id);
      continue;
    }
    const option = cheapestOption(group.profile, site, catalog, undefined, group.behindGateways);
    if (option.ok) sum += option.option.cost.total;
    else unpriced.push(n.id);
  }
  // Rounded once, as the plan's total is.
  return { total: Math.round(sum * 100) / 100, unpriced };
}

function budgetCheck(
  budget: number,
  price: { total: number; unpriced: string[] },
  nodes: ReadonlyArray<{ monthlyUsd: number }>,
): PolicyCheck {
  const written = Math.round(nodes.reduce((a, n) => a + Math.round(n.monthlyUsd * 100), 0)) / 100;
  const says = written === price.total ? "" : ` (the file says ${usd(written)})`;
  const unpriced = price.unpriced.length
    ? `; ${price.unpriced.length} node(s) have no price at an allowed site (${price.unpriced.slice(0, 5).join(", ")}${price.unpriced.length > 5 ? ", ..." : ""})`
    : "";
  return {
    rule: "budget.monthlyUsd",
    scope: "fleet",
    ok: price.total <= budget + 1e-6 && !price.unpriced.length,
    limit: budget,
    actual: price.total,
    message:
      `by the catalog and the spec the plan costs ${usd(price.total)}/month${says}${unpriced}; ` +
      `the budget is ${usd(budget)}`,
  };
}

/** One BREACH line per node with a problem, or one ok line for all of them. */
function perNode(
  rule: string,
  nodes: readonly SavedNode[],
  problem: (n: SavedNode) => string | undefined,
  allGood: string,
): PolicyCheck[] {
  const bad = nodes.flatMap((n) => {
    const message = problem(n);
    return message ? [{ rule, scope: n.id, ok: false, limit: 0, actual: 1, message }] : [];
  });
  return bad.length ? bad : [{ rule, scope: "fleet", ok: true, limit: 0, actual: 0, message: allGood }];
}

type Placed = Pick<SavedNode, "provider" | "host" | "region" | "operator" | "jurisdiction" | "cloudAct" | "legal">;

function siteOf(fleet: Fleet, n: Placed): Site | undefined {
  return n.provider === "baremetal"
    ? fleet.sites.find((s) => s.provider === "baremetal" && s.host?.name === n.host)
    : fleet.sites.find((s) => s.provider === n.provider && s.region === n.region);
}

function siteProblem(fleet: Fleet, n: Placed): string | undefined {
  const site = siteOf(fleet, n);
  if (!site) {
    const allowed = fleet.sites.map((s) => s.id).join(", ");
    const where =
      n.provider === "baremetal"
        ? `host ${quote(n.host ?? "")}`
        : n.provider === "akash"
          ? "akash"
          : `${n.provider} region ${quote(n.region)}`;
    return `${where} is not a site the spec allows (allowed: ${allowed})`;
  }
  const wrong = (["operator", "region", "jurisdiction", "cloudAct"] as const)
    .filter((k) => site[k] !== n[k])
    .map((k) => `${k} ${show(n[k])} (the site's is ${show(site[k])})`);
  // A plan saved before legal regimes states only cloudAct, checked above.
  const legal = (xs: readonly string[]) => `[${[...xs].sort().join(", ")}]`;
  if (n.legal && legal(n.legal) !== legal(site.legal))
    wrong.push(`legal ${legal(n.legal)} (the site's is ${legal(site.legal)})`);
  return wrong.length ? `at ${site.id} the plan says ${wrong.join(", ")}` : undefined;
}

/** `sites.<provider>.maxNodes` and a host's `maxNodes`. */
function siteCaps(fleet: Fleet, nodes: readonly SavedNode[]): PolicyCheck[] {
  const checks: PolicyCheck[] = [];
  const seen = new Set<string>();
  for (const site of fleet.sites) {
    if (site.providerMaxNodes !== undefined && !seen.has(site.provider)) {
      seen.add(site.provider);
      const has = nodes.filter((n) => n.provider === site.provider).length;
      checks.push({
        rule: "sites.maxNodes",
        scope: site.provider,
        ok: has <= site.providerMaxNodes,
        limit: site.providerMaxNodes,
        actual: has,
        message: `${has} node(s) on ${site.provider}; at most ${site.providerMaxNodes}`,
      });
    }
    const host = site.host;
    const cap = host?.maxNodes;
    if (host && cap !== undefined) {
      const has = nodes.filter((n) => n.provider === "baremetal" && n.host === host.name).length;
      checks.push({
        rule: "sites.maxNodes",
        scope: `host ${host.name}`,
        ok: has <= cap,
        limit: cap,
        actual: has,
        message: `${has} node(s) on host ${host.name}; at most ${cap}`,
      });
    }
  }
  return checks;
}

function clientProblem(fleet: Fleet, n: SavedNode): string | undefined {
  const entries = fleet.groups.filter((g) => g.chain === n.chain && g.network === n.network && g.role === n.role);
  if (!entries.length) return `the spec has no chain entry for ${n.chainKey} ${n.role}`;
  const problems = entries.map((g) => {
    const missing = Object.keys(g.clients).filter((layer) => own(n.clients, layer) === undefined);
    if (missing.length) return `no client for layer(s) ${missing.join(", ")} (chains[${g.index}])`;
    const extra = Object.keys(n.clients).filter((layer) => !own(g.clients, layer));
    if (extra.length) return `${n.chain} has no client layer(s) ${extra.map(quote).join(", ")}`;
    const bad = Object.entries(n.clients).find(([layer, client]) => !(own(g.clients, layer) ?? []).includes(client));
    return bad
      ? `${bad[0]} client ${quote(bad[1])} is not allowed by chains[${g.index}] (allowed: ${g.clients[bad[0]].join(", ")})`
      : undefined;
  });
  return problems.includes(undefined) ? undefined : problems.join("; ");
}
