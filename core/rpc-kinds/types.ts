/**
 * What a gateway and a node's host need to know about one kind of RPC (the catalog's
 * `chains[].rpc.kind`): how to tell a node is healthy, how high its head is, which calls are writes,
 * which calls are never served, how long each call may take, whether the node wants credentials.
 * Plain data: core/gateway renders it into HAProxy's checks, time budgets and lag-check.lua. One
 * folder per kind.
 */

/**
 * How long a node may take to answer a method, by class; the gateway's time budget of each class is
 * a setting (`timeouts.headMs`, `heavyMs`, `traceMs`), every other method gets `serverMs`.
 * - `head`: answered from the node's memory (the head, the chain id, the fee): a node that takes
 *   longer is stuck, and the read is retried on another node at once.
 * - `heavy`: scans or executes (logs over a block range, a call, a whole block's receipts).
 * - `trace`: re-executes transactions with a tracer, or walks the whole state.
 */
export type MethodClass = "head" | "heavy" | "trace";

export interface RpcKind {
  /** The catalog's `rpc.kind`. */
  id: string;
  /**
   * HAProxy's health check: a POST of `body` to `/`, healthy when every `expect` (the argument of
   * `http-check expect`, e.g. `rstring "..."` or `! rstring "..."`) holds for the answer.
   */
  healthCheck: { body: string; expect: readonly string[] };
  /**
   * Deep health: a second check step that reads state (EVM: an `eth_call` at the latest block), so
   * a node that answers its head but fails state reads (Infura's eth_call outage of July 2026) is
   * taken out. Same shape as `healthCheck`. @default none (the head check only)
   */
  stateCheck?: { body: string; expect: readonly string[] };
  /**
   * Methods whose answers the gateways can have confirmed by nodes of several operators (state and
   * history reads): the default of the spec's `gateways.integrity.methods`. @default none (the kind
   * has no integrity layer)
   */
  integrityMethods?: readonly string[];
  /**
   * The lag check's head: a POST of `body` to `/`; `parse` is the source of a Lua function
   * `(body, maxLag) -> head, stale`: the node's head height (nil when the answer has none), and
   * true when the node says itself it is behind (a Bitcoin node whose blocks trail its headers).
   */
  head: { body: string; parse: string };
  /**
   * Methods that change state or are not safe to send twice: a request naming one is never
   * retried once it reached a node. Matched as substrings of the body.
   */
  writeMethods: readonly string[];
  /**
   * Methods the gateway refuses (403) instead of passing on: node administration and wallets,
   * which no public client may call. Matched as whole method names.
   */
  deniedMethods: readonly string[];
  /**
   * Methods by time budget class. Whole method names; a trailing `*` matches every name with that
   * prefix (`debug_trace*`). Methods in no class get the default budget.
   */
  methodClasses: Readonly<Record<MethodClass, readonly string[]>>;
  /**
   * Credentials the node's RPC requires: `basic` means HTTP basic auth, which the gateway adds to
   * every request and check from a secret map file (clients never send or see it).
   */
  auth: "none" | "basic";
}
