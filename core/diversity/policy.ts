/**
 * The diversity policy a fleet spec states and the policy pack takes as its config: caps on the
 * share of a chain's nodes per operator, region, jurisdiction and client, and what the fleet must
 * survive. One schema: the spec parser uses it as is, the pack's config schema is derived from it.
 */
import { z } from "zod";

const share = (what: string) =>
  z
    .number()
    .gt(0, `a share is a fraction in (0, 1], e.g. 0.34 for a third; 0 would forbid every ${what}`)
    .max(1, "a share is a fraction in (0, 1], e.g. 0.5 for half (not a percentage)")
    .describe(`Largest fraction of a chain's nodes one ${what} may hold, in (0, 1].`);

const lossCount = (what: string) =>
  z
    .number()
    .int("must be 0 or 1")
    .min(0, "must be 0 or 1")
    .max(1, `must be 0 or 1: surviving the loss of several ${what} at once is not supported yet`);

export const Policy = z.strictObject({
  maxShare: z
    .strictObject({
      operator: share("operator (company)").optional(),
      region: share("region").optional(),
      jurisdiction: share("jurisdiction").optional(),
      client: share("client implementation (per layer)").optional(),
      legal: z
        .record(
          z.string().regex(/^[a-zA-Z][a-zA-Z0-9]*$/, "a legal regime id is one word, e.g. cloudAct"),
          z
            .number()
            .min(0, "a share is a fraction in [0, 1]; 0 keeps every node outside the regime's reach")
            .max(1, "a share is a fraction in [0, 1], e.g. 0.34 for a third (not a percentage)"),
        )
        .optional()
        .describe(
          "Largest fraction of a chain's nodes (and of the gateways) on operators within a legal regime's reach, per regime id of catalog/jurisdictions.yaml, e.g. { cloudAct: 0.34 }; in [0, 1]. An operator of unknown legal home counts as within reach. @default no caps",
        ),
    })
    .optional()
    .describe("Caps per chain. @default no caps"),
  minOperators: z
    .number()
    .int()
    .min(1)
    .max(100)
    .optional()
    .describe("Each chain runs on at least this many operators. @default 1"),
  survive: z
    .strictObject({
      operatorLoss: lossCount("operators").default(0).describe("Operators that may fail at once (0 or 1). @default 0"),
      regionLoss: lossCount("regions").default(0).describe("Regions that may fail at once (0 or 1). @default 0"),
      minNodes: z
        .number()
        .int("must be a whole number")
        .min(1, "must be at least 1")
        .max(10000, "at most 10,000 nodes")
        .describe("Nodes each chain keeps after the loss."),
    })
    .optional(),
});
export type Policy = z.infer<typeof Policy>;

/**
 * The policy's fields as JSON Schema draft-07, the dialect of a Pulumi policy pack's config schema:
 * the pack's `diversity` config accepts exactly what a fleet spec's `policy` does.
 */
export function policyJsonSchemaProperties(): Record<keyof Policy, z.core.JSONSchema.JSONSchema> {
  const schema = z.toJSONSchema(Policy, { io: "input", target: "draft-7" });
  return schema.properties as Record<keyof Policy, z.core.JSONSchema.JSONSchema>;
}
