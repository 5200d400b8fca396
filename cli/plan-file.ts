/**
 * `validate --plan`: a plan saved with `plan --format json`, read back and checked against the spec
 * it claims to follow. The diversity rules come from core/diversity (`evaluatePolicy`, the one
 * implementation of the share math); this file adds only what a saved plan can get wrong on its
 * own: field types, node counts, the budget, sites the spec does not allow (or facts that do not
 * match the site), and clients the chain entry does not allow.
 */
import { readFileSync } from "node:fs";
import type { Catalog } from "../core/catalog/load";
import { evaluatePolicy, type DiversityNode, type PolicyCheck } from "../core/diversity";
import type { InputProblem } from "../core/errors";
import { alternativesIn } from "../core/catalog/load";
import type { Fleet, Site } from "../core/fleet-spec/resolve";
import { UsageError } from "./errors";

/** A node of a saved plan: what the checks read of it. */
export interface SavedNode extends DiversityNode {
  chain: string;
  network: string;
  role: string;
  provider: string;
  host?: string;
  monthlyUsd: number;
}

const PROVIDERS = ["aws", "gcp", "azure", "akash", "baremetal"];
const STRING_FIELDS = ["id", "chain", "network", "role", "provider", "operator", "region", "jurisdiction"] as const;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const typeOf = (v: unknown) => (v === null ? "null" : Array.isArray(v) ? "an array" : typeof v === "object" ? "an object" : `a ${typeof v}`);

/** Reads and type-checks a saved plan; every problem names `nodes[i].field`. Throws UsageError (exit 2). */
export function readPlanFile(file: string): SavedNode[] {
  const fail = (problems: InputProblem[]): never => { throw new UsageError(problems, { file, header: "the saved plan is not valid" }); };
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === "ENOENT" ? "no such file" : err.code === "EISDIR" ? "it is a directory" : err instanceof SyntaxError ? `not JSON (${err.message})` : err.message;
    return fail([{ path: "--plan", message: `cannot read the plan: ${why}` }]);
  }
  if (!isRecord(raw) || raw.schemaVersion !== 1 || raw.kind !== "plan" || !Array.isArray(raw.nodes)) {
    return fail([{ path: "--plan", message: "not a plan: expected the output of `sovereign plan --format json` (schemaVersion 1, kind plan, nodes[])" }]);
  }
  const problems: InputProblem[] = [];
  const ids = new Set<string>();
  const nodes = raw.nodes.map((n: unknown, i: number): SavedNode | undefined => {
    const at = `nodes[${i}]`;
    if (!isRecord(n)) { problems.push({ path: at, message: `must be an object, not ${typeOf(n)}` }); return undefined; }
    const before = problems.length;
    for (const key of STRING_FIELDS) {
      if (n[key] === undefined) problems.push({ path: `${at}.${key}`, message: "missing" });
      else if (typeof n[key] !== "string" || n[key] === "") problems.push({ path: `${at}.${key}`, message: `must be a non-empty string, not ${typeOf(n[key])}` });
    }
    if (typeof n.provider === "string" && n.provider && !PROVIDERS.includes(n.provider)) {
      problems.push({ path: `${at}.provider`, message: `unknown provider '${n.provider}' (one of ${PROVIDERS.join(", ")})` });
    }
    if (n.host !== undefined && (typeof n.host !== "string" || n.host === "")) problems.push({ path: `${at}.host`, message: `must be a non-empty string, not ${typeOf(n.host)}` });
    if (n.provider === "baremetal" && n.host === undefined) problems.push({ path: `${at}.host`, message: "missing (a bare-metal node names its host)" });
    if (typeof n.cloudAct !== "boolean") problems.push({ path: `${at}.cloudAct`, message: n.cloudAct === undefined ? "missing" : `must be true or false, not ${typeOf(n.cloudAct)}` });
    if (typeof n.monthlyUsd !== "number" || !Number.isFinite(n.monthlyUsd) || n.monthlyUsd < 0) {
      problems.push({ path: `${at}.monthlyUsd`, message: n.monthlyUsd === undefined ? "missing" : `must be a number >= 0, not ${typeOf(n.monthlyUsd)}${typeof n.monthlyUsd === "number" ? ` ${n.monthlyUsd}` : ""}` });
    }
    if (!isRecord(n.clients)) {
      problems.push({ path: `${at}.clients`, message: n.clients === undefined ? "missing" : `must be an object of layer: client, not ${typeOf(n.clients)}` });
    } else {
      if (Object.keys(n.clients).length === 0) problems.push({ path: `${at}.clients`, message: "names no client" });
      for (const [layer, client] of Object.entries(n.clients)) {
        if (typeof client !== "string" || client === "") problems.push({ path: `${at}.clients.${layer}`, message: `must be a client id (a string), not ${typeOf(client)}` });
      }
    }
    if (typeof n.id === "string") {
      if (ids.has(n.id)) problems.push({ path: `${at}.id`, message: `'${n.id}' is used by another node` });
      ids.add(n.id);
    }
    if (problems.length > before) return undefined;
    return {
      id: n.id as string, chain: n.chain as string, network: n.network as string, role: n.role as string,
      chainKey: `${n.chain}/${n.network}`, provider: n.provider as string, host: n.host as string | undefined,
      operator: n.operator as string, region: n.region as string, jurisdiction: n.jurisdiction as string,
      cloudAct: n.cloudAct as boolean, clients: n.clients as Record<string, string>, monthlyUsd: n.monthlyUsd as number,
    };
  });
  if (problems.length) fail(problems);
  return nodes as SavedNode[];
}

const usd = (x: number) => `$${x.toFixed(2)}`;

/** Every check of a saved plan against the spec: the policy (core/diversity), counts, budget, sites, clients. */
export function checkSavedPlan(fleet: Fleet, catalog: Catalog, nodes: readonly SavedNode[]): PolicyCheck[] {
  const checks = evaluatePolicy(fleet.spec.policy, nodes, alternativesIn(catalog));

  const wanted = new Map<string, number>();
  for (const g of fleet.groups) wanted.set(g.chainKey, (wanted.get(g.chainKey) ?? 0) + g.count);
  for (const chain of new Set(nodes.map((n) => n.chainKey))) if (!wanted.has(chain)) wanted.set(chain, 0);
  for (const [chain, count] of wanted) {
    const has = nodes.filter((n) => n.chainKey === chain).length;
    checks.push({ rule: "count", scope: chain, ok: has === count, limit: count, actual: has, message: `the plan has ${has} ${chain} nodes; the spec asks for ${count}` });
  }

  const budget = fleet.spec.budget?.monthlyUsd;
  if (budget !== undefined) {
    const total = Math.round(nodes.reduce((a, n) => a + n.monthlyUsd, 0) * 100) / 100;
    checks.push({ rule: "budget.monthlyUsd", scope: "fleet", ok: total <= budget + 1e-6, limit: budget, actual: total, message: `the plan's nodes cost ${usd(total)}/month; the budget is ${usd(budget)}` });
  }

  checks.push(...perNode("sites", nodes, (n) => siteProblem(fleet, n), "every node is at a site the spec allows, with that site's operator, region and jurisdiction"));
  checks.push(...siteCaps(fleet, nodes));
  checks.push(...perNode("clients", nodes, (n) => clientProblem(fleet, n), "every node runs clients its chain entry allows"));
  return checks;
}

/** One BREACH line per node with a problem, or one ok line for all of them. */
function perNode(rule: string, nodes: readonly SavedNode[], problem: (n: SavedNode) => string | undefined, allGood: string): PolicyCheck[] {
  const bad = nodes.flatMap((n) => {
    const message = problem(n);
    return message ? [{ rule, scope: n.id, ok: false, limit: 0, actual: 1, message }] : [];
  });
  return bad.length ? bad : [{ rule, scope: "fleet", ok: true, limit: 0, actual: 0, message: allGood }];
}

function siteOf(fleet: Fleet, n: SavedNode): Site | undefined {
  return n.provider === "baremetal"
    ? fleet.sites.find((s) => s.provider === "baremetal" && s.host?.name === n.host)
    : fleet.sites.find((s) => s.provider === n.provider && s.region === n.region);
}

function siteProblem(fleet: Fleet, n: SavedNode): string | undefined {
  const site = siteOf(fleet, n);
  if (!site) {
    const allowed = fleet.sites.map((s) => s.id).join(", ");
    const where = n.provider === "baremetal" ? `host '${n.host}'` : n.provider === "akash" ? "akash" : `${n.provider} region '${n.region}'`;
    return `${where} is not a site the spec allows (allowed: ${allowed})`;
  }
  const wrong = (["operator", "region", "jurisdiction", "cloudAct"] as const)
    .filter((k) => site[k] !== n[k])
    .map((k) => `${k} ${JSON.stringify(n[k])} (the site's is ${JSON.stringify(site[k])})`);
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
      checks.push({ rule: "sites.maxNodes", scope: site.provider, ok: has <= site.providerMaxNodes, limit: site.providerMaxNodes, actual: has, message: `${has} node(s) on ${site.provider}; at most ${site.providerMaxNodes}` });
    }
    const cap = site.host?.maxNodes;
    if (cap !== undefined) {
      const has = nodes.filter((n) => n.provider === "baremetal" && n.host === site.host!.name).length;
      checks.push({ rule: "sites.maxNodes", scope: `host ${site.host!.name}`, ok: has <= cap, limit: cap, actual: has, message: `${has} node(s) on host ${site.host!.name}; at most ${cap}` });
    }
  }
  return checks;
}

function clientProblem(fleet: Fleet, n: SavedNode): string | undefined {
  const entries = fleet.groups.filter((g) => g.chain === n.chain && g.network === n.network && g.role === n.role);
  if (!entries.length) return `the spec has no chain entry for ${n.chainKey} ${n.role}`;
  const problems = entries.map((g) => {
    const missing = Object.keys(g.clients).filter((layer) => n.clients[layer] === undefined);
    if (missing.length) return `no client for layer(s) ${missing.join(", ")} (chains[${g.index}])`;
    const extra = Object.keys(n.clients).filter((layer) => !g.clients[layer]);
    if (extra.length) return `${n.chain} has no client layer(s) ${extra.join(", ")}`;
    const bad = Object.entries(n.clients).find(([layer, client]) => !g.clients[layer].includes(client));
    return bad ? `${bad[0]} client '${bad[1]}' is not allowed by chains[${g.index}] (allowed: ${g.clients[bad[0]].join(", ")})` : undefined;
  });
  return problems.includes(undefined) ? undefined : problems.join("; ");
}
