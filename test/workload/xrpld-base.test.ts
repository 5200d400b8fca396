/**
 * The clients that replaced retired ones this round render what their upstreams document: xrpld reads
 * the catalog's xrpld.cfg with the ledger in its data directory; Base runs base-reth-node and
 * base-consensus from one image, the consensus client reading the L1 secrets and the engine JWT.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { renderWorkload, type ComposeFile } from "../../core/workload";
import { catalog as loadCat } from "../core/helpers";

const catalog = loadCat();

describe("clients that replaced retired ones", () => {
  it("xrpld reads the catalog's config, with the network's validator list and the ledger in its data directory", () => {
    const node = { id: "xrpl-1", chain: "xrpl", network: "mainnet", role: "full", clients: { node: "xrpld" } };
    const w = renderWorkload(node, catalog);
    const svc = (parse(w.composeYaml) as ComposeFile).services.node;
    assert.equal(svc.image, "rippleci/xrpld:3.4.1");
    assert.deepEqual(svc.command, ["--conf=/sovereign/files/xrpld.cfg", "--net"]);
    assert.ok(svc.volumes!.includes("/srv/sovereign/xrpl-1/node:/var/lib/xrpld"), String(svc.volumes));
    const cfg = w.files!.find((f) => f.name === "xrpld.cfg")!.content;
    for (const section of [
      "[database_path]\n/var/lib/xrpld/db",
      "path = /var/lib/xrpld/db/nudb",
      "https://vl.ripple.com",
      "port = 51234",
    ])
      assert.ok(cfg.includes(section), section);
    const testnet = renderWorkload({ ...node, network: "testnet" }, catalog).files!.find(
      (f) => f.name === "xrpld.cfg",
    )!.content;
    assert.ok(testnet.includes("https://vl.altnet.rippletest.net") && !testnet.includes("vl.ripple.com"));
  });

  it("Base runs base-reth-node and base-consensus from one image, wired by the engine API", () => {
    const node = {
      id: "base-1",
      chain: "base",
      network: "mainnet",
      role: "full",
      clients: { execution: "base-reth-node", rollup: "base-consensus" },
    };
    const w = renderWorkload(node, catalog);
    const compose = parse(w.composeYaml) as ComposeFile;
    const el = compose.services.execution;
    const cl = compose.services.rollup;
    assert.equal(el.image, cl.image);
    assert.match(el.image!, /^ghcr\.io\/base\/node:v1\.5\.1$/);
    assert.equal(el.command![0], "/app/base-reth-node");
    assert.ok(
      el.command!.includes("--chain=base") &&
        el.command!.includes("--rollup.sequencer-http=https://mainnet-sequencer.base.org"),
    );
    assert.ok(
      el.command!.some((a) => a.startsWith("--prune.receipts.distance=")),
      "a full node prunes history",
    );
    assert.equal(cl.command![0], "/app/base-consensus");
    for (const arg of [
      "--chain=8453",
      "--l2-engine-rpc=http://execution:8551",
      "--l2-engine-jwt-secret=/secrets/jwt.hex",
      "--l1.trust-rpc=false",
    ])
      assert.ok(cl.command!.includes(arg), arg);
    assert.ok(
      cl.command!.some((a) => a.startsWith("--l1-eth-rpc=")),
      "the L1 RPC reaches the consensus client",
    );
  });
});
