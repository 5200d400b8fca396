/**
 * Pieces of a plan with an access layer, for tests: bare-metal hosts of a fleet spec and gateways
 * placed by hand, for tests of the outage model that need gateways at fixed hosts (the drill itself
 * has the planner place them).
 */
import type { PlannedGateway } from "../../core/plan";

/** A bare-metal host of `sites.baremetal.hosts` with room for one small node. */
export function baremetalHostSpec(
  name: string,
  address: string,
  operator: string,
  country: string,
  ssh: { user: string; port: number; hostKey: string },
) {
  return { name, address, operator, country, monthlyUsd: 50, cpu: 4, memoryGb: 8, diskGb: 100, maxNodes: 1, ssh };
}

/** A gateway on bare-metal host `host`, in region = the country in lower case. */
export function handPlacedGateway(host: string, operator: string, country: string, chains: string[]): PlannedGateway {
  return {
    id: `gateway-${host}`,
    chains,
    provider: "baremetal",
    site: `baremetal/${host}`,
    host,
    operator,
    region: country.toLowerCase(),
    country,
    jurisdiction: country,
    cloudAct: false,
    vcpu: 2,
    memoryGb: 4,
    monthlyUsd: 20,
    cost: { compute: 20, storage: 0, performance: 0, publicIp: 0, egress: 0, total: 20 },
    estimate: false,
    sources: ["hand-placed"],
  };
}
