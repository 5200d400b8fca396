/**
 * Real non-EVM nodes on loopback for the gateway tests: btcd (regtest) and CometBFT (kvstore),
 * built by e2e/lab/build-nodes.sh into the tools cache, and the XRPL stand-in (no rippled build
 * exists here): an HTTP server answering server_info and ledger in rippled's documented shape.
 * Every process is tracked by processes.ts and killed by its `stopAll()`.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { freePort, track, tempDir, waitFor } from "./processes";

const TOOLS = process.env.SOVEREIGN_TOOLS_DIR ?? join(homedir(), ".cache", "sovereign", "tools");
const BUILD = resolve(__dirname, "..", "..", "e2e", "lab", "build-nodes.sh");

/** The cached binary of `name` (btcd, cometbft), built on first use by e2e/lab/build-nodes.sh. */
export function nodeBinary(name: "btcd" | "cometbft"): string {
  const out = execFileSync("bash", [BUILD, name], {
    encoding: "utf8",
    env: { ...process.env, SOVEREIGN_TOOLS_DIR: TOOLS },
  });
  const path = out.trim().split("\n").pop()!;
  if (!existsSync(path)) throw new Error(`e2e/lab/build-nodes.sh ${name} printed no binary: ${out}`);
  return path;
}

export interface KindNode {
  url: string;
  process?: ChildProcess;
  /** Sends a raw JSON-RPC body straight to the node (with its credentials) and returns the parsed answer. */
  call(body: unknown): Promise<any>;
}

export const BTC_USER = "sovereign";

/** A btcd on 127.0.0.1, regtest, its own chain (no peers), RPC with the given password. */
export async function startBtcd(password: string): Promise<KindNode> {
  const dir = tempDir("sov-btcd-");
  const [rpc, p2p] = [await freePort(), await freePort()];
  const p = track(
    spawn(
      nodeBinary("btcd"),
      [
        "--regtest",
        `--datadir=${dir}/data`,
        `--logdir=${dir}/logs`,
        `--configfile=${dir}/btcd.conf`,
        `--rpccert=${dir}/rpc.cert`,
        `--rpckey=${dir}/rpc.key`,
        `--rpclisten=127.0.0.1:${rpc}`,
        "--notls",
        `--listen=127.0.0.1:${p2p}`,
        `--rpcuser=${BTC_USER}`,
        `--rpcpass=${password}`,
        // Any regtest address: blocks mined by `generate` pay it.
        "--miningaddr=mipcBbFg9gMiCh81Kj8tqqdgoZub1ZJRfn",
      ],
      { stdio: "ignore" },
    ),
  );
  const url = `http://127.0.0.1:${rpc}`;
  const auth = `Basic ${Buffer.from(`${BTC_USER}:${password}`).toString("base64")}`;
  const call = async (body: unknown): Promise<any> =>
    (
      await fetch(url, { method: "POST", headers: { authorization: auth }, body: JSON.stringify(body) })
    ).json() as Promise<any>;
  await waitFor(
    async () => (await call({ jsonrpc: "1.0", id: 1, method: "getblockcount", params: [] })).result === 0,
    15000,
    `btcd on ${rpc}`,
  );
  return { url, process: p, call };
}

/** A CometBFT kvstore node on 127.0.0.1, its own chain; a block only when a transaction comes. */
export async function startCometbft(): Promise<KindNode> {
  const bin = nodeBinary("cometbft");
  const home = tempDir("sov-cmt-");
  execFileSync(bin, ["init", "--home", home], { stdio: "ignore" });
  const [rpc, p2p] = [await freePort(), await freePort()];
  const p = track(
    spawn(
      bin,
      ["start", "--home", home, "--proxy_app=kvstore", "--rpc.laddr", `tcp://127.0.0.1:${rpc}`].concat([
        "--p2p.laddr",
        `tcp://127.0.0.1:${p2p}`,
        "--consensus.create_empty_blocks=false",
      ]),
      { stdio: "ignore" },
    ),
  );
  const url = `http://127.0.0.1:${rpc}`;
  const call = async (body: unknown): Promise<any> =>
    (await fetch(url, { method: "POST", body: JSON.stringify(body) })).json();
  await waitFor(
    async () =>
      Number(
        (await call({ jsonrpc: "2.0", id: 1, method: "status", params: {} })).result.sync_info.latest_block_height,
      ) >= 1,
    20000,
    `cometbft on ${rpc}`,
  );
  return { url, process: p, call };
}

/**
 * The XRPL stand-in: no rippled build exists on this machine, so this answers `server_info`,
 * `ledger`, `submit` and anything else (an error) with bodies in the shape xrpl.org documents for
 * rippled 2.x, from a state the test sets (validated ledger sequence and age, server_state).
 * `submits` counts submit calls, so a test can tell whether a write was sent twice.
 */
export interface XrplStandIn extends KindNode {
  state: { seq: number; age: number; serverState: string; hang: boolean };
  submits: number;
  server: Server;
}

export async function startXrplStandIn(seq: number): Promise<XrplStandIn> {
  const port = await freePort();
  const node = { state: { seq, age: 1, serverState: "full", hang: false }, submits: 0 } as XrplStandIn;
  const answer = (method: string): unknown => {
    const s = node.state;
    const validated = {
      age: s.age,
      base_fee_xrp: 0.00001,
      hash: "4E5B".padEnd(64, "0"),
      reserve_base_xrp: 1,
      reserve_inc_xrp: 0.2,
      seq: s.seq,
    };
    if (method === "server_info")
      return {
        result: {
          info: {
            build_version: "2.5.0",
            complete_ledgers: `32570-${s.seq}`,
            hostid: "STANDIN",
            io_latency_ms: 1,
            last_close: { converge_time_s: 2, proposers: 35 },
            load_factor: 1,
            network_id: 0,
            peers: 21,
            server_state: s.serverState,
            uptime: 1000,
            validated_ledger: validated,
            validation_quorum: 28,
          },
          status: "success",
        },
      };
    if (method === "ledger")
      return {
        result: {
          ledger: { ledger_index: String(s.seq), closed: true },
          ledger_hash: validated.hash,
          ledger_index: s.seq,
          validated: true,
          status: "success",
        },
      };
    if (method === "submit") {
      node.submits++;
      return { result: { engine_result: "tesSUCCESS", engine_result_code: 0, status: "success" } };
    }
    return { result: { error: "unknownCmd", status: "error" } };
  };
  node.server = createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      let method = "";
      try {
        method = JSON.parse(body).method;
      } catch {
        /* answered as an unknown command */
      }
      const reply = () => {
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify(answer(method)));
      };
      // A hung node: the request is received (a submit counts), the answer never comes.
      if (node.state.hang) {
        answer(method);
        return;
      }
      reply();
    });
  });
  await new Promise<void>((ok) => node.server.listen(port, "127.0.0.1", ok));
  node.url = `http://127.0.0.1:${port}`;
  node.call = async (body: unknown) => (await fetch(node.url, { method: "POST", body: JSON.stringify(body) })).json();
  return node;
}
