/**
 * Linea in the catalog: an execution client (Linea Besu from its package image's built-in profile, or
 * geth from Linea's genesis) driven by Maru, which reads a config.toml. Exercises what Linea needed of
 * the renderer: catalog files rendered into the config directory and mounted read-only, a one-shot
 * init service the client waits for, and both delivered on Akash by the client's own shell.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { parse, stringify } from "yaml";
import { CatalogError, checkIntegrity, DEFAULT_CATALOG_DIR, loadCatalog } from "../../core/catalog/load";
import { planFleet } from "../../core/planner/plan";
import { renderCloudInit, renderWorkload, workloadFiles, type ComposeFile } from "../../core/workload";
import { AKASH_FILES_DIR, AKASH_JWT_PATH, renderSdl, type SdlNode } from "../../core/workload/sdl";
import { validateSdl } from "../../core/workload/sdl-validate";
import { catalog as loadCat, fleetOf } from "../core/helpers";

const catalog = loadCat();
const JWT = "0f".repeat(32);
const lineaNode = (execution = "linea-besu", network = "mainnet") => ({
  id: `linea-${execution}-${network}`,
  chain: "linea",
  network,
  role: "full",
  clients: { execution, consensus: "maru" },
});
const catalogFile = (path: string) => readFileSync(join(DEFAULT_CATALOG_DIR, path), "utf8");

describe("Linea", () => {
  it("plans a Linea fleet: Linea Besu or geth with Maru, sized by the sourced (estimated) profile", async () => {
    const plan = await planFleet(
      fleetOf({
        name: "linea-fleet",
        chains: [{ chain: "linea", count: 2 }],
        sites: { aws: { regions: ["us-east-1", "eu-central-1"] } },
        policy: {},
      }),
      catalog,
    );
    assert.equal(plan.nodes.length, 2);
    for (const n of plan.nodes) {
      assert.equal(n.chain, "linea");
      assert.equal(n.clients.consensus, "maru");
      assert.ok(["linea-besu", "linea-geth"].includes(n.clients.execution), n.clients.execution);
    }
    const profile = catalog.chains.get("linea")!.roles.full;
    assert.match(profile.source, /docs\.linea\.build/);
    assert.equal(profile.estimate, true, "Linea publishes disk sizes only: CPU, memory and IOPS are estimates");
    assert.deepEqual(catalog.chains.get("linea")!.chainIds, { mainnet: 59144, sepolia: 59141 });
    assert.equal(catalog.chains.get("linea")!.requires, undefined, "Maru follows from peers: no L1 secret");
  });

  it("Linea Besu runs its built-in profile with the engine JWT on; Maru reads its config.toml read-only", () => {
    const w = renderWorkload(lineaNode(), catalog);
    const compose = parse(w.composeYaml) as ComposeFile;
    assert.deepEqual(Object.keys(compose.services).sort(), ["consensus", "execution"]);
    const el = compose.services.execution;
    assert.equal(el.image, "consensys/linea-besu-package:beta-v6.2-20260413130658-9cb6f11");
    assert.deepEqual(el.command, [
      "--profile=advanced-mainnet",
      "--data-path=/data",
      "--engine-jwt-disabled=false",
      "--engine-jwt-secret=/secrets/jwt.hex",
    ]);
    assert.deepEqual(el.expose, ["8550/tcp"], "the engine API stays between the node's containers");
    assert.deepEqual(el.volumes, [
      "/srv/sovereign/linea-linea-besu-mainnet/execution:/data",
      "/etc/sovereign/linea-linea-besu-mainnet/jwt.hex:/secrets/jwt.hex:ro",
    ]);

    const cl = compose.services.consensus;
    assert.equal(cl.image, "consensys/maru:v1.2.1-20260410142843-d326b73");
    assert.deepEqual(cl.command, [
      "java",
      "-jar",
      "/opt/consensys/maru/maru.jar",
      "--network=linea-mainnet",
      "--config=/sovereign/files/maru-config.toml",
    ]);
    const dir = "/etc/sovereign/linea-linea-besu-mainnet";
    assert.deepEqual(cl.volumes, [
      "/srv/sovereign/linea-linea-besu-mainnet/consensus:/data",
      `${dir}/files/consensus/maru-config.toml:/sovereign/files/maru-config.toml:ro`,
      `${dir}/jwt.hex:/secrets/jwt.hex:ro`,
    ]);
    assert.deepEqual(cl.depends_on, ["execution"]);
    assert.deepEqual(w.secrets, []);
    assert.equal(w.needsJwt, true);

    // The config is Linea's, with this node's endpoints, JWT and data directory filled in.
    const config = w.files!.find((f) => f.name === "maru-config.toml")!;
    assert.equal(config.hostPath, `${dir}/files/consensus/maru-config.toml`);
    for (const line of [
      'endpoint = "http://execution:8550"',
      'jwt-secret-path = "/secrets/jwt.hex"',
      'endpoint = "http://execution:8545"',
      'data-path = "/data/data"',
      '  "/ip4/18.223.198.165/tcp/31005/p2p/16Uiu2HAmSJSpgBxVoMcRZ4u8CQbTgfPrbw6u7xH1BnMgwAQZAm91",',
    ])
      assert.ok(config.content.split("\n").includes(line), line);
    assert.doesNotMatch(config.content, /\{\w+\}/, "every placeholder filled");
    const sepolia = renderWorkload(lineaNode("linea-besu", "sepolia"), catalog).files![0].content;
    assert.match(sepolia, /3\.129\.120\.128\/tcp\/31005/);
    assert.doesNotMatch(sepolia, /18\.223\.198\.165/, "each network its own peers");

    // On disk: the file (not a secret), the JWT, and Linea Besu's data directory handed to its uid 1000.
    const files = workloadFiles(w, { jwt: JWT });
    const written = files.find((f) => f.path === config.hostPath)!;
    assert.deepEqual([written.mode, written.secret, written.content], ["0644", false, config.content]);
    const prepare = files.find((f) => f.path.endsWith("/prepare.sh"))!.content;
    assert.match(prepare, /^chown 1000:1000 "\/srv\/sovereign\/linea-linea-besu-mainnet\/execution"$/m);
  });

  it("geth starts from Linea's genesis: a one-shot `geth init` it waits for, the genesis mounted read-only", () => {
    const w = renderWorkload(lineaNode("linea-geth"), catalog);
    const compose = parse(w.composeYaml) as ComposeFile;
    assert.deepEqual(Object.keys(compose.services).sort(), ["consensus", "execution", "execution-init"]);
    const init = compose.services["execution-init"];
    const el = compose.services.execution;
    assert.equal(init.image, "ethereum/client-go:v1.16.9");
    assert.equal(init.image, el.image);
    assert.deepEqual(init.command, ["init", "--datadir=/data", "/sovereign/files/genesis.json"]);
    assert.equal(init.restart, undefined, "a one-shot is not restarted");
    assert.equal(init.labels["sovereign.once"], "true");
    assert.equal(init.ports, undefined);
    const genesisMount =
      "/etc/sovereign/linea-linea-geth-mainnet/files/execution/genesis.json:/sovereign/files/genesis.json:ro";
    assert.ok(init.volumes.includes(genesisMount) && el.volumes.includes(genesisMount));
    assert.equal(init.volumes[0], el.volumes[0], "init writes the client's own data directory");
    assert.deepEqual(el.depends_on, { "execution-init": { condition: "service_completed_successfully" } });
    assert.deepEqual(compose.services.consensus.depends_on, ["execution"]);
    assert.ok(el.command.includes("--networkid=59144"));
    const bootnodes = el.command.find((a) => a.startsWith("--bootnodes="))!;
    assert.equal(bootnodes.split(",").length, 7);
    assert.ok(bootnodes.startsWith("--bootnodes=enode://069800db9e6e0ec9"));
    assert.ok(el.command.includes("--authrpc.jwtsecret=/secrets/jwt.hex"));

    // The genesis is Linea's file as pinned (sha256 in clients.yaml), byte for byte.
    const genesis = w.files!.find((f) => f.name === "genesis.json")!.content;
    assert.equal(genesis, catalogFile("files/linea/mainnet/geth-genesis.json"));
    assert.equal(
      createHash("sha256").update(genesis).digest("hex"),
      "d6e87e994c082fdced1bb8f6cab0dfbb6146983252cc91f0f2b12ea18134ea5a",
    );
    assert.equal(JSON.parse(genesis).config.chainId, 59144);
    assert.match(w.files!.find((f) => f.name === "maru-config.toml")!.content, /endpoint = "http:\/\/execution:8551"/);
  });

  const compose = spawnSync("docker-compose", ["version", "--short"], { encoding: "utf8" });
  it(
    "docker-compose 1.29 accepts both projects, init ordering (service_completed_successfully) included",
    { skip: compose.status !== 0 && "docker-compose is not installed" },
    () => {
      for (const execution of ["linea-besu", "linea-geth"]) {
        const w = renderWorkload(lineaNode(execution), catalog);
        const dir = mkdtempSync(join(tmpdir(), "sovereign-linea-"));
        try {
          writeFileSync(join(dir, "compose.yaml"), w.composeYaml);
          const r = spawnSync(
            "docker-compose",
            ["--project-name", "linea", "--project-directory", dir, "--file", join(dir, "compose.yaml"), "config"],
            { encoding: "utf8" },
          );
          assert.equal(r.status, 0, r.stderr);
          assert.doesNotMatch(r.stderr, /WARNING/, r.stderr);
          const resolved = parse(r.stdout) as { services: Record<string, { depends_on?: unknown }> };
          if (execution === "linea-geth")
            assert.deepEqual(resolved.services.execution.depends_on, {
              "execution-init": { condition: "service_completed_successfully" },
            });
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      }
    },
  );

  it("cloud-init writes the files compressed: a geth node with its 22 KB genesis fits EC2's 16 KiB", () => {
    const w = renderWorkload(lineaNode("linea-geth"), catalog);
    const userData = renderCloudInit(w, { jwt: JWT });
    assert.ok(Buffer.byteLength(userData) < 16384, `${Buffer.byteLength(userData)} bytes`);
    const config = parse(userData.replace(/^#cloud-config\n/, "")) as {
      write_files: Array<{ path: string; content: string; encoding?: string }>;
    };
    for (const f of w.files!) {
      const entry = config.write_files.find((e) => e.path === f.hostPath)!;
      assert.equal(entry.encoding, "gz+b64", f.name);
      assert.equal(gunzipSync(Buffer.from(entry.content, "base64")).toString("utf8"), f.content, f.name);
    }
    const composeEntry = config.write_files.find((e) => e.path.endsWith("/compose.yaml"))!;
    assert.equal(composeEntry.encoding, undefined, "the workload's own files stay plain");
  });

  it("on Akash each client's shell writes the JWT and its files, runs the init, then execs; validateSDL passes", () => {
    for (const execution of ["linea-besu", "linea-geth"]) {
      const node: SdlNode = {
        ...lineaNode(execution),
        vcpu: 8,
        memoryGb: 32,
        storage: { class: "beta3", sizeGb: 1500 },
      };
      const sdl = renderSdl(node, catalog);
      validateSdl(node.id, sdl.document, catalog);
      const maru = sdl.document.services.consensus;
      assert.ok(maru.args.includes(`--config=${AKASH_FILES_DIR}/maru-config.toml`));
      const script = maru.command![2];
      assert.match(script, new RegExp(`printf '%s' "\\$SOVEREIGN_JWT" > ${AKASH_JWT_PATH}`));
      assert.match(
        script,
        /printf '%s' "\$SOVEREIGN_FILE_MARU_CONFIG_TOML" \| base64 -d > \/tmp\/sovereign-files\/maru-config\.toml/,
      );
      assert.match(script, /exec "\$0" "\$@"$/);
      assert.deepEqual(maru.command!.slice(3), [], "maru's command names java itself");
      const env = maru.env!.find((e) => e.startsWith("SOVEREIGN_FILE_MARU_CONFIG_TOML="))!;
      const content = Buffer.from(env.split("=")[1], "base64").toString("utf8");
      assert.match(content, /jwt-secret-path = "\/tmp\/sovereign-jwt\.hex"/);
      assert.match(content, /endpoint = "http:\/\/execution:85(50|51)"/);
      assert.deepEqual(sdl.secretEnv.consensus, { SOVEREIGN_JWT: "jwt" }, "file contents are not secrets");
      if (execution === "linea-geth") {
        const geth = sdl.document.services.execution;
        assert.deepEqual(geth.command!.slice(3), ["geth"]);
        assert.match(geth.command![2], / && "\$0" init --datadir=\/data \/tmp\/sovereign-files\/genesis\.json && exec/);
        assert.equal(sdl.document.services["execution-init"], undefined, "no one-shot service on Akash");
      }
    }
  });
});

describe("catalog: client files", () => {
  it("a file whose content does not match its pinned sha256 refuses to load", () => {
    const dir = mkdtempSync(join(tmpdir(), "sovereign-catalog-"));
    try {
      cpSync(DEFAULT_CATALOG_DIR, dir, { recursive: true });
      writeFileSync(join(dir, "files/linea/sepolia/geth-genesis.json"), '{"config":{}}\n');
      assert.throws(
        () => loadCatalog(dir),
        (e: Error) =>
          e instanceof CatalogError &&
          /linea-geth: content linea\/sepolia: files\/linea\/sepolia\/geth-genesis\.json has sha256 [0-9a-f]{64}, the catalog pins f46013/.test(
            e.message,
          ),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a file must have content for every network of the chain, and may not hold a secret", () => {
    const broken = structuredClone(catalog);
    const maru = broken.clients.get("maru")!;
    delete maru.files![0].content["linea/sepolia"];
    maru.files![0].content["linea/mainnet"] += '\nl1 = "{l1Rpc}"\n';
    const problems = checkIntegrity(broken).join("\n");
    assert.match(problems, /chain linea: client maru has no content of maru-config\.toml for sepolia/);
    assert.match(problems, /chain linea: client maru file maru-config\.toml reads a secret/);
    assert.deepEqual(checkIntegrity(catalog), []);
  });

  it("the parsed clients.yaml is plain YAML: a reference stays { file, sha256 } until loadCatalog reads it", () => {
    const raw = parse(catalogFile("clients.yaml"), { merge: true }) as {
      clients: Array<{ id: string; files?: Array<{ content: Record<string, unknown> }> }>;
    };
    const geth = raw.clients.find((c) => c.id === "linea-geth")!;
    assert.deepEqual(Object.keys(geth.files![0].content["linea/mainnet"] as object).sort(), ["file", "sha256"]);
    assert.ok(stringify(raw).length > 0);
  });
});
