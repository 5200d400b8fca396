/**
 * The Akash price refresh (CONTRACT TEST: against the local Console contract server, which answers
 * POST /v1/pricing with the Console's own formula): a dated catalog file, used by the next load;
 * without --refresh nothing is asked (offline is the default).
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_CATALOG_DIR, loadCatalog } from "../../core/catalog/load";
import { startContractServer, type ContractServer } from "./console-server";

const CLI = join(__dirname, "..", "..", "bin", "sovereign.js");
const run = (...args: string[]) =>
  new Promise<{ code: number; stderr: string }>((resolve) => {
    execFile(process.execPath, [CLI, ...args], { timeout: 60_000 }, (e, _out, stderr) =>
      resolve({ code: e ? Number(e.code) : 0, stderr }),
    );
  });

describe("sovereign akash-prices --refresh (contract test)", () => {
  let server: ContractServer;
  const catalogDir = join(mkdtempSync(join(tmpdir(), "akash-prices-")), "catalog");
  before(async () => {
    server = await startContractServer("unused");
    cpSync(DEFAULT_CATALOG_DIR, catalogDir, { recursive: true });
  });
  after(() => server.close());

  test("without --refresh nothing is asked and nothing written (exit 2)", async () => {
    const r = await run("akash-prices", "--api", server.url, "--catalog", catalogDir);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /add --refresh/);
    assert.equal(server.requests.length, 0);
  });

  test("writes a dated file the catalog then uses for CPU and memory", async () => {
    const before = loadCatalog(catalogDir).providers.get("akash")!.resourcePrices!;
    assert.equal(before.cpuUsdPerThreadMonth.value, 1.6);
    const r = await run("akash-prices", "--refresh", "--api", server.url, "--catalog", catalogDir);
    assert.equal(r.code, 0, r.stderr);
    const request = server.requests.find((q) => q.path === "/v1/pricing")!;
    assert.equal(request.keyOk, false, "POST /v1/pricing needs no key");
    const file = join(catalogDir, "providers", "akash-pricing", `${new Date().toISOString().slice(0, 10)}.yaml`);
    assert.ok(existsSync(file));
    assert.match(readFileSync(file, "utf8"), /source: Akash Console POST http:\/\/127\.0\.0\.1:\d+\/v1\/pricing/);
    // A fresh process loads the catalog anew (loadCatalog caches per directory in this one).
    const probe = `const { loadCatalog } = require(${JSON.stringify(join(__dirname, "..", "..", "core", "catalog", "load.ts"))}); const p = loadCatalog(${JSON.stringify(catalogDir)}).providers.get("akash").resourcePrices; console.log(JSON.stringify([p.cpuUsdPerThreadMonth.value, p.memoryUsdPerGbMonth.value, p.ipLeaseUsdPerMonth.value]))`;
    const out = await new Promise<string>((resolve) =>
      execFile(process.execPath, ["--import", "tsx", "-e", probe], (_e, stdout) => resolve(stdout)),
    );
    // The contract server answers with the Console's formula: 4.5 USD/thread, 1.25 USD/GB; the IP lease stays from akash.yaml.
    assert.deepEqual(JSON.parse(out), [4.5, 1.25, 5]);
  });
});
