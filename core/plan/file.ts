/**
 * The plan as a file: the JSON `plan --format json` writes, and the reader `validate --plan` uses to
 * take such a file back. One version constant covers every JSON document the CLI prints.
 */
import { z } from "zod";
import type { Catalog } from "../catalog/load";
import type { DiversityNode } from "../diversity";
import { pathToString, quote, SavedPlanError, type InputProblem } from "../errors";
import { InputFileError, readInputFile } from "../input-file";
import { RESERVED_KEY, reservedKeyPaths } from "../own";
import type { Plan } from "./types";
import { planWarnings } from "./warnings";

/** Bumped on any breaking change of the JSON documents (plan, comparison, outage, catalog); see docs/json-output.md. */
export const JSON_SCHEMA_VERSION = 1;

/** The plan as JSON: no timing, so the same spec gives byte-identical output. */
export function planToJson(plan: Plan): object {
  return {
    schemaVersion: JSON_SCHEMA_VERSION,
    kind: "plan",
    fleet: plan.fleet,
    nodes: plan.nodes.map((n) => ({
      id: n.id,
      chain: n.chain,
      network: n.network,
      role: n.role,
      clients: n.clients,
      provider: n.provider,
      operator: n.operator,
      region: n.region,
      ...(n.host ? { host: n.host } : {}),
      country: n.country,
      jurisdiction: n.jurisdiction,
      cloudAct: n.cloudAct,
      ...(n.legal ? { legal: n.legal } : {}),
      ...(n.shape ? { shape: n.shape } : {}),
      vcpu: n.vcpu,
      memoryGb: n.memoryGb,
      storage: n.storage,
      monthlyUsd: n.monthlyUsd,
      cost: n.cost,
      estimate: n.estimate,
    })),
    // Only with `gateways` in the spec, so a plan without an access layer reads as before.
    ...(plan.gateways.length
      ? { gateways: plan.gateways.map(({ sources: _sources, storage: _storage, ...g }) => g) }
      : {}),
    ...(plan.monitors?.length ? { monitors: plan.monitors.map(({ sources: _sources, ...m }) => m) } : {}),
    hosts: plan.hosts,
    totals: plan.totals,
    metrics: plan.metrics,
    policy: plan.policy,
    ...(plan.rollout ? { rollout: plan.rollout } : {}),
    solver: {
      name: plan.solver.name,
      status: plan.solver.status,
      optimal: plan.solver.optimal,
      // The proven gap says how far from optimal a plan the time limit stopped may be (JSON has no Infinity).
      gap: plan.solver.optimal
        ? 0
        : plan.solver.gap !== undefined && Number.isFinite(plan.solver.gap)
          ? plan.solver.gap
          : null,
      variables: plan.solver.variables,
    },
    sources: [...new Set([...plan.nodes, ...plan.gateways, ...(plan.monitors ?? [])].flatMap((n) => n.sources))].sort(),
    warnings: planWarnings(plan),
  };
}

/** A node of a saved plan: what the checks read of it. */
export interface SavedNode extends DiversityNode {
  chain: string;
  network: string;
  role: string;
  provider: string;
  host?: string;
  monthlyUsd: number;
}

/** A gateway of a saved plan: what the checks read of it. */
export interface SavedGateway {
  id: string;
  chains: string[];
  provider: string;
  operator: string;
  region: string;
  jurisdiction: string;
  cloudAct: boolean;
  legal?: readonly string[];
  host?: string;
  monthlyUsd: number;
}

/** A saved plan as the checks read it: its nodes and, with an access layer, its gateways. */
export interface SavedPlan {
  nodes: SavedNode[];
  gateways: SavedGateway[];
}

const text = z.string().min(1, "must be a non-empty string");

/** What a saved node and a saved gateway both state: where it runs and what it costs. */
const SavedMachineJson = z.object({
  id: text,
  provider: text,
  operator: text,
  region: text,
  jurisdiction: text,
  host: text.optional(),
  cloudAct: z.boolean(),
  /** Absent in plans saved before legal regimes: then only cloudAct is known (DiversityNode.legal). */
  legal: z.array(text).optional(),
  monthlyUsd: z.number().nonnegative("must be a number >= 0"),
});

const SavedNodeJson = SavedMachineJson.extend({
  chain: text,
  network: text,
  role: text,
  clients: z.record(z.string(), text).refine((c) => Object.keys(c).length > 0, "names no client"),
});

const SavedGatewayJson = SavedMachineJson.extend({ chains: z.array(text).min(1, "names no chain") });

/** Only what identifies the file as a plan is checked strictly; the rest of it is reported, not read. */
const SavedPlanJson = z.object({
  schemaVersion: z.literal(JSON_SCHEMA_VERSION),
  kind: z.literal("plan"),
  nodes: z.array(z.unknown()),
  gateways: z.array(z.unknown()).optional(),
});

const NOT_A_PLAN =
  "not a plan: expected the output of `sovereign plan --format json` " +
  `(schemaVersion ${JSON_SCHEMA_VERSION}, kind plan, nodes[])`;

/** Reads and checks a saved plan; every problem names `nodes[i].field` or `gateways[i].field`. Throws SavedPlanError. */
export function readSavedPlan(file: string, catalog: Catalog): SavedPlan {
  let raw: string;
  try {
    raw = readInputFile(file);
  } catch (e) {
    if (!(e instanceof InputFileError)) throw e;
    throw new SavedPlanError([{ path: "--plan", message: `cannot read the plan: ${e.reason}` }], file);
  }
  return parseSavedPlan(raw, [...catalog.providers.keys(), "baremetal"], file);
}

/** Parses the JSON text of a saved plan; `providers` are the provider ids a node may name. */
export function parseSavedPlan(json: string, providers: readonly string[], file?: string): SavedPlan {
  const fail = (problems: InputProblem[]): never => {
    throw new SavedPlanError(problems, file);
  };
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (e) {
    return fail([{ path: "--plan", message: `cannot read the plan: not JSON (${(e as Error).message})` }]);
  }
  const plan = SavedPlanJson.safeParse(raw);
  if (!plan.success) return fail([{ path: "--plan", message: NOT_A_PLAN }]);
  const reserved = [
    ...reservedKeyPaths(plan.data.nodes, ["nodes"]),
    ...reservedKeyPaths(plan.data.gateways ?? [], ["gateways"]),
  ];
  if (reserved.length) return fail(reserved.map((path) => ({ path: pathToString(path), message: RESERVED_KEY })));

  const problems: InputProblem[] = [];
  const ids = new Set<string>();
  /** Parses one entry of `nodes` or `gateways`; the checks every entry gets name its field. */
  const entry = <T extends z.ZodType<{ id: string; provider: string; host?: string }>>(
    schema: T,
    at: Array<string | number>,
    raw: unknown,
  ): z.infer<T> | undefined => {
    const parsed = schema.safeParse(raw, { reportInput: true });
    if (!parsed.success) {
      problems.push(
        ...parsed.error.issues.map((issue) => ({
          path: pathToString([...at, ...issue.path]),
          message: explain(issue),
        })),
      );
      return undefined;
    }
    const item = parsed.data;
    const before = problems.length;
    if (!providers.includes(item.provider)) {
      problems.push({
        path: pathToString([...at, "provider"]),
        message: `unknown provider ${quote(item.provider)} (one of ${providers.join(", ")})`,
      });
    }
    if (item.provider === "baremetal" && item.host === undefined) {
      problems.push({
        path: pathToString([...at, "host"]),
        message: `missing (a bare-metal ${at[0] === "nodes" ? "node" : "gateway"} names its host)`,
      });
    }
    if (ids.has(item.id))
      problems.push({ path: pathToString([...at, "id"]), message: `${quote(item.id)} is used by another node` });
    ids.add(item.id);
    return problems.length > before ? undefined : item;
  };
  const nodes = plan.data.nodes.flatMap((n, i): SavedNode[] => {
    const node = entry(SavedNodeJson, ["nodes", i], n);
    return node ? [{ ...node, chainKey: `${node.chain}/${node.network}` }] : [];
  });
  const gateways = (plan.data.gateways ?? []).flatMap((g, i): SavedGateway[] => {
    const gateway = entry(SavedGatewayJson, ["gateways", i], g);
    return gateway ? [gateway] : [];
  });
  if (problems.length) fail(problems);
  return { nodes, gateways };
}

function explain(issue: z.core.$ZodIssue): string {
  if (issue.code !== "invalid_type") return issue.message;
  if (issue.input === undefined) return "missing";
  const want =
    issue.expected === "boolean"
      ? "true or false"
      : issue.expected === "record"
        ? "an object of layer: client"
        : issue.expected === "number"
          ? "a number >= 0"
          : `a ${issue.expected === "string" ? "non-empty string" : issue.expected}`;
  return `must be ${want}, not ${typeOf(issue.input)}`;
}

const typeOf = (v: unknown) =>
  v === null
    ? "null"
    : Array.isArray(v)
      ? "an array"
      : typeof v === "object"
        ? "an object"
        : typeof v === "number" && !Number.isFinite(v)
          ? `${v} (not a finite number)`
          : `a ${typeof v}`;
