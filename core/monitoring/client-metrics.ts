/**
 * Each client names its head and peer gauges differently; the rules record them under one name per
 * meaning (`sovereign:head_block`, `sovereign:peers`) so every alert and dashboard is written once.
 * Names from each client's metrics documentation; a client missing here has no head or peer figures
 * (its rows say "unknown"), never a made-up value.
 */
export interface ClientMetricNames {
  /** Head block (execution, single-layer nodes) or head slot (consensus) gauge. */
  head: string;
  peers: string;
}

const GETH_STYLE: ClientMetricNames = { head: "chain_head_block", peers: "p2p_peers" };
const BESU_STYLE: ClientMetricNames = { head: "ethereum_blockchain_height", peers: "ethereum_peer_count" };
const RETH_STYLE: ClientMetricNames = {
  head: "reth_blockchain_tree_canonical_chain_height",
  peers: "reth_network_connected_peers",
};
const BEACON_STYLE: ClientMetricNames = { head: "beacon_head_slot", peers: "libp2p_peers" };

export const CLIENT_METRICS: Readonly<Record<string, ClientMetricNames>> = {
  geth: GETH_STYLE,
  "op-geth": GETH_STYLE,
  l2geth: GETH_STYLE,
  "linea-geth": GETH_STYLE,
  bor: GETH_STYLE,
  erigon: GETH_STYLE,
  nethermind: { head: "nethermind_blocks", peers: "nethermind_sync_peers" },
  besu: BESU_STYLE,
  "linea-besu": BESU_STYLE,
  reth: RETH_STYLE,
  "op-reth": RETH_STYLE,
  lighthouse: BEACON_STYLE,
  teku: BEACON_STYLE,
  nimbus: BEACON_STYLE,
  lodestar: BEACON_STYLE,
  prysm: { head: "beacon_head_slot", peers: "p2p_peer_count" },
  gaiad: { head: "cometbft_consensus_height", peers: "cometbft_p2p_peers" },
  heimdall: { head: "cometbft_consensus_height", peers: "cometbft_p2p_peers" },
};
