/**
 * What is deployed now, as the planner's previous plan: the nodes (site and clients) and gateways
 * (site) of a Sovereign stack's outputs `nodes` and `gateways`. The program reads them from its own
 * stack; the CLI (`--deployed`) from `pulumi stack output --json` or `pulumi stack export`, so
 * `plan`, `compare`, `outage` and `validate` show what `up` will do.
 */
import { z } from "zod";
import { SpecError } from "../errors";
import { InputFileError, readInputFile } from "../input-file";
import { markerRelease, type NodeRelease } from "./release";
import type { PreviousGateway, PreviousNode } from "./types";

/** The deployed fleet: what `PlanOptions.previous` and `previousGateways` take. */
export interface DeployedFleet {
  previous: PreviousNode[];
  previousGateways: PreviousGateway[];
}

export const NOTHING_DEPLOYED: DeployedFleet = { previous: [], previousGateways: [] };

const DeployedNode = z.object({ id: z.string(), site: z.string(), clients: z.record(z.string(), z.string()) });
const DeployedGateway = z.object({ id: z.string(), site: z.string() });

/** Pulumi's marker of a secret value in an export (with `plaintext` under --show-secrets). */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";

/**
 * The previous plan in a stack's outputs. Entries without an id and a site (outputs of an older
 * version) are left out: they are planned afresh, never guessed.
 */
export function deployedFromOutputs(outputs: {
  nodes?: unknown;
  gateways?: unknown;
  monitors?: unknown;
}): DeployedFleet {
  const entries = <T>(value: unknown, schema: z.ZodType<T>): T[] =>
    Object.values(isRecord(value) ? value : {}).flatMap((v) => {
      const parsed = schema.safeParse(v);
      return parsed.success ? [parsed.data] : [];
    });
  return {
    previous: entries(outputs.nodes, DeployedNode).map((n) => ({ id: n.id, site: n.site, clients: n.clients })),
    // Monitors keep their sites like gateways (the planner pins both by id).
    previousGateways: [
      ...entries(outputs.gateways, DeployedGateway),
      ...entries(outputs.monitors, DeployedGateway),
    ].map((g) => ({ id: g.id, site: g.site })),
  };
}

const NOT_DEPLOYED_STATE =
  "not the outputs of a Sovereign stack: give `pulumi stack output --json > deployed.json` or `pulumi stack export > deployed.json` of the stack";

/** The deployed fleet in the JSON text of `pulumi stack output --json` or `pulumi stack export`. */
export function parseDeployedState(json: string, file?: string): DeployedFleet {
  const plain = deployedOutputs(json, file);
  return deployedFromOutputs({ nodes: plain("nodes"), gateways: plain("gateways"), monitors: plain("monitors") });
}

const DeployedMonitor = z.object({ id: z.string(), prometheusUrl: z.url({ protocol: /^https?$/ }) });

/** The Prometheus URLs of the deployed monitors (output `monitors`), in id order; none without monitors. */
export function parseDeployedMonitors(json: string, file?: string): Array<{ id: string; prometheusUrl: string }> {
  const monitors = deployedOutputs(json, file)("monitors");
  return Object.values(isRecord(monitors) ? monitors : {})
    .flatMap((v) => {
      const parsed = DeployedMonitor.safeParse(v);
      return parsed.success ? [parsed.data] : [];
    })
    .sort((a, b) => a.id.localeCompare(b.id));
}

/** Reads `--deployed FILE` for its monitors' URLs (`sovereign status`). */
export function readDeployedMonitors(file: string): Array<{ id: string; prometheusUrl: string }> {
  return withDeployedFile(file, (text) => parseDeployedMonitors(text, file));
}

/**
 * Each node's release (images by layer) and where it was read. A `pulumi stack export` holds each
 * node's marker, written once the node started with that release, so a rollout stopped midway shows
 * there; the outputs of `pulumi stack output --json` are those of the last `pulumi up` that
 * completed (Pulumi keeps them when an update fails). A node without either has no entry (unknown).
 */
export interface DeployedReleases {
  source: "export" | "outputs";
  byNode: Record<string, NodeRelease>;
}

const ReleaseOutput = z.object({ id: z.string(), release: z.record(z.string(), z.string()) });
const ExportedResource = z.looseObject({
  delete: z.boolean().optional(),
  outputs: z.looseObject({ environment: z.record(z.string(), z.unknown()) }),
});

export function parseDeployedReleases(json: string, file?: string): DeployedReleases {
  const { outputs, resources } = deployedDocument(json, file);
  if (!resources) {
    const nodes = outputs("nodes");
    const entries = Object.values(isRecord(nodes) ? nodes : {}).flatMap((v) => {
      const parsed = ReleaseOutput.safeParse(v);
      return parsed.success ? [[parsed.data.id, parsed.data.release] as const] : [];
    });
    return { source: "outputs", byNode: Object.fromEntries(entries) };
  }
  const byNode: Record<string, NodeRelease> = {};
  for (const r of resources) {
    const parsed = ExportedResource.safeParse(r);
    // A replaced marker waiting for deletion (`delete: true`) is the release before.
    if (!parsed.success || parsed.data.delete) continue;
    const marker = markerRelease(parsed.data.outputs.environment);
    if (marker) byNode[marker.node] = marker.release;
  }
  return { source: "export", byNode };
}

/** Reads `--deployed FILE` for each node's release (`sovereign status`). */
export function readDeployedReleases(file: string): DeployedReleases {
  return withDeployedFile(file, (text) => parseDeployedReleases(text, file));
}

/** The stack outputs of an outputs or export file, by name, decrypted where the export shows them. */
function deployedOutputs(json: string, file?: string): (name: string) => unknown {
  return deployedDocument(json, file).outputs;
}

/** The stack outputs (see deployedOutputs) and, in an export, every resource's state. */
function deployedDocument(
  json: string,
  file?: string,
): { outputs: (name: string) => unknown; resources?: readonly unknown[] } {
  const fail = (message: string): never => {
    throw new SpecError([{ path: "--deployed", message }], file);
  };
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (e) {
    return fail(`not JSON (${(e as Error).message}); ${NOT_DEPLOYED_STATE}`);
  }
  const outputs = stackOutputs(raw);
  if (!outputs || !("nodes" in outputs)) return fail(NOT_DEPLOYED_STATE);
  const resources = isRecord(raw) && isRecord(raw.deployment) ? raw.deployment.resources : undefined;
  const plain = (name: string) => {
    const v = outputs[name];
    if (!isRecord(v) || v[SECRET_SIG] === undefined) return v;
    if (typeof v.plaintext !== "string")
      return fail(`the ${name} output is encrypted; export with \`pulumi stack export --show-secrets\``);
    try {
      return JSON.parse(v.plaintext);
    } catch {
      return fail(`the ${name} output's plaintext is not JSON; ${NOT_DEPLOYED_STATE}`);
    }
  };
  return { outputs: plain, resources: Array.isArray(resources) ? resources : undefined };
}

/** Reads `--deployed FILE`. */
export function readDeployedState(file: string): DeployedFleet {
  return withDeployedFile(file, (text) => parseDeployedState(text, file));
}

function withDeployedFile<T>(file: string, parse: (text: string) => T): T {
  try {
    return parse(readInputFile(file));
  } catch (e) {
    if (e instanceof InputFileError)
      throw new SpecError([{ path: "--deployed", message: `cannot read the deployed state: ${e.reason}` }], file);
    throw e;
  }
}

/** The outputs object: the file itself (`stack output --json`), or the Stack resource's (`stack export`). */
function stackOutputs(raw: unknown): Record<string, unknown> | undefined {
  if (!isRecord(raw)) return undefined;
  const resources = isRecord(raw.deployment) ? raw.deployment.resources : undefined;
  if (!Array.isArray(resources)) return raw;
  const stack = resources.find((r) => isRecord(r) && r.type === "pulumi:pulumi:Stack");
  return isRecord(stack) && isRecord(stack.outputs) ? stack.outputs : undefined;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
