/** EVM chains (Ethereum JSON-RPC): geth, Nethermind, reth, Erigon, Besu, anvil... */
import type { RpcKind } from "../types";

const call = (method: string) => JSON.stringify({ jsonrpc: "2.0", id: 1, method, params: [] });

export const evm: RpcKind = {
  id: "evm",
  // Healthy = answers JSON-RPC and is not syncing (eth_syncing is false once the node has caught up).
  healthCheck: { body: call("eth_syncing"), expect: ['rstring "\\"result\\"[[:space:]]*:[[:space:]]*false"'] },
  head: {
    body: call("eth_blockNumber"),
    parse: `function(body)
    local hex = string.match(body, '"result"%s*:%s*"0x(%x+)"')
    if hex == nil then return nil end
    return tonumber(hex, 16), false
  end`,
  },
  // `eth_sendRawTransaction` also covers `eth_sendRawTransactionConditional` (substring match).
  writeMethods: [
    "eth_sendRawTransaction",
    "eth_sendTransaction",
    "eth_sendBundle",
    "eth_sendPrivateTransaction",
    "personal_sendTransaction",
    "eth_submitWork",
    "eth_submitHashrate",
  ],
  // EVM clients keep admin_/debug_/personal_ off their public HTTP API unless configured otherwise.
  deniedMethods: [],
  auth: "none",
};
