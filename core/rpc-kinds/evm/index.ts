/** EVM chains (Ethereum JSON-RPC): geth, Nethermind, reth, Erigon, Besu, anvil... */
import type { RpcKind } from "../types";

const call = (method: string, params: unknown[] = []) => JSON.stringify({ jsonrpc: "2.0", id: 1, method, params });
/** Answers "0x" on every EVM node with state: nothing lives at the zero address (no code). */
const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";

export const evm: RpcKind = {
  id: "evm",
  // Healthy = answers JSON-RPC and is not syncing (eth_syncing is false once the node has caught up).
  healthCheck: { body: call("eth_syncing"), expect: ['rstring "\\"result\\"[[:space:]]*:[[:space:]]*false"'] },
  // A state read at the latest block: a node whose eth_call fails (an error, no result) while it
  // still answers its head is drained.
  stateCheck: {
    body: call("eth_call", [{ to: ZERO_ADDRESS, data: "0x" }, "latest"]),
    expect: ['rstring "\\"result\\"[[:space:]]*:[[:space:]]*\\"0x"'],
  },
  // State and history reads: what a verifier trusts (KelpDAO, April 2026). Head reads, writes and
  // subscriptions stay on the hot path.
  integrityMethods: [
    "eth_call",
    "eth_getBalance",
    "eth_getCode",
    "eth_getStorageAt",
    "eth_getTransactionCount",
    "eth_getTransactionReceipt",
    "eth_getTransactionByHash",
    "eth_getLogs",
    "eth_getBlockByNumber",
    "eth_getBlockByHash",
    "eth_getProof",
  ],
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
  methodClasses: {
    head: [
      "eth_blockNumber",
      "eth_chainId",
      "net_version",
      "net_listening",
      "net_peerCount",
      "web3_clientVersion",
      "eth_syncing",
      "eth_gasPrice",
      "eth_maxPriorityFeePerGas",
      "eth_blobBaseFee",
    ],
    // eth_call and eth_estimateGas execute (geth gives up at 5 s, its rpc.evmtimeout); eth_getLogs
    // scans a block range (10,000 blocks is what providers allow).
    heavy: [
      "eth_getLogs",
      "eth_getFilterLogs",
      "eth_call",
      "eth_estimateGas",
      "eth_createAccessList",
      "eth_simulateV1",
      "eth_getProof",
      "eth_getBlockReceipts",
      "eth_feeHistory",
    ],
    trace: ["debug_trace*", "trace_*", "debug_getBadBlocks", "debug_storageRangeAt"],
  },
  auth: "none",
};
