/** The XRP Ledger's JSON-RPC (rippled): `{"method": ..., "params": [{...}]}`, no `jsonrpc` field. */
import type { RpcKind } from "../types";

const call = (method: string) => JSON.stringify({ method, params: [{}] });

/** A validated ledger older than this (seconds) means the node stopped following the network (ledgers close every 3-5 s). */
export const XRPL_MAX_LEDGER_AGE_SECONDS = 30;

export const xrpl: RpcKind = {
  id: "xrpl",
  // Healthy = in sync with the network: server_state full, proposing or validating (not
  // disconnected, connected, syncing or tracking).
  healthCheck: {
    body: call("server_info"),
    expect: ['rstring "\\"server_state\\"[[:space:]]*:[[:space:]]*\\"(full|proposing|validating)\\""'],
  },
  // Head = the validated ledger's sequence; a validated ledger older than the limit is stale.
  head: {
    body: call("server_info"),
    parse: `function(body)
    local validated = string.match(body, '"validated_ledger"%s*:%s*(%b{})')
    if validated == nil then return nil end
    local seq = tonumber(string.match(validated, '"seq"%s*:%s*(%d+)') or "")
    if seq == nil then return nil end
    local age = tonumber(string.match(validated, '"age"%s*:%s*(%d+)') or "") or 0
    return seq, age > ${XRPL_MAX_LEDGER_AGE_SECONDS}
  end`,
  },
  writeMethods: ["submit", "submit_multisigned"],
  // Admin methods are served on rippled's admin port only; wallet_propose and sign take secrets.
  deniedMethods: ["sign", "sign_for", "wallet_propose", "stop", "ledger_accept"],
  methodClasses: {
    head: ["server_info", "server_state", "ledger_current", "ledger_closed", "fee", "ping", "random"],
    // Account history and order books walk ledgers; path finding searches the trust graph.
    heavy: ["account_tx", "ledger", "book_offers", "account_objects", "account_lines", "ripple_path_find", "tx"],
    trace: ["ledger_data"],
  },
  auth: "none",
};
