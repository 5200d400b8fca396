/**
 * The RPC kinds a gateway can serve, one folder each: a chain whose catalog `rpc.kind` is not
 * registered here is refused when the catalog loads (before any plan), never deployed half-working.
 * A new kind: add core/rpc-kinds/<kind>/index.ts exporting an RpcKind and one line below.
 */
import { bitcoin } from "./bitcoin";
import { cometbft } from "./cometbft";
import { evm } from "./evm";
import type { RpcKind } from "./types";
import { xrpl } from "./xrpl";

export type { MethodClass, RpcKind } from "./types";

export const RPC_KINDS: ReadonlyMap<string, RpcKind> = new Map([evm, bitcoin, xrpl, cometbft].map((k) => [k.id, k]));

/** The kind registered as `id`; throws naming the kind and the known ones. */
export function rpcKind(id: string): RpcKind {
  const kind = RPC_KINDS.get(id);
  if (!kind)
    throw new Error(
      `RPC kind '${id}' has no folder in core/rpc-kinds (known: ${[...RPC_KINDS.keys()].join(", ")}): add core/rpc-kinds/${id}/ or serve the chain without a gateway`,
    );
  return kind;
}
