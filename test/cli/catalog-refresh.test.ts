// `sovereign catalog refresh` against a local contract server that answers like GitHub's releases API
// and an OCI registry's tags list (with the anonymous bearer-token handshake): the overlay it writes,
// what `catalog images` and `plan` make of it, `--accept`, and every way the network can fail.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { loadCatalog } from "../../core/catalog/load";

const ROOT = join(__dirname, "..", "..");
const TOKEN = "contract-token";

type Answer = (req: IncomingMessage, res: ServerResponse) => void;
const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
};
const release = (tag: string, publishedAt: string | null, extra: object = {}) => ({
  tag_name: tag,
  published_at: publishedAt,
  html_url: `https://github.com/paradigmxyz/reth/releases/tag/${tag}`,
  draft: false,
  prerelease: false,
  ...extra,
});

/** GitHub and the registry in one server; `releases` can be swapped per test. */
function contract(port: () => number, releases: () => unknown): Answer {
  return (req, res) => {
    const url = new URL(req.url!, "http://x");
    if (url.pathname === "/repos/paradigmxyz/reth/releases") return json(res, 200, releases());
    if (url.pathname.startsWith("/repos/")) return json(res, 200, []);
    if (url.pathname === "/token") return json(res, 200, { token: TOKEN });
    const tags = /^\/v2\/(.+)\/tags\/list$/.exec(url.pathname);
    if (tags) {
      if (req.headers.authorization !== `Bearer ${TOKEN}`)
        return json(
          res,
          401,
          { errors: [] },
          {
            "www-authenticate": `Bearer realm="http://127.0.0.1:${port()}/token",service="registry.test",scope="repository:${tags[1]}:pull"`,
          },
        );
      const list = tags[1] === "paradigmxyz/reth" ? ["v2.10.1", "v2.11.0", "latest", "v2.11.0-rc.1"] : [];
      return json(res, 200, { name: tags[1], tags: list });
    }
    json(res, 404, {});
  };
}

function listen(answer: Answer): Promise<Server> {
  const server = createServer(answer);
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

function run(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, "bin", "sovereign.js"), ...args], {
      env: { ...process.env, GITHUB_TOKEN: "" },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (status) => resolve({ status, stdout, stderr, ms: Date.now() - started }));
  });
}

describe("sovereign catalog refresh", () => {
  let server: Server;
  let base: string;
  let releases: () => unknown = () => [
    release("v2.11.0", "2026-12-01T10:00:00Z"),
    release("v2.10.1", "2026-11-10T10:00:00Z"),
    release("v2.12.0-rc.1", "2026-12-05T10:00:00Z", { prerelease: true }),
  ];
  const dirs: string[] = [];
  const catalogCopy = () => {
    const dir = mkdtempSync(join(tmpdir(), "sovereign-catalog-"));
    cpSync(join(ROOT, "catalog"), dir, { recursive: true });
    rmSync(join(dir, "releases"), { recursive: true, force: true });
    dirs.push(dir);
    return dir;
  };
  const refresh = (dir: string, ...more: string[]) =>
    run(["catalog", "refresh", "--catalog", dir, "--github-api", base, "--registry", base, ...more]);

  before(async () => {
    server = await listen(
      contract(
        () => (server.address() as AddressInfo).port,
        () => releases(),
      ),
    );
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  test("writes a dated overlay of newer stable releases with their image tags, and changes no pin", async () => {
    const dir = catalogCopy();
    const clientsBefore = readFileSync(join(dir, "clients.yaml"), "utf8");
    const r = await refresh(dir);
    assert.equal(r.status, 0, r.stderr);
    const [file] = readdirSync(join(dir, "releases"));
    assert.match(file, /^\d{4}-\d{2}-\d{2}\.yaml$/);
    assert.equal(readFileSync(join(dir, "clients.yaml"), "utf8"), clientsBefore, "pins change only with --accept");
    const overlay = loadCatalog(dir).releases!;
    const reth = overlay.clients.find((c) => c.client === "reth")!;
    assert.deepEqual(
      reth.newer.map((n) => [n.version, n.imageTag]),
      [["2.11.0", "v2.11.0"]],
      "the release candidate and the pinned version are not offered",
    );
    assert.match(overlay.clients.find((c) => c.client === "maru")!.unchecked!, /no release feed/);
    assert.match(r.stdout, /reth v2\.10\.1: 2\.11\.0 released 2026-12-01 \(image tag v2\.11\.0\)/);
  });

  test("`catalog images` shows what the refresh found; `plan` offers it where a pin is below a minimum", async () => {
    const dir = catalogCopy();
    assert.equal((await refresh(dir)).status, 0);
    const images = await run(["catalog", "images", "--format", "json"]);
    assert.equal(images.status, 0);
    const cat = loadCatalog(dir);
    const { upgradeChecks } = await import("../../core/catalog/upgrades");
    const reth = cat.clients.get("reth")!;
    const clients = new Map(cat.clients).set("reth", { ...reth, image: { ...reth.image, tag: "v1.8.0" } });
    const [check] = upgradeChecks(
      { ...cat, clients },
      [{ chainKey: "ethereum/mainnet", clients: { execution: "reth", consensus: "teku" } }],
      {
        now: new Date("2026-12-07T00:00:00Z"),
      },
    );
    assert.equal(check.ok, false);
    assert.match(
      check.message,
      /reth 1\.8\.0 is below 1\.9\.1 .*2\.11\.0 was released 2026-12-01: sovereign catalog refresh --accept reth@v2\.11\.0/,
    );
  });

  test("--accept raises the pin to a tag the overlay lists, keeping the file's comments; anything else is refused", async () => {
    const dir = catalogCopy();
    assert.equal((await refresh(dir)).status, 0);
    const refused = await refresh(dir, "--accept", "reth@v9.9.9");
    assert.equal(refused.status, 2);
    assert.match(refused.stderr, /--accept: reth@v9\.9\.9: the overlay of .* lists no image tag v9\.9\.9 for reth/);
    const accepted = await refresh(dir, "--accept", "reth@v2.11.0");
    assert.equal(accepted.status, 0, accepted.stderr);
    const text = readFileSync(join(dir, "clients.yaml"), "utf8");
    assert.match(text, /# Reth is an archive node by default/, "comments are kept");
    const cat = loadCatalog(dir);
    assert.equal(cat.clients.get("reth")!.image.tag, "v2.11.0");
    assert.match(cat.clients.get("reth")!.image.source, /GitHub release v2\.11\.0/);
    assert.equal(
      cat.clients.get("geth")!.image.tag,
      loadCatalog().clients.get("geth")!.image.tag,
      "other pins untouched",
    );
  });

  test("an answer that fails validation writes nothing (exit 4, the field named)", async () => {
    const dir = catalogCopy();
    releases = () => [release("v2.11.0", "yesterday")];
    try {
      const r = await refresh(dir);
      assert.equal(r.status, 4);
      assert.match(r.stderr, /releases.*not a list of releases \(0\.published_at/);
      assert.equal(existsSync(join(dir, "releases")), false);
    } finally {
      releases = () => [release("v2.11.0", "2026-12-01T10:00:00Z")];
    }
  });

  test("offline it fails fast with a clear message, and a source that never answers is bounded by --timeout", async () => {
    const dir = catalogCopy();
    const closed = await listen(() => {});
    const port = (closed.address() as AddressInfo).port;
    closed.close();
    const offline = await run([
      "catalog",
      "refresh",
      "--catalog",
      dir,
      "--github-api",
      `http://user:secret@127.0.0.1:${port}`,
    ]);
    assert.equal(offline.status, 4);
    assert.match(offline.stderr, /cannot be reached .*needs the internet/);
    assert.doesNotMatch(offline.stderr + offline.stdout, /secret/, "credentials in a URL are never echoed");
    const silent = await listen(() => {}); // accepts and never answers
    try {
      const hung = await run([
        "catalog",
        "refresh",
        "--catalog",
        dir,
        "--timeout",
        "1",
        "--github-api",
        `http://127.0.0.1:${(silent.address() as AddressInfo).port}`,
      ]);
      assert.equal(hung.status, 4);
      assert.match(hung.stderr, /did not answer within 1 s; nothing was written/);
      // Bounded by the timeout, not by the server: compared with the CLI's own start-up in the same run.
      const startup = (await run(["--version"])).ms;
      assert.ok(hung.ms < startup + 10_000, `bounded: ${hung.ms} ms against a start-up of ${startup} ms`);
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
    assert.equal(existsSync(join(dir, "releases")), false);
  });
});
