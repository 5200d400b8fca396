/**
 * The drift probes of a stack (`pulumi stack export`): per bare-metal host, how to reach it and
 * what its workloads should look like. Checked with zod; a probe of another shape is a problem
 * naming the resource, never skipped silently.
 */
import { z } from "zod";
import { ExpectedWorkloadSchema, type ExpectedWorkload } from "./check";
import type { SshTarget } from "./ssh";

/** The type token of components/baremetal/drift.ts's DriftProbe (a Pulumi dynamic resource). */
export const DRIFT_PROBE_TYPE = "pulumi-nodejs:dynamic/baremetal:DriftProbe";

/** Pulumi's marker of a secret value in an export (with `plaintext` under --show-secrets). */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";

/** One bare-metal host of a stack and the workloads the deploy left on it. */
export interface ProbedHost {
  name: string;
  target: SshTarget;
  workloads: ExpectedWorkload[];
}

const ProbeOutputs = z.object({
  hostName: z.string().min(1),
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535),
  user: z.string().min(1),
  hostKey: z.string().optional(),
  privateKey: z.unknown(),
  expected: ExpectedWorkloadSchema,
});

const Export = z.object({
  deployment: z.object({
    resources: z
      .array(z.looseObject({ urn: z.string(), type: z.string(), outputs: z.unknown().optional() }))
      .default([]),
  }),
});

export class DriftStateError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join("; "));
    this.name = "DriftStateError";
  }
}

/** The hosts of a stack export's drift probes, in the order first seen. */
export function probedHosts(exported: unknown): ProbedHost[] {
  const parsed = Export.safeParse(exported);
  if (!parsed.success)
    throw new DriftStateError([
      "not a stack export: give `pulumi stack export > state.json` (or --stack NAME); `pulumi stack output` has no probes",
    ]);
  const hosts = new Map<string, ProbedHost>();
  const problems: string[] = [];
  for (const r of parsed.data.deployment.resources.filter((r) => r.type === DRIFT_PROBE_TYPE)) {
    const probe = ProbeOutputs.safeParse(r.outputs);
    if (!probe.success) {
      const i = probe.error.issues[0];
      problems.push(`${r.urn}: outputs.${i?.path.join(".")}: ${i?.message}`);
      continue;
    }
    const p = probe.data;
    const key = `${p.host}:${p.port}`;
    const host = hosts.get(key) ?? {
      name: p.hostName,
      target: { host: p.host, port: p.port, user: p.user, hostKey: p.hostKey, privateKey: plaintext(p.privateKey) },
      workloads: [],
    };
    host.workloads.push(p.expected);
    hosts.set(key, host);
  }
  if (problems.length) throw new DriftStateError(problems);
  return [...hosts.values()];
}

/** A secret's plaintext when the export shows it (`--show-secrets`), else undefined. */
function plaintext(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (value && typeof value === "object" && SECRET_SIG in value) {
    const text = (value as { plaintext?: unknown }).plaintext;
    if (typeof text === "string") {
      try {
        const v = JSON.parse(text);
        return typeof v === "string" ? v : undefined;
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}
