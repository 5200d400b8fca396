/**
 * The mTLS terminator an Akash node gets when the fleet's gateways serve its chain
 * (SdlOptions.upstreamTls): the SDL still passes Akash's own validator and yields a manifest; the
 * terminator is the only global RPC path (on the leased IP), the node's RPC goes only to it; its
 * configuration is the one core/workload/upstream-terminator renders, in front of the node's RPC service;
 * its PEMs are placeholders until the deployer fills them, then base64 in one env line each.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { parse } from "yaml";
import { splitCertificateAndKey } from "../../core/gateway";
import { renderUpstreamTerminator } from "../../core/workload/upstream-terminator";
import { upstreamCa, upstreamCertificate } from "../gateway/processes";
import { renderSdl, SDL_UPSTREAM_TLS_SERVICE, sdlYaml, type SdlNode } from "../../core/workload/sdl";
import { validateSdl } from "../../core/workload/sdl-validate";
import { catalog as loadCatalog } from "../core/helpers";

const catalog = loadCatalog();
const IMAGE = "haproxy:2.6.12";
const nodes: SdlNode[] = [
  {
    id: "devnet-akash-1",
    chain: "devnet",
    network: "local",
    role: "full",
    clients: { node: "anvil" },
    vcpu: 1,
    memoryGb: 1,
    storage: { class: "beta1", sizeGb: 10 },
  },
  {
    id: "ethereum-akash-1",
    chain: "ethereum",
    network: "mainnet",
    role: "full",
    clients: { execution: "geth", consensus: "lighthouse" },
    vcpu: 8,
    memoryGb: 32,
    storage: { class: "beta3", sizeGb: 2000 },
  },
];

describe("the mTLS terminator in an Akash node's SDL", () => {
  for (const node of nodes) {
    it(`${node.id}: passes validateSDL with the terminator, the only global RPC path`, () => {
      const sdl = renderSdl(node, catalog, { upstreamTls: { image: IMAGE } });
      const result = validateSdl(node.id, sdl.document, catalog);
      const manifest = JSON.parse(result.manifest) as Array<{ services: Array<{ name: string }> }>;
      assert.ok(manifest[0].services.some((s) => s.name === SDL_UPSTREAM_TLS_SERVICE));
      const chain = catalog.chains.get(node.chain)!;
      const rpcLayer = chain.rpc.layer;
      const rpcPort = catalog.clients.get(node.clients[rpcLayer])!.ports.find((p) => p.name === chain.rpc.port)!.port;
      const rpc = sdl.document.services[rpcLayer].expose!.find((e) => e.port === rpcPort)!;
      assert.ok(!rpc.to.some((t) => "global" in t), "the node's RPC is not global");
      assert.ok(rpc.to.some((t) => "service" in t && t.service === SDL_UPSTREAM_TLS_SERVICE));
      const term = sdl.document.services[SDL_UPSTREAM_TLS_SERVICE];
      assert.equal(term.image, IMAGE);
      assert.deepEqual(term.expose, [{ port: 8443, as: 8443, proto: "tcp", to: [{ global: true, ip: "p2p" }] }]);
      assert.deepEqual(sdl.document.endpoints, { p2p: { kind: "ip" } });
      const config = term.env!.find((e) => e.startsWith("SOVEREIGN_UPSTREAM_TLS_CONFIG="))!.split("=")[1];
      const wsPort = catalog.clients.get(node.clients[rpcLayer])!.ports.find((p) => p.name === "ws")?.port;
      assert.equal(
        Buffer.from(config, "base64").toString("utf8"),
        renderUpstreamTerminator({
          node: node.id,
          rpc: `${rpcLayer}:${rpcPort}`,
          ws: wsPort === undefined ? undefined : `${rpcLayer}:${wsPort}`,
        }).haproxyCfg,
      );
      assert.ok(sdl.document.profiles.placement.akash.pricing[SDL_UPSTREAM_TLS_SERVICE].amount > 0);
      assert.ok(sdl.ceilingUsdPerMonth > renderSdl(node, catalog).ceilingUsdPerMonth, "the terminator is priced");
    });
  }

  it("beside a terminator RPC is never global, even when publicRpc asks (Akash has no source filter)", () => {
    const sdl = renderSdl(nodes[0], catalog, { publicRpc: true, upstreamTls: { image: IMAGE } });
    const rpc = sdl.document.services.node.expose!.find((e) => e.port === 8545)!;
    assert.deepEqual(rpc.to, [{ service: SDL_UPSTREAM_TLS_SERVICE }]);
    const without = renderSdl(nodes[0], catalog, { publicRpc: true }).document.services.node.expose!;
    assert.ok(
      without.find((e) => e.port === 8545)!.to.some((t) => "global" in t),
      "publicRpc alone still opens it",
    );
  });

  it("its PEMs are placeholders until filled, then base64 in one env line each", () => {
    const sdl = renderSdl(nodes[0], catalog, { upstreamTls: { image: IMAGE } });
    const shown = sdlYaml(sdl);
    assert.match(shown, /SOVEREIGN_UPSTREAM_TLS_PEM=<secret upstreamTlsPem: filled at deploy>/);
    // A CA and a certificate drawn now by the same scripts the components run (no key in the repository).
    const ca = upstreamCa("lab");
    const pem = upstreamCertificate(ca, "devnet-akash-1.lab.upstream.sovereign", "server").trim();
    const filled = parse(sdlYaml(sdl, { upstreamTlsPem: pem, upstreamTlsCa: splitCertificateAndKey(ca).certificate }));
    const env = filled.services[SDL_UPSTREAM_TLS_SERVICE].env as string[];
    const value = env
      .find((e) => e.startsWith("SOVEREIGN_UPSTREAM_TLS_PEM="))!
      .split("=")
      .slice(1)
      .join("=");
    assert.equal(Buffer.from(value, "base64").toString("utf8"), `${pem}\n`);
    assert.ok(
      env.some((e) => e.startsWith("SOVEREIGN_UPSTREAM_TLS_CONFIG=")),
      "the config stays",
    );
    assert.throws(() => sdlYaml(sdl, { upstreamTlsPem: pem }), /needs the secret upstreamTlsCa/);
  });
});
