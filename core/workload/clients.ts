/**
 * What the container runtime needs to know about a client beyond the catalog (image, ports,
 * command): where its image keeps data, how to tell it is healthy, how long it takes to stop.
 * Data, not code: add a row for a new client; a client without a row gets the defaults.
 * Healthchecks run INSIDE the container, so they only use the client's own binary (images rarely
 * ship curl or wget); `{dataDir}` and `{network}` are filled like command placeholders.
 */
export interface ClientRuntime {
  /** Data directory inside the container. @default "/data" */
  dataDir?: string;
  /** docker compose healthcheck `test`. @default none */
  healthcheck?: string[];
  /** How often the healthcheck runs; a start waits for the first pass. @default "30s" */
  healthInterval?: string;
  /** @default "5m" for execution/node layers, "2m" otherwise */
  stopGracePeriod?: string;
}

export const DEFAULT_CONTAINER_DATA_DIR = "/data";

export const CLIENT_RUNTIME: Readonly<Record<string, ClientRuntime>> = {
  geth: { healthcheck: ["CMD", "geth", "attach", "--exec", "eth.blockNumber", "{dataDir}/geth.ipc"] },
  "op-geth": { healthcheck: ["CMD", "geth", "attach", "--exec", "eth.blockNumber", "{dataDir}/geth.ipc"] },
  bitcoind: { healthcheck: ["CMD", "bitcoin-cli", "-datadir={dataDir}", "-chain={network}", "getblockchaininfo"], stopGracePeriod: "10m" },
  // The image's bundled rippled.cfg (which --conf points at) keeps the ledger under /var/lib/rippled.
  rippled: { dataDir: "/var/lib/rippled" },
  erigon: { stopGracePeriod: "10m" },
  // The devnet image (e2e/lab/devnet-image) has its own HEALTHCHECK (anvil-healthcheck, every 5 s).
  // The devnet image (e2e/lab/devnet-image) ships a probe that asks anvil for eth_chainId.
  anvil: { stopGracePeriod: "30s", healthcheck: ["CMD", "anvil-healthcheck"], healthInterval: "2s" },
};

export function clientRuntime(client: string): ClientRuntime {
  return CLIENT_RUNTIME[client] ?? {};
}
