/**
 * Where a node lives on a bare-metal host. Everything is keyed by fleet AND node, so fleets that
 * share a host (`prod` and `staging` both running `bitcoin-fra-1-1`) never meet: their own
 * directories, compose project, container names, firewall table and port claim.
 */

/** Everything Sovereign puts on a bare-metal host lives below this directory. */
export const BAREMETAL_ROOT = "/srv/sovereign";

export interface BareMetalPaths {
  /** `<root>/fleets`: one directory per fleet below. */
  fleetsDir: string;
  /** `<root>/fleets/<fleet>`. */
  fleetDir: string;
  /** `<fleetDir>/data`: `<dataRoot>/<node>/` holds every byte the node writes. */
  dataRoot: string;
  /** `<fleetDir>/config`: `<configRoot>/<node>/` holds its compose project and secrets. */
  configRoot: string;
  /** `<root>/claims`: one `<claim>.ports` file per node of any fleet, the host ports it holds. */
  claimsDir: string;
  /** `<fleet>_<node>`: name of the claim file. */
  claim: string;
  /** `<fleet>_<node>`: docker compose project, prefix of container names. */
  project: string;
}

const NAME = /^[a-z0-9][a-z0-9-]*$/;

/** The paths and names of one node of one fleet. Fleet names and node ids hold no '_' or '/'. */
export function baremetalPaths(fleet: string, nodeId: string, root = BAREMETAL_ROOT): BareMetalPaths {
  if (!NAME.test(fleet))
    throw new Error(`fleet '${fleet}' cannot name paths on a host: use lower-case letters, digits and dashes`);
  if (!NAME.test(nodeId))
    throw new Error(`node id '${nodeId}' cannot name paths on a host: use lower-case letters, digits and dashes`);
  const fleetDir = `${root}/fleets/${fleet}`;
  return {
    fleetsDir: `${root}/fleets`,
    fleetDir,
    dataRoot: `${fleetDir}/data`,
    configRoot: `${fleetDir}/config`,
    claimsDir: `${root}/claims`,
    claim: `${fleet}_${nodeId}`,
    project: `${fleet}_${nodeId}`,
  };
}
