/** CometBFT's JSON-RPC (Cosmos SDK chains, e.g. gaiad): port 26657, metrics on 26660. */
import type { RpcKind } from "../types";

const call = (method: string) => JSON.stringify({ jsonrpc: "2.0", id: 1, method, params: {} });

export const cometbft: RpcKind = {
  id: "cometbft",
  // Healthy = not catching up (block sync finished).
  healthCheck: { body: call("status"), expect: ['rstring "\\"catching_up\\"[[:space:]]*:[[:space:]]*false"'] },
  // Head = latest_block_height (a decimal string); a node catching up is stale whatever its height.
  head: {
    body: call("status"),
    parse: `function(body)
    local h = tonumber(string.match(body, '"latest_block_height"%s*:%s*"(%d+)"') or "")
    if h == nil then return nil end
    return h, string.match(body, '"catching_up"%s*:%s*true') ~= nil
  end`,
  },
  writeMethods: ["broadcast_tx_sync", "broadcast_tx_async", "broadcast_tx_commit", "broadcast_evidence"],
  // unsafe_* exist only with rpc.unsafe; dial_* change the node's peers.
  deniedMethods: ["dial_seeds", "dial_peers", "unsafe_flush_mempool"],
  methodClasses: {
    head: ["status", "health", "abci_info", "net_info", "num_unconfirmed_txs"],
    // Indexed searches and whole blocks with their results; abci_query runs the application's query.
    heavy: [
      "tx_search",
      "block_search",
      "block_results",
      "blockchain",
      "abci_query",
      "unconfirmed_txs",
      "genesis_chunked",
    ],
    trace: ["genesis", "dump_consensus_state"],
  },
  auth: "none",
};
