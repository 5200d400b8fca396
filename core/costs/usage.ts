/**
 * The usage file of `sovereign cost --usage`, modelled on Infracost's `infracost-usage.yml`:
 *
 * ```yaml
 * version: 0.1
 * resource_usage:                     # by Pulumi resource name or URN
 *   eth-btc-example-ethereum-aws-eu-central-1-1-vm:
 *     monthly_egress_gb: 2500
 * resource_type_default_usage:        # by Pulumi type token, for every resource of the type
 *   gcp:compute/instance:Instance:
 *     monthly_egress_gb: 800
 * ```
 */
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { z } from "zod";
import { pathToString, SpecError } from "../errors";
import type { Usage } from "./resources";

const Entry = z.strictObject({
  monthly_egress_gb: z.number().nonnegative().max(1e9).describe("Outbound internet traffic, GB per month"),
});
const UsageFile = z.strictObject({
  version: z.union([z.literal(0.1), z.literal("0.1")]),
  resource_usage: z.record(z.string(), Entry).optional(),
  resource_type_default_usage: z.record(z.string(), Entry).optional(),
});

const toUsage = (entries: Record<string, z.infer<typeof Entry>> = {}) =>
  Object.fromEntries(Object.entries(entries).map(([k, v]) => [k, { monthlyEgressGb: v.monthly_egress_gb }]));

export function readUsageFile(file: string): Usage {
  let raw: unknown;
  try {
    raw = parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new SpecError([{ path: "", message: `cannot read the usage file: ${(e as Error).message}` }], file);
  }
  const result = UsageFile.safeParse(raw);
  if (!result.success) {
    throw new SpecError(
      result.error.issues.map((i) => ({
        path: pathToString(i.path),
        message: `${i.message} (a usage file is { version: 0.1, resource_usage: { <name>: { monthly_egress_gb: N } } })`,
      })),
      file,
    );
  }
  return { resources: toUsage(result.data.resource_usage), types: toUsage(result.data.resource_type_default_usage) };
}
