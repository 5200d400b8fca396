/**
 * `validate --plan` for the access layer: a saved plan's gateways checked against the spec's
 * `gateways` section, with the access layer's rules from core/diversity/access.ts (the same
 * checks a fresh plan gets) plus what a file can get wrong on its own: counts and allowed sites.
 */
import { evaluateAccessLayer } from "../diversity/access";
import type { PolicyCheck } from "../diversity";
import type { Fleet } from "../fleet-spec/resolve";
import type { AccessLayer } from "../fleet-spec/resolve-gateways";
import type { SavedGateway } from "./file";

/** The spec's group of gateways a saved gateway belongs to: the one serving the same chains. */
export function gatewayGroupOf(
  fleet: Fleet,
  g: Pick<SavedGateway, "chains">,
): AccessLayer["groups"][number] | undefined {
  const chains = chainSet(g.chains);
  return fleet.access?.groups.find((group) => chainSet(group.gateway.chains) === chains);
}

/** A gateway's chains as one key, whatever their order in the file. */
const chainSet = (chains: readonly string[]) => [...chains].sort().join();

/** A host runs at most one gateway, as the planner places them: every gateway listens on 443 (GATEWAY_PUBLIC_PORT). */
function oneGatewayPerHost(gateways: readonly SavedGateway[]): PolicyCheck[] {
  const byHost = new Map<string, string[]>();
  for (const g of gateways)
    if (g.provider === "baremetal" && g.host) byHost.set(g.host, [...(byHost.get(g.host) ?? []), g.id]);
  return [...byHost]
    .filter(([, ids]) => ids.length > 1)
    .map(([host, ids]) => ({
      rule: "gateways.sites",
      scope: `baremetal/${host}`,
      ok: false,
      limit: 1,
      actual: ids.length,
      message: `${ids.join(", ")} all run on host ${host}, but a host runs one gateway (each listens on 443); plan again`,
    }));
}

/**
 * Counts per group, sites (a known site with its facts, allowed by gateways.sites) and the access
 * layer's rules. `siteProblem` is the nodes' site check (verify.ts), shared.
 */
export function gatewayChecks(
  fleet: Fleet,
  gateways: readonly SavedGateway[],
  siteProblem: (g: SavedGateway) => string | undefined,
): PolicyCheck[] {
  const checks: PolicyCheck[] = [];
  for (const group of fleet.access?.groups ?? []) {
    const mine = gateways.filter((g) => gatewayGroupOf(fleet, g) === group);
    const { path, scope, owner } = group.gateway;
    checks.push({
      rule: "gateways.count",
      scope,
      ok: mine.length === group.count,
      limit: group.count,
      actual: mine.length,
      message: `the plan has ${mine.length} of ${owner} gateways; ${path} asks for ${group.count}`,
    });
    checks.push(...evaluateAccessLayer(group.gateway.policy, mine, scope, owner));
  }
  const bad = gateways.flatMap((g) => {
    const group = gatewayGroupOf(fleet, g);
    const problem = !group
      ? `it serves ${g.chains.join(", ")}; the spec's gateways serve ${fleet.access ? fleet.access.groups.map((x) => x.gateway.chains.join(", ")).join(" / ") : "nothing (no gateways section)"}`
      : (siteProblem(g) ??
        (group.gateway.sites.some((id) => id === siteIdOf(g)) ? undefined : `${siteIdOf(g)} is not in gateways.sites`));
    return problem ? [{ rule: "gateways.sites", scope: g.id, ok: false, limit: 0, actual: 1, message: problem }] : [];
  });
  bad.push(...oneGatewayPerHost(gateways));
  if (bad.length) return [...checks, ...bad];
  if (!gateways.length) return checks;
  const allGood = "every gateway serves a group of the spec, at a site gateways.sites allows";
  return [...checks, { rule: "gateways.sites", scope: "fleet", ok: true, limit: 0, actual: 0, message: allGood }];
}

/** The site id a saved gateway names: `aws/us-east-1`, `akash`, `baremetal/<host>`. */
const siteIdOf = (g: SavedGateway) =>
  g.provider === "baremetal" ? `baremetal/${g.host}` : g.provider === "akash" ? "akash" : `${g.provider}/${g.region}`;
