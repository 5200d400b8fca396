/**
 * Legal reach: which of the catalog's legal regimes (the US CLOUD Act, ...) can compel an operator to
 * hand over data wherever the data sits. It follows the operator's legal home, not the region: a US
 * company's Frankfurt data centre is within the CLOUD Act's reach. A home the catalog does not know
 * for sure counts as within every regime's reach, unless the spec says otherwise (`outsideReach`).
 */
import type { Catalog } from "./load";
import { present } from "../present";

/** The regime the CLOUD Act columns (`cloudActShare`) count. */
export const CLOUD_ACT = "cloudAct";

/** Whether a legal home is known: a jurisdiction of the catalog that is no placeholder (Akash's). */
export function isKnownHome(catalog: Catalog, home: string | undefined): home is string {
  return home !== undefined && catalog.jurisdictions.get(home)?.unknown !== true;
}

/**
 * Ids of the regimes whose reach covers an operator with legal home `home`, in catalog order. A
 * known home is reached by the regimes that list it (an ISO country the catalog lists nowhere is
 * reached by none); an unknown home (undefined, or a placeholder like AKASH) by every regime but
 * those in `outside`, the spec's statement that the operator is outside them.
 */
export function regimesReaching(
  catalog: Catalog,
  home: string | undefined,
  outside: readonly string[] = [],
): string[] {
  const ids = [...catalog.regimes.keys()];
  return isKnownHome(catalog, home)
    ? ids.filter((id) => present(catalog.regimes.get(id), `regime ${id}`).reaches.includes(home))
    : ids.filter((id) => !outside.includes(id));
}

/** The legal home the catalog knows for an operator id (a cloud's or a listed bare-metal company), if any. */
export function operatorHome(catalog: Catalog, operator: string): string | undefined {
  const cloud = [...catalog.providers.values()].find((p) => p.operator.id === operator);
  return cloud?.operator.headquarters ?? catalog.operators.get(operator)?.headquarters;
}

/** A regime's name for messages: `the US CLOUD Act`, or the id when the catalog has no such regime. */
export function regimeName(catalog: Catalog, id: string): string {
  const name = catalog.regimes.get(id)?.name;
  return name ? `the ${name}` : id;
}
