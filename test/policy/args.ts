/**
 * The arguments the policy engine passes a policy, built by hand: policies are plain objects and
 * are called directly (constructing a PolicyPack would start the analyzer's gRPC server).
 */
import type { PolicyResource, ResourceValidationArgs, StackValidationArgs } from "@pulumi/policy";

export interface Fixture {
  type: string;
  name: string;
  props: Record<string, any>;
  /** Properties of the resource's provider (region, location). */
  provider?: Record<string, any>;
}

const urnOf = (f: Fixture) => `urn:pulumi:test::sovereign::${f.type}::${f.name}`;
const opts = {
  protect: false,
  ignoreChanges: [],
  aliases: [],
  customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
  additionalSecretOutputs: [],
};

export function resourceArgs(f: Fixture, config: object = {}): ResourceValidationArgs {
  return {
    type: f.type,
    name: f.name,
    urn: urnOf(f),
    props: f.props,
    opts: opts as any,
    provider: f.provider
      ? { type: `pulumi:providers:${f.type.split(":")[0]}`, name: "default", urn: "urn:provider", props: f.provider }
      : undefined,
    stackTags: new Map(),
    isType: () => false,
    asType: () => undefined,
    getConfig: <T extends object>() => config as T,
    notApplicable: (reason?: string): never => {
      throw new Error(`not applicable: ${reason}`);
    },
  };
}

export function stackArgs(fixtures: Fixture[], config: object = {}): StackValidationArgs {
  return {
    resources: fixtures.map((f): PolicyResource => ({
      type: f.type,
      name: f.name,
      urn: urnOf(f),
      props: f.props,
      opts: opts as any,
      dependencies: [],
      propertyDependencies: {},
      provider: f.provider
        ? { type: `pulumi:providers:${f.type.split(":")[0]}`, name: "default", urn: "urn:provider", props: f.provider }
        : undefined,
      isType: () => false,
      asType: () => undefined,
    })),
    stackTags: new Map(),
    getConfig: <T extends object>() => config as T,
    notApplicable: (reason?: string): never => {
      throw new Error(`not applicable: ${reason}`);
    },
  };
}

/** Runs a resource policy on one fixture; returns the violation messages. */
export async function violations(
  policy: { validateResource?: any },
  f: Fixture,
  config: object = {},
): Promise<string[]> {
  const out: string[] = [];
  const validate = policy.validateResource;
  for (const v of Array.isArray(validate) ? validate : [validate])
    await v(resourceArgs(f, config), (m: string) => out.push(m));
  return out;
}

export async function stackViolations(
  policy: { validateStack?: any },
  fixtures: Fixture[],
  config: object = {},
): Promise<string[]> {
  const out: string[] = [];
  await policy.validateStack(stackArgs(fixtures, config), (m: string) => out.push(m));
  return out;
}
