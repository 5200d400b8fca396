import { z } from "zod";

/**
 * How a changed workload (image, command, config) reaches a chain's nodes: wave by wave, each node
 * drained at every gateway, updated in place (its data kept), held to a health bar, then put back.
 * Every field is optional here: a chain entry's `rollout` overrides the fleet's field by field, and
 * core/rollout fills the defaults.
 */
export const Rollout = z
  .strictObject({
    maxUnavailable: z
      .number()
      .int("must be a whole number")
      .min(1, "must be at least 1 (a rollout takes a node down to update it)")
      .max(10000, "at most 10,000 nodes")
      .optional()
      .describe(
        "Nodes of a chain updated (and out of the gateways) at once; refused when that many down would break policy.survive. @default 1",
      ),
    canary: z
      .boolean()
      .optional()
      .describe("Update one node alone first, then the rest one operator at a time. @default true"),
    maxLagBlocks: z
      .number()
      .int("must be a whole number")
      .min(0, "cannot be negative")
      .max(100000)
      .optional()
      .describe(
        "Health bar: an updated node's head is at most this many blocks behind the best node of its chain. @default gateways.maxLagBlocks (5)",
      ),
    soakSeconds: z
      .number()
      .int("must be a whole number")
      .min(0, "cannot be negative")
      .max(86400, "at most 86,400 s (a day)")
      .optional()
      .describe("Health bar: how long the node must stay healthy before the next wave starts. @default 30"),
    timeoutSeconds: z
      .number()
      .int("must be a whole number")
      .min(10, "at least 10 s")
      .max(86400, "at most 86,400 s (a day)")
      .optional()
      .describe(
        "How long a node may take to reach the health bar; past it the rollout stops and names the node. @default 900",
      ),
    onFailure: z
      .enum(["stop", "rollback"])
      .optional()
      .describe(
        "A node that misses the health bar: `stop` keeps every other node on the old release and fails the update naming the node; `rollback` also puts the failed node back on the old release. @default stop",
      ),
  })
  .describe("Rolling upgrades: how a changed release reaches the nodes of a chain (docs/deploy.md).");
export type Rollout = z.infer<typeof Rollout>;
