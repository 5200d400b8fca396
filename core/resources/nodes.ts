/** Machines that serve a chain, as the diversity math sees them (core/diversity is the one implementation). */
import type { DiversityNode } from "../diversity";
import type { Machine } from "./types";

/** One DiversityNode per machine that says what it serves; machines that do not are left out. */
export function diversityNodes(machines: readonly Machine[]): DiversityNode[] {
  return machines.flatMap((m) =>
    m.served
      ? [
          {
            id: m.served.node,
            chainKey: `${m.served.chain}/${m.served.network}`,
            operator: m.operator,
            region: m.region ?? "unknown",
            jurisdiction: m.jurisdiction,
            cloudAct: m.cloudAct,
            legal: m.legal,
            clients: m.served.clients,
          },
        ]
      : [],
  );
}
