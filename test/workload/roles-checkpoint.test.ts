/**
 * What a node's role and network put into its client commands: the catalog's per-role client
 * arguments (archive pruning modes, reth's --full) and the chain's checkpoint sync URL per network.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { DEFAULT_CATALOG_DIR, loadCatalog, type Catalog } from "../../core/catalog/load";
import { ChainsFile, ClientsFile } from "../../core/catalog/schema";
import { renderWorkload, type WorkloadNode } from "../../core/workload";

const catalog = loadCatalog();
const command = (node: Omit<WorkloadNode, "id">, layer: string, c: Catalog = catalog) =>
  renderWorkload({ id: "n", ...node }, c).compose.services[layer].command;

/**
 * How each client that keeps a chain's history (the layer serving the chain's RPC) becomes an
 * archive node. Written out here, independent of the catalog: a new client must be added.
 */
const ARCHIVE: Record<string, { archive: string[] } | "archive by default"> = {
  geth: { archive: ["--syncmode=full", "--gcmode=archive", "--history.state=0", "--history.transactions=0"] },
  nethermind: {
    archive: ["--Sync.FastSync=false", "--Sync.SnapSync=false", "--Pruning.Mode=None", "--Receipt.TxLookupLimit=0"],
  },
  besu: { archive: ["--sync-mode=FULL", "--data-storage-format=FOREST"] },
  erigon: { archive: ["--prune.mode=archive"] },
  "op-geth": { archive: ["--syncmode=full", "--gcmode=archive"] },
  l2geth: { archive: ["--gcmode=archive"] },
  reth: "archive by default",
  "op-reth": "archive by default",
};

const chainsWith = (role: string) => [...catalog.chains.values()].filter((c) => Object.hasOwn(c.roles, role));

describe("node roles", () => {
  it("every archive-role node of every chain renders its clients' archive arguments, last", () => {
    const archiveChains = chainsWith("archive");
    assert.deepEqual(archiveChains.map((c) => c.id).sort(), ["ethereum", "optimism", "scroll"]);
    let checked = 0;
    for (const chain of archiveChains) {
      for (const network of chain.networks) {
        for (const layer of chain.layers) {
          for (const id of chain.clients[layer]) {
            const others = Object.fromEntries(
              chain.layers.filter((l) => l !== layer).map((l) => [l, chain.clients[l][0]]),
            );
            const node = { chain: chain.id, network, role: "archive", clients: { ...others, [layer]: id } };
            const full = command({ ...node, role: "full" }, layer);
            const archive = command(node, layer);
            const client = catalog.clients.get(id)!;
            assert.deepEqual(
              archive.slice(client.command.length),
              client.roleArgs?.archive ?? [],
              `${chain.id}/${network} ${id}`,
            );
            if (layer !== chain.rpc.layer) continue;
            const expected = ARCHIVE[id];
            assert.ok(
              expected,
              `${id} keeps ${chain.id}'s history: say how it becomes an archive node (ARCHIVE above and roleArgs in catalog/clients.yaml)`,
            );
            if (expected === "archive by default") {
              assert.ok(!archive.includes("--full"), `${id} archive must not prune`);
              assert.ok(full.includes("--full"), `${id} full must prune`);
            } else {
              assert.deepEqual(
                archive.slice(-expected.archive.length),
                expected.archive,
                `${chain.id}/${network} ${id}`,
              );
              for (const arg of expected.archive) assert.ok(!full.includes(arg), `${id} full must not run ${arg}`);
            }
            checked++;
          }
        }
      }
    }
    // ethereum: 3 networks x 5 execution clients; optimism: 2 networks x 2; scroll: 1 network x 1.
    assert.equal(checked, 3 * 5 + 2 * 2 + 1);
  });

  it("reth and op-reth full nodes run --full (both are archive nodes by default), on every chain with a full role", () => {
    for (const chain of chainsWith("full")) {
      for (const id of ["reth", "op-reth"].filter((c) => chain.clients.execution?.includes(c))) {
        for (const network of chain.networks) {
          const others = Object.fromEntries(
            chain.layers.filter((l) => l !== "execution").map((l) => [l, chain.clients[l][0]]),
          );
          const cmd = command(
            { chain: chain.id, network, role: "full", clients: { ...others, execution: id } },
            "execution",
          );
          assert.equal(cmd[0], "node");
          assert.equal(cmd.at(-1), "--full", `${chain.id}/${network} ${id}`);
          assert.equal(cmd.filter((a) => a === "--full").length, 1);
        }
      }
    }
    assert.ok(
      command(
        { chain: "base", network: "mainnet", role: "full", clients: { execution: "op-reth", rollup: "op-node" } },
        "execution",
      ).includes("--full"),
    );
  });

  it("clients without role arguments run the same command in every role", () => {
    for (const [layer, id] of [
      ["consensus", "lighthouse"],
      ["consensus", "prysm"],
    ] as const) {
      const node = { chain: "ethereum", network: "mainnet", clients: { execution: "geth", [layer]: id } };
      assert.deepEqual(command({ ...node, role: "archive" }, layer), command({ ...node, role: "full" }, layer));
    }
    const btc = command({ chain: "bitcoin", network: "mainnet", role: "full", clients: { node: "bitcoind" } }, "node");
    assert.ok(btc.includes("-txindex=1"), "bitcoind keeps every block already");
  });

  it("every role a client has arguments for is a role of a chain that runs the client", () => {
    for (const client of catalog.clients.values()) {
      for (const role of Object.keys(client.roleArgs ?? {})) {
        const chains = [...catalog.chains.values()].filter((c) => c.clients[client.layer]?.includes(client.id));
        assert.ok(
          chains.some((c) => Object.hasOwn(c.roles, role)),
          `${client.id}: roleArgs.${role}, but no chain running it has that role`,
        );
        assert.ok(
          client.roleArgs![role].length > 0 && client.roleArgs![role].every((a) => a.startsWith("-")),
          `${client.id}: roleArgs.${role}`,
        );
      }
    }
  });

  it("refuses a role the chain does not define", () => {
    assert.throws(
      () =>
        renderWorkload(
          {
            id: "x",
            chain: "base",
            network: "mainnet",
            role: "archive",
            clients: { execution: "op-reth", rollup: "op-node" },
          },
          catalog,
        ),
      /x: chain base has no role 'archive' \(roles: full\)/,
    );
    assert.throws(
      () =>
        renderWorkload(
          {
            id: "x",
            chain: "ethereum",
            network: "mainnet",
            role: "toString",
            clients: { execution: "geth", consensus: "teku" },
          },
          catalog,
        ),
      /has no role 'toString'/,
    );
  });
});

/** The flags each Ethereum consensus client takes the checkpoint sync URL in. */
const CHECKPOINT_FLAGS: Record<string, string[]> = {
  lighthouse: ["--checkpoint-sync-url"],
  teku: ["--checkpoint-sync-url"],
  lodestar: ["--checkpointSyncUrl"],
  prysm: ["--checkpoint-sync-url", "--genesis-beacon-api-url"],
  // nimbus_beacon_node needs a fresh trusted block/state root besides the URL (see catalog/clients.yaml).
  nimbus: [],
};

describe("checkpoint sync", () => {
  const ethereum = catalog.chains.get("ethereum")!;

  it("the ethereum chain has a checkpoint sync URL for each of its networks", () => {
    assert.deepEqual(Object.keys(ethereum.checkpointSyncUrls ?? {}).sort(), [...ethereum.networks].sort());
    for (const url of Object.values(ethereum.checkpointSyncUrls!)) assert.match(url, /^https:\/\/[^/]+$/);
  });

  it("every ethereum consensus client gets the checkpoint URL of its network", () => {
    assert.deepEqual(
      Object.keys(CHECKPOINT_FLAGS).sort(),
      [...ethereum.clients.consensus].sort(),
      "every consensus client is listed above",
    );
    for (const network of ethereum.networks) {
      const url = ethereum.checkpointSyncUrls![network];
      for (const role of Object.keys(ethereum.roles)) {
        for (const id of ethereum.clients.consensus) {
          const cmd = command(
            { chain: "ethereum", network, role, clients: { execution: "geth", consensus: id } },
            "consensus",
          );
          const withUrl = cmd.filter((a) => a.endsWith(`=${url}`)).map((a) => a.slice(0, a.indexOf("=")));
          assert.deepEqual(withUrl, CHECKPOINT_FLAGS[id], `${id} on ${network}`);
          for (const other of ethereum.networks.filter((n) => n !== network)) {
            assert.ok(
              !cmd.some((a) => a.includes(ethereum.checkpointSyncUrls![other])),
              `${id} on ${network} uses ${other}'s URL`,
            );
          }
        }
      }
    }
    const lighthouse = command(
      { chain: "ethereum", network: "mainnet", role: "full", clients: { execution: "reth", consensus: "lighthouse" } },
      "consensus",
    );
    assert.ok(lighthouse.includes("--checkpoint-sync-url=https://mainnet.checkpoint.sigp.io"));
  });

  it("execution clients get no checkpoint URL", () => {
    for (const id of ethereum.clients.execution) {
      const cmd = command(
        { chain: "ethereum", network: "hoodi", role: "full", clients: { execution: id, consensus: "teku" } },
        "execution",
      );
      assert.ok(!cmd.some((a) => a.includes(ethereum.checkpointSyncUrls!.hoodi)), id);
    }
  });

  it("an unknown network for checkpoint sync is a clear error naming what to add", () => {
    assert.throws(
      () =>
        renderWorkload(
          {
            id: "eth-1",
            chain: "ethereum",
            network: "holesky",
            role: "full",
            clients: { execution: "geth", consensus: "lighthouse" },
          },
          catalog,
        ),
      /^Error: eth-1: lighthouse: \{checkpointSyncUrl\} has no value: add checkpointSyncUrls\.holesky \(a beacon API serving finalized states\) to chain ethereum in the catalog$/,
    );
    // A network the chain has, but no URL for it in the catalog.
    const { hoodi: _, ...rest } = ethereum.checkpointSyncUrls!;
    const partial: Catalog = { ...catalog, chains: new Map(catalog.chains) };
    partial.chains.set("ethereum", { ...ethereum, checkpointSyncUrls: rest });
    for (const id of ["teku", "prysm", "lodestar"]) {
      assert.throws(
        () =>
          renderWorkload(
            {
              id: "e",
              chain: "ethereum",
              network: "hoodi",
              role: "archive",
              clients: { execution: "nethermind", consensus: id },
            },
            partial,
          ),
        new RegExp(`e: ${id}: \\{checkpointSyncUrl\\} has no value: add checkpointSyncUrls\\.hoodi`),
      );
    }
    // Nimbus takes no URL, so it still renders.
    assert.doesNotThrow(() =>
      renderWorkload(
        {
          id: "e",
          chain: "ethereum",
          network: "hoodi",
          role: "full",
          clients: { execution: "besu", consensus: "nimbus" },
        },
        partial,
      ),
    );
  });
});

describe("catalog schema: roleArgs and checkpointSyncUrls", () => {
  const raw = (file: string) => parse(readFileSync(join(DEFAULT_CATALOG_DIR, file), "utf8"), { merge: true });

  it("parses roleArgs like command: space separated into arguments", () => {
    const clients = raw("clients.yaml");
    const geth = clients.clients.find((c: { id: string }) => c.id === "geth");
    geth.roleArgs = { archive: "  --a=1   --b  " };
    const parsed = ClientsFile.parse(clients);
    assert.deepEqual(parsed.clients.find((c) => c.id === "geth")!.roleArgs, { archive: ["--a=1", "--b"] });
    geth.roleArgs = { archive: 5 };
    assert.equal(ClientsFile.safeParse(clients).success, false);
  });

  it("refuses a checkpoint sync URL for a network the chain does not have, and one that is not a URL", () => {
    const chains = raw("chains.yaml");
    const eth = chains.chains.find((c: { id: string }) => c.id === "ethereum");
    eth.checkpointSyncUrls = { ...eth.checkpointSyncUrls, holesky: "https://example.invalid" };
    const bad = ChainsFile.safeParse(chains);
    assert.equal(bad.success, false);
    assert.match(JSON.stringify(bad.error!.issues), /'holesky' is not a network of chain ethereum/);
    eth.checkpointSyncUrls = { mainnet: "not a url" };
    assert.equal(ChainsFile.safeParse(chains).success, false);
    delete eth.checkpointSyncUrls;
    assert.equal(ChainsFile.safeParse(chains).success, true);
  });
});
