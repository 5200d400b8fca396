import type { Client } from "../catalog/schema";

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
  /**
   * The image's ENTRYPOINT ([] when it has none and the catalog command names the binary). Akash
   * needs it to start the client from a shell that first writes the engine JWT (no file mounts
   * there). @default unknown: such a client cannot read a JWT on Akash
   */
  entrypoint?: string[];
  /**
   * The uid the image runs as, when it is not root: the node's data directory for the client is
   * given to it before the first start (a fresh host directory belongs to root). @default root
   */
  dataUid?: number;
}

export const DEFAULT_CONTAINER_DATA_DIR = "/data";

/** geth and its forks (op-geth, Scroll's l2geth, Linea's geth) are built alike: ENTRYPOINT geth, IPC in the data dir. */
const GETH_RUNTIME: ClientRuntime = {
  healthcheck: ["CMD", "geth", "attach", "--exec", "eth.blockNumber", "{dataDir}/geth.ipc"],
  entrypoint: ["geth"],
};

// Entrypoints from each image's Dockerfile (go-ethereum, op-geth, nethermind, reth, erigon, teku,
// besu's /opt/besu/bin launcher, nimbus-eth2 docker/dist, lodestar); prysm's distroless image has no
// shell, so it cannot run on Akash behind the JWT wrapper. Read 2026-12.
export const CLIENT_RUNTIME: Readonly<Record<string, ClientRuntime>> = {
  geth: GETH_RUNTIME,
  "op-geth": GETH_RUNTIME,
  // Scroll's l2geth image (Docker Hub scrolltech/l2geth).
  l2geth: GETH_RUNTIME,
  // Linea: geth; Linea Besu's image (linea-besu/package/linea-besu/Dockerfile) runs `besu` from its PATH as
  // uid 1000; Maru's (maru/app/Dockerfile, eclipse-temurin) runs as root and the catalog command names java.
  "linea-geth": GETH_RUNTIME,
  "linea-besu": { entrypoint: ["besu"], dataUid: 1000 },
  maru: { entrypoint: [] },
  nethermind: { entrypoint: ["/nethermind/nethermind"] },
  reth: { entrypoint: ["/usr/local/bin/reth"] },
  "op-reth": { entrypoint: ["/usr/local/bin/op-reth"] },
  besu: { entrypoint: ["/opt/besu/bin/besu"] },
  teku: { entrypoint: ["/opt/teku/bin/teku"] },
  nimbus: { entrypoint: ["/home/user/nimbus-eth2/build/nimbus_beacon_node"] },
  lodestar: { entrypoint: ["node", "/usr/app/packages/cli/bin/lodestar"] },
  lighthouse: { entrypoint: [] },
  "op-node": { entrypoint: [] },
  bitcoind: {
    healthcheck: ["CMD", "bitcoin-cli", "-datadir={dataDir}", "-chain={network}", "getblockchaininfo"],
    stopGracePeriod: "10m",
  },
  // The image's bundled rippled.cfg (which --conf points at) keeps the ledger under /var/lib/rippled.
  rippled: { dataDir: "/var/lib/rippled" },
  // rippleci/xrpld: ENTRYPOINT the binary, runs as uid 999 since 3.3.0; the catalog's xrpld.cfg keeps the ledger in
  // the data directory. NuDB needs minutes to close (the package's unit waits 5 min).
  xrpld: { dataDir: "/var/lib/xrpld", dataUid: 999, entrypoint: ["/opt/xrpld/bin/xrpld"], stopGracePeriod: "5m" },
  // ghcr.io/base/node has no ENTRYPOINT (CMD supervisord): the catalog command names each binary.
  "base-reth-node": { entrypoint: [] },
  "base-consensus": { entrypoint: [] },
  erigon: { stopGracePeriod: "10m", entrypoint: ["erigon"] },
  // The devnet image (e2e/lab/devnet-image) ships a probe that asks anvil for eth_chainId.
  anvil: { stopGracePeriod: "30s", healthcheck: ["CMD", "anvil-healthcheck"], healthInterval: "2s" },
  // The Bitcoin devnet image (e2e/lab/devnet-btcd) ships a probe of its RPC port.
  btcd: { stopGracePeriod: "30s", healthcheck: ["CMD", "btcd-healthcheck"], healthInterval: "2s" },
};

export function clientRuntime(client: string): ClientRuntime {
  return CLIENT_RUNTIME[client] ?? {};
}

/** Whether the client reads `{placeholder}` anywhere: its command, role arguments, init or files. */
export function clientReads(client: Client, placeholder: string): boolean {
  const token = `{${placeholder}}`;
  return [
    ...client.command,
    ...Object.values(client.roleArgs ?? {}).flat(),
    ...(client.init ?? []),
    ...(client.files ?? []).flatMap((f) => Object.values(f.content)),
  ].some((a) => typeof a === "string" && a.includes(token));
}

/**
 * Of `clients`, those a provider's sites cannot run: Akash has no file mounts, so a client that
 * reads the engine JWT from a file starts from a shell that writes it first, which needs the
 * image's entrypoint (unknown for prysm's shell-less image). Other providers run every client.
 */
export function clientsRefusedOn(provider: string, clients: readonly Client[]): Set<string> {
  if (provider !== "akash") return new Set();
  return new Set(clients.filter((c) => clientReads(c, "jwtPath") && !clientRuntime(c.id).entrypoint).map((c) => c.id));
}
