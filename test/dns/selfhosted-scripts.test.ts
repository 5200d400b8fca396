/**
 * The scripts a self-hosted DNS server runs over SSH (components/dns/selfhosted.ts), run here by sh
 * against Debian's knot on loopback: the serve script starts knotd, a changed record set reloads the
 * same knotd in place (an update, never a second server), and the stop script ends knotd and leaves
 * no directory behind, even when it runs right after a reload, while knotd is busiest.
 */
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { renderKnotConfig, renderZoneFile, rpcRecordSet } from "../../core/dns";
import { knotServeScript, knotStopScript } from "../../components/dns/selfhosted";

const root = mkdtempSync(join(tmpdir(), "sovereign-knot-"));
const dir = join(root, "dns");
const PORT = 5397;
const ZONE = "rpc.sovereign.lab.";
const knotConfig = renderKnotConfig({ zone: ZONE, listen: { address: "127.0.0.1", port: PORT }, dir });
const zoneFile = (addresses: string[]) =>
  renderZoneFile({
    zone: ZONE,
    nameservers: [{ name: "ns1.rpc.sovereign.lab", address: "127.0.0.1" }],
    records: [
      rpcRecordSet(
        "rpc.sovereign.lab",
        addresses.map((address, i) => ({ id: `g${i}`, address })),
      ),
    ],
  });
const sh = (script: string) => spawnSync("sh", ["-s"], { input: script, encoding: "utf8" });
const serve = (addresses: string[]) =>
  sh(knotServeScript({ dir, zone: ZONE, address: "127.0.0.1", knotConfig, zoneFile: zoneFile(addresses) }));
const answer = () =>
  spawnSync("kdig", ["+short", "+timeout=1", "+retry=0", "@127.0.0.1", "-p", String(PORT), "rpc.sovereign.lab", "A"], {
    encoding: "utf8",
  })
    .stdout.trim()
    .split("\n")
    .sort();
const pid = () => readFileSync(join(dir, "knot.pid"), "utf8").trim();
/** Running: a knotd in /proc that is not a zombie (this test process never reaps knotd). */
const running = (p: string) => {
  const stat = existsSync(`/proc/${p}/stat`) ? readFileSync(`/proc/${p}/stat`, "utf8") : "";
  return stat.includes("(knotd) ") && !stat.includes("(knotd) Z");
};

after(() => {
  sh(knotStopScript(dir));
  rmSync(root, { recursive: true, force: true });
});

describe("self-hosted DNS server scripts on a real knotd", () => {
  test("serve starts knotd; a changed record set reloads the same knotd; stop removes it and its directory", () => {
    const first = serve(["10.77.0.9"]);
    assert.equal(first.status, 0, first.stderr);
    assert.deepEqual(answer(), ["10.77.0.9"]);
    const started = pid();

    const grown = serve(["10.77.0.9", "10.77.0.17"]);
    assert.equal(grown.status, 0, grown.stderr);
    assert.deepEqual(answer(), ["10.77.0.17", "10.77.0.9"]);
    assert.equal(pid(), started, "the update reloads the running knotd");

    const stop = sh(knotStopScript(dir));
    assert.equal(stop.status, 0, stop.stderr);
    assert.equal(existsSync(dir), false, "no directory left");
    assert.equal(running(started), false, "knotd has ended");
    assert.deepEqual(answer(), [""], "nothing answers any more");
  });

  test("stop on a host where nothing was served succeeds (a destroy after a failed create)", () => {
    const stop = sh(knotStopScript(dir));
    assert.equal(stop.status, 0, stop.stderr);
    assert.equal(existsSync(dir), false);
  });
});
