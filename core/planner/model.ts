import { allowedCount, type AlternativesOf } from "../diversity";
import type { Fleet } from "../fleet-spec/resolve";
import type { Candidate } from "./candidates";

/** Rule families that can be switched off one at a time to find which ones make a spec infeasible. */
export type RuleFamily =
  | "maxShare.operator" | "maxShare.region" | "maxShare.jurisdiction" | "maxShare.client"
  | "minOperators" | "survive" | "budget" | "sites.maxNodes";
export const RULE_FAMILIES: readonly RuleFamily[] = [
  "maxShare.operator", "maxShare.region", "maxShare.jurisdiction", "maxShare.client", "minOperators", "survive", "budget", "sites.maxNodes",
];

/** Lower bounds that keep a deployed plan: nodes per candidate index, clients per `group|layer|client`. */
export interface Keep {
  nodes: Map<number, number>;
  clients: Map<string, number>;
}

/** An integer column counting a group's nodes that run one client of one layer. */
export interface ClientColumn { group: number; layer: string; client: string; column: string }

export interface Model {
  /** CPLEX LP text for HiGHS. */
  lp: string;
  /** LP column name of each candidate, same order as the candidates. */
  columns: string[];
  /** Client counts, for the layers under the client cap (other layers are spread round-robin). */
  clientColumns: ClientColumn[];
  hostColumns: Map<string, string>;
}

/**
 * The placement MILP. Integer x[c] = nodes of candidate c's group at its site; binary u[h] = bare-metal
 * host h is rented; binary z[q,o] = chain q uses operator o (only for minOperators).
 * Minimise cloud/Akash node prices + host prices, keeping every rule not in `relaxed`.
 */
export function buildModel(fleet: Fleet, candidates: Candidate[], relaxed: ReadonlySet<RuleFamily> = new Set(), alternatives: AlternativesOf = () => 0, keep?: Keep): Model {
  const { policy, budget } = fleet.spec;
  const columns = candidates.map((_, i) => `x${i}`);
  const rows: string[] = [];
  const hostColumns = new Map<string, string>();
  const hosts = [...new Set(candidates.filter((c) => c.site.host).map((c) => c.site))];
  hosts.forEach((site, i) => hostColumns.set(site.id, `u${i}`));
  const binaries: string[] = [...hostColumns.values()];

  const sum = (idx: number[], coef: (i: number) => number = () => 1) =>
    idx.length ? idx.map((i) => `${fmt(coef(i))} ${columns[i]}`).join(" + ") : "0 x_none";
  const where = (pred: (c: Candidate) => boolean) => candidates.flatMap((c, i) => (pred(c) ? [i] : []));

  // Every group gets exactly its count.
  for (const group of fleet.groups) rows.push(`count_g${group.index}: ${sum(where((c) => c.group === group))} = ${group.count}`);

  const chainTotals = new Map<string, number>();
  for (const g of fleet.groups) chainTotals.set(g.chainKey, (chainTotals.get(g.chainKey) ?? 0) + g.count);
  const chainKeys = [...chainTotals.keys()];

  chainKeys.forEach((chainKey, q) => {
    const total = chainTotals.get(chainKey)!;
    const inChain = (c: Candidate) => c.group.chainKey === chainKey;
    for (const dim of ["operator", "region", "jurisdiction"] as const) {
      let limit = Infinity;
      const cap = policy.maxShare?.[dim];
      if (cap !== undefined && !relaxed.has(`maxShare.${dim}`)) limit = allowedCount(cap, total);
      const lossKey = dim === "operator" ? "operatorLoss" : dim === "region" ? "regionLoss" : undefined;
      if (lossKey && policy.survive?.[lossKey] === 1 && !relaxed.has("survive")) limit = Math.min(limit, total - policy.survive.minNodes);
      if (limit === Infinity) continue;
      const values = [...new Set(candidates.filter(inChain).map((c) => c.site[dim]))].sort();
      values.forEach((value, v) => {
        rows.push(`${dim}_q${q}_v${v}: ${sum(where((c) => inChain(c) && c.site[dim] === value))} <= ${Math.max(0, limit)}`);
      });
    }
    const minOps = policy.minOperators ?? 1;
    if (minOps > 1 && !relaxed.has("minOperators")) {
      const operators = [...new Set(candidates.filter(inChain).map((c) => c.site.operator))].sort();
      const z = operators.map((_, o) => `z${q}_${o}`);
      operators.forEach((op, o) => rows.push(`uses_q${q}_o${o}: ${sum(where((c) => inChain(c) && c.site.operator === op))} - ${z[o]} >= 0`));
      rows.push(`minops_q${q}: ${z.length ? z.join(" + ") : "0 x_none"} >= ${minOps}`);
      binaries.push(...z);
    }
  });

  // Client cap, per chain and layer where the catalog knows several implementations: integer
  // y[g,layer,client] counts a group's nodes running that client (placement does not depend on it).
  const clientColumns: ClientColumn[] = [];
  const clientCap = policy.maxShare?.client;
  if (clientCap !== undefined && !relaxed.has("maxShare.client")) {
    for (const group of fleet.groups) {
      for (const [layer, allowed] of Object.entries(group.clients)) {
        if (alternatives(group.chainKey, layer) < 2) continue;
        const cols = allowed.map((client, k) => ({ group: group.index, layer, client, column: `y${group.index}_${slug(layer)}_${k}` }));
        clientColumns.push(...cols);
        rows.push(`clients_g${group.index}_${slug(layer)}: ${cols.map((c) => c.column).join(" + ")} = ${group.count}`);
      }
    }
    chainKeys.forEach((chainKey, q) => {
      const limit = allowedCount(clientCap, chainTotals.get(chainKey)!);
      const inChain = clientColumns.filter((c) => fleet.groups[groupPosition(fleet, c.group)].chainKey === chainKey);
      const keys = [...new Set(inChain.map((c) => `${c.layer}|${c.client}`))].sort();
      keys.forEach((key, k) => {
        const cols = inChain.filter((c) => `${c.layer}|${c.client}` === key).map((c) => c.column);
        rows.push(`clientcap_q${q}_${k}: ${cols.join(" + ")} <= ${limit}`);
      });
    });
  }

  // Bare-metal hosts: resources and node caps, paid in full once used.
  for (const site of hosts) {
    const h = site.host!;
    const u = hostColumns.get(site.id)!;
    const on = where((c) => c.site === site);
    rows.push(`cpu_${u}: ${sum(on, (i) => candidates[i].group.profile.vcpu)} - ${h.cpu} ${u} <= 0`);
    rows.push(`mem_${u}: ${sum(on, (i) => candidates[i].group.profile.memoryGb)} - ${h.memoryGb} ${u} <= 0`);
    rows.push(`disk_${u}: ${sum(on, (i) => candidates[i].group.profile.diskGb)} - ${h.diskGb} ${u} <= 0`);
    // Clients announce their P2P port to peers, so it cannot be shifted: nodes whose P2P ports meet
    // never share a host (a chain's nodes included: one host would be one failure domain anyway).
    on.forEach((i, a) => on.slice(a).forEach((j, b) => {
      const gi = candidates[i].group;
      const gj = candidates[j].group;
      if (!gi.p2pPorts.some((p) => gj.p2pPorts.includes(p))) return;
      rows.push(i === j ? `p2p_${u}_${a}: ${columns[i]} <= 1` : `p2p_${u}_${a}_${a + b}: ${columns[i]} + ${columns[j]} <= 1`);
    }));
    if (h.maxNodes !== undefined && !relaxed.has("sites.maxNodes")) rows.push(`nodes_${u}: ${sum(on)} - ${h.maxNodes} ${u} <= 0`);
  }

  if (!relaxed.has("sites.maxNodes")) {
    const capped = new Map<string, number>();
    for (const s of new Set(candidates.map((c) => c.site))) if (s.providerMaxNodes !== undefined) capped.set(s.provider, s.providerMaxNodes);
    for (const [provider, max] of capped) rows.push(`quota_${provider}: ${sum(where((c) => c.site.provider === provider))} <= ${max}`);
  }

  const objective = [
    ...candidates.map((c, i) => `${fmt(c.unitUsd)} ${columns[i]}`),
    ...hosts.map((s) => `${fmt(s.host!.monthlyUsd)} ${hostColumns.get(s.id)}`),
  ].join(" + ");
  if (budget && !relaxed.has("budget")) rows.push(`budget: ${objective} <= ${fmt(budget.monthlyUsd)}`);

  const lp = [
    "Minimize", ` cost: ${objective}`,
    "Subject To", ...rows.map((r) => ` ${r}`),
    "Bounds", ...columns.map((c, i) => ` ${Math.min(keep?.nodes.get(i) ?? 0, candidates[i].group.count)} <= ${c} <= ${candidates[i].group.count}`),
    ...clientColumns.map((c) => ` ${keep?.clients.get(`${c.group}|${c.layer}|${c.client}`) ?? 0} <= ${c.column}`), " x_none = 0",
    "General", ` ${[...columns, ...clientColumns.map((c) => c.column)].join(" ")}`,
    ...(binaries.length ? ["Binary", ` ${binaries.join(" ")}`] : []),
    "End",
  ].join("\n");
  return { lp, columns, clientColumns, hostColumns };
}

const groupPosition = (fleet: Fleet, index: number) => fleet.groups.findIndex((g) => g.index === index);
const slug = (s: string) => s.replace(/[^a-zA-Z0-9]/g, "");

const fmt = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(6));

