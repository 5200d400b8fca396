/**
 * `sovereign akash-prices --refresh` against a loopback server that answers like a broken or
 * hostile Akash Console: every odd answer ends in exit 2 naming --api, and nothing is written to
 * the catalog (a bad price there would make every later command fail).
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const CLI = join(__dirname, "..", "..", "bin", "sovereign.js");

interface Run {
  code: number | null;
  stderr: string;
  ms: number;
}
const run = (...args: string[]) =>
  new Promise<Run>((resolve) => {
    const start = Date.now();
    execFile(process.execPath, [CLI, ...args], { timeout: 60_000 }, (e, _out, stderr) =>
      resolve({ code: e ? (typeof e.code === "number" ? e.code : null) : 0, stderr, ms: Date.now() - start }),
    );
  });

/** What the server answers next: a status and a body, or nothing at all (hang). */
let answer: { status: number; body: string } | "hang" = { status: 200, body: "[]" };
let server: Server;
let url: string;
const catalog = mkdtempSync(join(tmpdir(), "sovereign-hostile-console-"));
const priceDir = join(catalog, "providers", "akash-pricing");

before(async () => {
  server = createServer((req, res) => {
    req.resume();
    if (answer === "hang") return; // never answers; closed when the server closes
    res.writeHead(answer.status, { "content-type": "application/json" }).end(answer.body);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  server.closeAllConnections();
  server.close();
  rmSync(catalog, { recursive: true, force: true });
});

// A Console that answers gets 10 s (the CLI starts slowly on a loaded machine); `extra` can shorten it.
const refresh = (...extra: string[]) =>
  run("akash-prices", "--refresh", "--api", url, "--catalog", catalog, "--timeout", "10", ...extra);

function assertRefused(r: Run, message: RegExp) {
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /--api: /);
  assert.match(r.stderr, message);
  assert.doesNotMatch(r.stderr, /internal error|^ {4}at /m);
  assert.ok(!existsSync(priceDir) || readdirSync(priceDir).length === 0, "nothing written");
}

const estimate = (akash: unknown) => ({ spec: {}, akash, aws: 1, gcp: 1, azure: 1 });

describe("akash-prices: the Console's answer is checked before anything is written", () => {
  for (const [what, body, message] of [
    ["a negative price", JSON.stringify([estimate(-450), estimate(125)]), /0\.akash: Too small/],
    ["a price of 1e306", JSON.stringify([estimate(1e306), estimate(125)]), /0\.akash: Too big/],
    ["a price that is not a number", JSON.stringify([estimate("NaN"), estimate(125)]), /0\.akash: .*expected number/],
    ["null", "null", /not a price estimate/],
    ["one estimate for two specs", JSON.stringify([estimate(450)]), /one estimate per spec asked \(2\)/],
    ["text that is not JSON", "<html>", /not JSON/],
  ] as const)
    test(`${what}: exit 2`, async () => {
      answer = { status: 200, body };
      assertRefused(await refresh(), message);
    });

  test("a Console that never answers: exit 2 within the timeout, not 30 s", async () => {
    answer = "hang";
    const r = await refresh("--timeout", "1");
    assertRefused(r, /timeout|aborted/i);
    assert.ok(r.ms < 10_000, `${r.ms} ms`);
  });

  test("an error message with escape codes and bidi overrides is shown escaped", async () => {
    answer = { status: 400, body: JSON.stringify({ message: "bad\u001b[2J\u202espec\nnext" }) };
    const r = await refresh();
    assertRefused(r, /bad\\u001b\[2J\\u202espec\\u000anext/);
    assert.doesNotMatch(r.stderr, /[\u001b\u202e]/);
  });

  test("a URL with user:password@ is refused without echoing the password", async () => {
    const r = await run("akash-prices", "--refresh", "--api", url.replace("//", "//me:hunter2@"), "--catalog", catalog);
    assertRefused(r, /http:\/\/\*\*\*@127/);
    assert.doesNotMatch(r.stderr, /hunter2/);
    assert.match(r.stderr, /user name or password/);
  });

  test("a well-formed answer is written (the checks pass real figures)", async () => {
    answer = { status: 200, body: JSON.stringify([estimate(450), estimate(125)]) };
    const r = await refresh();
    assert.equal(r.code, 0, r.stderr);
    assert.equal(readdirSync(priceDir).length, 1);
    rmSync(priceDir, { recursive: true });
  });
});
