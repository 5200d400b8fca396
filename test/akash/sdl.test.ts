/**
 * The Akash SDL of every catalog chain the planner can place on Akash, in every network and role,
 * with every client of each layer: it passes Akash's own validator (@akashnetwork/chain-sdk
 * validateSDL) and yields a manifest (generateManifest). Chains the planner keeps off Akash are
 * kept off for the storage reason. Wrong inputs fail with a message naming the field.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { parse } from "yaml";
import { InfeasibleError } from "../../core/errors";
import { planFleet } from "../../core/planner/plan";
import type { PlannedNode } from "../../core/plan";
import { AKASH_JWT_PATH, renderSdl, SdlError, sdlYaml, type SdlDocument, type SdlNode } from "../../core/workload/sdl";
import { validateSdl } from "../../core/workload/sdl-validate";
import { catalog as loadCatalog, fleetOf } from "../core/helpers";

const catalog = loadCatalog();
/** Clients whose image has no shell, so the engine JWT cannot be written on Akash. */
const NO_SHELL = new Set(["prysm"]);

interface Case {
  key: string;
  node?: PlannedNode;
  reason?: string;
}

/** One single-node Akash-only plan per chain, network and role: placed, or refused with the reason. */
async function cases(): Promise<Case[]> {
  const out: Case[] = [];
  for (const chain of catalog.chains.values()) {
    for (const network of chain.networks) {
      for (const role of Object.keys(chain.roles)) {
        const key = `${chain.id}/${network}/${role}`;
        try {
          const plan = await planFleet(
            fleetOf({ name: "t", chains: [{ chain: chain.id, network, role, count: 1 }], sites: { akash: {} } }),
            catalog,
          );
          out.push({ key, node: plan.nodes[0] });
        } catch (e) {
          if (!(e instanceof InfeasibleError)) throw e;
          out.push({ key, reason: e.reasons.join("\n") });
        }
      }
    }
  }
  return out;
}

/** The planned node with each client of every layer in turn. */
function variants(node: PlannedNode): PlannedNode[] {
  const chain = catalog.chains.get(node.chain)!;
  const rounds = Math.max(...chain.layers.map((l) => chain.clients[l].length));
  return Array.from({ length: rounds }, (_, k) => ({
    ...node,
    clients: Object.fromEntries(chain.layers.map((l) => [l, chain.clients[l][k % chain.clients[l].length]])),
  }));
}

describe("Akash SDL for every catalog chain the planner places on Akash", async () => {
  const all = await cases();
  const placed = all.filter((c) => c.node);
  const validated: string[] = [];

  it("the planner places some chains and refuses the rest for the storage reason", () => {
    assert.ok(placed.length >= 5, `placed: ${placed.map((c) => c.key).join(", ")}`);
    for (const c of all.filter((c) => c.reason)) {
      assert.match(
        c.reason!,
        /akash: (the node needs local NVMe and Akash persistent storage is network storage \(Rook-Ceph\)|persistent storage is network storage \(Rook-Ceph\) and no class meets)/,
        c.key,
      );
    }
    // XRPL needs local NVMe; Arbitrum and Base need more IOPS than network storage sustains.
    for (const key of ["xrpl/mainnet/full", "arbitrum/mainnet/full", "base/mainnet/full"]) {
      assert.ok(all.find((c) => c.key === key)?.reason, `${key} is not offered on Akash`);
    }
    assert.ok(all.find((c) => c.key === "ethereum/mainnet/full")?.node, "an Ethereum full node fits beta3");
  });

  for (const c of placed) {
    it(`${c.key}: passes validateSDL and yields a manifest, with every client`, () => {
      for (const node of variants(c.node!)) {
        const what = `${c.key} ${Object.values(node.clients).join("+")}`;
        if (Object.values(node.clients).some((id) => NO_SHELL.has(id))) {
          assert.throws(
            () => renderSdl(node, catalog),
            (e: Error) => e instanceof SdlError && /no file mounts.*choose another/.test(e.message),
            what,
          );
          continue;
        }
        const sdl = renderSdl(node, catalog);
        const result = validateSdl(node.id, sdl.document, catalog);
        assert.deepEqual(result.groups, ["akash"], what);
        const manifest = JSON.parse(result.manifest) as Array<{ services: Array<{ name: string; image: string }> }>;
        const chain = catalog.chains.get(node.chain)!;
        assert.deepEqual(
          manifest[0].services.map((s) => s.name).sort(),
          chain.layers.filter((l) => node.clients[l]).sort(),
          what,
        );
        for (const s of manifest[0].services) {
          const client = catalog.clients.get(node.clients[s.name])!;
          assert.equal(s.image, `${client.image.repository}:${client.image.tag}`, `${what}: pinned image`);
        }
        // The YAML a user reads is the same document, and holds no secret value.
        assert.deepEqual(parse(sdlYaml(sdl)), sdl.document, what);
        checkDocument(node, sdl.document, what);
        validated.push(what);
      }
    });
  }

  it("reports the validated chain list", () => {
    assert.ok(validated.length > 0);
    console.log(
      `validated ${validated.length} SDLs: ${[...new Set(validated.map((v) => v.split(" ")[0]))].join(", ")}`,
    );
  });
});

/** What every SDL must keep, whatever the chain. */
function checkDocument(node: PlannedNode, doc: SdlDocument, what: string) {
  const profiles = Object.values(doc.profiles.compute);
  const disk = profiles.flatMap((p) => p.resources.storage.filter((v) => v.attributes?.persistent));
  assert.ok(
    disk.every((v) => v.attributes!.class === node.storage.class),
    `${what}: the planned storage class`,
  );
  const gi = disk.reduce((a, v) => a + Number(v.size.replace("Gi", "")), 0);
  assert.ok(
    gi >= node.storage.sizeGb && gi <= node.storage.sizeGb + 3,
    `${what}: volumes sum to the planned ${node.storage.sizeGb} GB, got ${gi}`,
  );
  const cpu = profiles.reduce((a, p) => a + p.resources.cpu.units, 0);
  assert.ok(Math.abs(cpu - node.vcpu) < 0.2, `${what}: cpu ${cpu} vs ${node.vcpu}`);
  const pricing = doc.profiles.placement.akash.pricing;
  assert.deepEqual(
    Object.keys(pricing).sort(),
    Object.keys(doc.profiles.compute).sort(),
    `${what}: a price ceiling per profile`,
  );
  assert.ok(
    Object.values(pricing).every((p) => p.denom === "uact" && p.amount > 0),
    what,
  );
  for (const [name, service] of Object.entries(doc.services)) {
    for (const e of service.expose ?? []) {
      const port = catalog.clients
        .get(node.clients[name])!
        .ports.find((p) => p.port === e.port && p.protocol === e.proto)!;
      const global = e.to.some((t) => "global" in t);
      assert.equal(
        global,
        port.exposure === "public",
        `${what}: ${name} ${port.name} global only for P2P (RPC not global by default)`,
      );
      assert.notEqual(port.exposure, "private", `${what}: private ports are not exposed`);
    }
    if (service.args.some((a) => a.includes(AKASH_JWT_PATH)))
      assert.equal(service.command?.[0], "sh", `${what}: ${name} writes the JWT first`);
    assert.ok(!JSON.stringify(service).includes("${"), `${what}: no compose interpolation left`);
  }
}

describe("SDL options and wrong inputs", () => {
  const node: SdlNode = {
    id: "bitcoin-akash-1",
    chain: "bitcoin",
    network: "mainnet",
    role: "full",
    clients: { node: "bitcoind" },
    vcpu: 4,
    memoryGb: 16,
    storage: { class: "beta2", sizeGb: 1000 },
  };

  it("audited providers, required attributes and public RPC when allowed", () => {
    const sdl = renderSdl(node, catalog, { audited: true, attributes: { region: "us-west" }, publicRpc: true });
    validateSdl(node.id, sdl.document, catalog);
    const placement = sdl.document.profiles.placement.akash;
    assert.deepEqual(placement.signedBy, { anyOf: catalog.providers.get("akash")!.market!.auditors });
    assert.deepEqual(placement.attributes, { region: "us-west" });
    const rpc = sdl.document.services.node.expose!.find((e) => e.port === 8332)!;
    assert.deepEqual(rpc.to, [{ global: true, ip: "p2p" }]);
    // Without publicRpc the single-service node does not expose RPC at all.
    assert.equal(
      renderSdl(node, catalog).document.services.node.expose!.some((e) => e.port === 8332),
      false,
    );
  });

  it("a price ceiling per profile from the catalog: 1.5 x the estimate, per block in uact", () => {
    const sdl = renderSdl(node, catalog);
    // 4 threads x 1.60 + 16 GB x 0.80 + 1000 GB x 0.03 + 1 P2P endpoint x 0.05 + IP lease 5 = 54.25 USD; x 1.5
    assert.equal(sdl.ceilingUsdPerMonth, 81.38);
    assert.equal(sdl.document.profiles.placement.akash.pricing.node.amount, Math.ceil((54.25 * 1.5e6) / 429909));
  });

  it("a storage class Akash does not have is refused before any network call", () => {
    assert.throws(
      () => renderSdl({ ...node, storage: { ...node.storage, class: "gp3" } }, catalog),
      /storage class 'gp3' is not an Akash persistent class \(beta1, beta2, beta3\)/,
    );
    const doc = structuredClone(renderSdl(node, catalog).document);
    doc.profiles.compute.node.resources.storage[1].attributes!.class = "nvme";
    assert.throws(
      () => validateSdl(node.id, doc, catalog),
      /\/profiles\/compute\/node\/resources\/storage\/1\/attributes\/class: 'nvme' is not a persistent storage class.*beta1, beta2, beta3/,
    );
  });

  it("missing pricing and an undefined profile are caught by Akash's validator", () => {
    const noPricing = structuredClone(renderSdl(node, catalog).document);
    delete (noPricing.profiles.placement.akash as Partial<typeof noPricing.profiles.placement.akash>).pricing;
    assert.throws(
      () => validateSdl(node.id, noPricing, catalog),
      (e: Error) =>
        e instanceof SdlError && /\/profiles\/placement\/akash: Missing required field: "pricing"/.test(e.message),
    );
    const noProfile = structuredClone(renderSdl(node, catalog).document);
    noProfile.deployment.node.akash.profile = "huge";
    assert.throws(
      () => validateSdl(node.id, noProfile, catalog),
      /compute requirements for the "huge" profile are not defined/,
    );
    const noPrice = structuredClone(renderSdl(node, catalog).document);
    noPrice.profiles.placement.akash.pricing = {};
    assert.throws(() => validateSdl(node.id, noPrice, catalog), /pricing for the "node" profile is not defined/);
  });

  it("secrets are placeholders until the deployer fills them", () => {
    const op = renderSdl(
      {
        ...node,
        id: "optimism-akash-1",
        chain: "optimism",
        clients: { execution: "op-geth", rollup: "op-node" },
        vcpu: 8,
        memoryGb: 32,
        storage: { class: "beta3", sizeGb: 2000 },
      },
      catalog,
    );
    const shown = sdlYaml(op);
    assert.match(shown, /SOVEREIGN_L1_RPC=<secret l1Rpc: filled at deploy>/);
    assert.match(shown, /--l1=\$\(SOVEREIGN_L1_RPC\)/, "Kubernetes expands $(VAR) from env");
    const filled = sdlYaml(op, {
      jwt: "ab".repeat(32),
      l1Rpc: "https://l1.example/KEY",
      l1Beacon: "https://beacon.example/KEY",
    });
    assert.match(filled, /SOVEREIGN_L1_RPC=https:\/\/l1\.example\/KEY/);
    assert.match(filled, new RegExp(`SOVEREIGN_JWT=${"ab".repeat(32)}`));
    assert.throws(() => sdlYaml(op, { jwt: "ab".repeat(32) }), /service rollup needs the secret l1(Rpc|Beacon)/);
  });

  it("a Bitcoin node's RPC credentials: bitcoind's rpcauth from the chain's RPC password, filled at deploy", () => {
    const sdl = renderSdl(node, catalog);
    assert.match(sdlYaml(sdl), /SOVEREIGN_RPC_AUTH=<secret rpcAuth: filled at deploy>/);
    assert.match(sdlYaml(sdl), /-rpcauth=\$\(SOVEREIGN_RPC_AUTH\)/);
    const filled = sdlYaml(sdl, { rpcPassword: "cd".repeat(24) });
    assert.match(filled, /SOVEREIGN_RPC_AUTH=sovereign:[0-9a-f]{32}\$[0-9a-f]{64}/);
    assert.ok(!filled.includes("cd".repeat(24)), "only the hash reaches the lease");
    assert.throws(() => sdlYaml(sdl, {}), /needs the secret rpcAuth/);
  });
});
