/**
 * Bitcoin Core's JSON-RPC (bitcoind; btcd answers the same calls). The RPC needs credentials: the
 * gateway adds them, and refuses wallet and node-administration calls.
 */
import type { RpcKind } from "../types";

// JSON-RPC 1.0: what bitcoin-cli sends, and what both bitcoind and btcd answer.
const call = (method: string) => JSON.stringify({ jsonrpc: "1.0", id: 1, method, params: [] });

export const bitcoin: RpcKind = {
  id: "bitcoin",
  // Healthy = has a chain (`blocks`) and is not in initial block download. bitcoind always says
  // `initialblockdownload`; btcd leaves it out (its answer has no such field).
  healthCheck: {
    body: call("getblockchaininfo"),
    expect: [
      'rstring "\\"blocks\\"[[:space:]]*:[[:space:]]*[0-9]+"',
      '! rstring "\\"initialblockdownload\\"[[:space:]]*:[[:space:]]*true"',
    ],
  },
  // Head = `blocks`; a node whose `headers` run more than maxLag ahead of its blocks is behind by its own account.
  head: {
    body: call("getblockchaininfo"),
    parse: `function(body, maxLag)
    local blocks = tonumber(string.match(body, '"blocks"%s*:%s*(%d+)') or "")
    if blocks == nil then return nil end
    local headers = tonumber(string.match(body, '"headers"%s*:%s*(%d+)') or "") or blocks
    return blocks, headers - blocks > maxLag
  end`,
  },
  writeMethods: ["sendrawtransaction", "submitblock", "submitpackage", "submitheader"],
  // Wallets, node control and mining stay with the operator.
  deniedMethods: [
    "stop",
    "generate",
    "generatetoaddress",
    "generateblock",
    "addnode",
    "disconnectnode",
    "setban",
    "clearbanned",
    "setnetworkactive",
    "pruneblockchain",
    "savemempool",
    "importprivkey",
    "dumpprivkey",
    "dumpwallet",
    "importwallet",
    "walletpassphrase",
    "encryptwallet",
    "sendtoaddress",
    "sendmany",
    "createwallet",
    "loadwallet",
  ],
  methodClasses: {
    head: [
      "getblockcount",
      "getbestblockhash",
      "getblockchaininfo",
      "getnetworkinfo",
      "getmempoolinfo",
      "getconnectioncount",
      "getdifficulty",
      "uptime",
      "estimatesmartfee",
    ],
    // Whole blocks and transactions from disk (verbosity 2 decodes every transaction), per-block statistics.
    heavy: [
      "getblock",
      "getblockstats",
      "getrawtransaction",
      "getrawmempool",
      "getchaintxstats",
      "getblockfilter",
      "decoderawtransaction",
      "testmempoolaccept",
    ],
    // Walk the whole UTXO set: minutes on mainnet.
    trace: ["scantxoutset", "gettxoutsetinfo"],
  },
  auth: "basic",
};
