import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { profileForClients } from "../../core/catalog/profile";
import { ChainsFile } from "../../core/catalog/schema";
import { catalog as loadCatalog, fleetOf } from "./helpers";

const catalog = loadCatalog();
const ethereum = catalog.chains.get("ethereum")!;
const archive = ethereum.roles.archive;

describe("disk sized for the clients an entry allows", () => {
  test("only clients with a size of their own: the largest of them; any other client: the role's disk", () => {
    const sizes = archive.diskGbByClient!.sizes;
    const consensus = ethereum.clients.consensus;
    assert.equal(profileForClients(archive, { execution: ["erigon"], consensus }).diskGb, sizes.erigon);
    assert.equal(
      profileForClients(archive, { execution: ["erigon", "reth"], consensus }).diskGb,
      Math.max(sizes.erigon, sizes.reth),
    );
    assert.equal(profileForClients(archive, { execution: ["erigon", "geth"], consensus }).diskGb, archive.diskGb);
    assert.equal(profileForClients(archive, ethereum.clients).diskGb, archive.diskGb);
    assert.match(profileForClients(archive, { execution: ["erigon"] }).source, /disk by client: EST/);
  });

  test("a profile without sizes by client is returned as it is", () => {
    const full = ethereum.roles.full;
    assert.equal(profileForClients(full, { execution: ["erigon"] }), full);
  });

  test("the resolved fleet carries the sized profile, so the plan prices the smaller disk", () => {
    const fleet = fleetOf({
      name: "t",
      chains: [
        { chain: "ethereum", role: "archive", count: 1, clients: { execution: ["erigon"] } },
        { chain: "ethereum", role: "archive", count: 1 },
      ],
      sites: { aws: { regions: ["us-east-1"] } },
    });
    assert.deepEqual(
      fleet.groups.map((g) => g.profile.diskGb),
      [archive.diskGbByClient!.sizes.erigon, archive.diskGb],
    );
  });

  test("the catalog refuses a size for a client the chain does not have", () => {
    const chain = {
      id: "c",
      name: "C",
      networks: ["mainnet"],
      layers: ["execution"],
      clients: { execution: ["geth"] },
      rpc: { layer: "execution", port: "rpc", kind: "evm" },
      roles: {
        archive: {
          ...archive,
          diskGbByClient: { sizes: { gethh: 100 }, source: "test source", asOf: "2026-01-01" },
        },
      },
    };
    const result = ChainsFile.safeParse({ chains: [chain] });
    assert.equal(result.success, false);
    assert.match(JSON.stringify(result.error!.issues), /'gethh' is not a client of chain c/);
  });
});
