/**
 * The workload renderer for EVERY catalog chain and client: the compose project and the cloud-init
 * user-data, parsed back as YAML and checked against the catalog.
 */
import { createHmac } from "node:crypto";
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { loadCatalog, type Catalog } from "../../core/catalog/load";
import {
  CONTAINER_JWT_PATH,
  MOUNT_SCRIPT,
  renderCloudInit,
  renderWorkload,
  workloadFiles,
  clientRuntime,
  clientReads,
  type ComposeFile,
  type WorkloadNode,
} from "../../core/workload";

const catalog = loadCatalog();
const JWT = "0f".repeat(32);
const SECRETS = {
  jwt: JWT,
  l1Rpc: "https://l1.example.invalid/KEY-abc",
  l1Beacon: "https://beacon.example.invalid/KEY-def",
  rpcPassword: "ab".repeat(24),
};

/** Nodes that together run every client of every chain on every network, in every role of the chain. */
function allNodes(c: Catalog): WorkloadNode[] {
  const nodes: WorkloadNode[] = [];
  for (const chain of c.chains.values()) {
    const rounds = Math.max(...chain.layers.map((l) => chain.clients[l].length));
    for (const network of chain.networks) {
      for (const role of Object.keys(chain.roles)) {
        for (let k = 0; k < rounds; k++) {
          const clients = Object.fromEntries(
            chain.layers.map((l) => [l, chain.clients[l][k % chain.clients[l].length]]),
          );
          const suffix = role === "full" ? "" : `-${role}`;
          nodes.push({ id: `${chain.id}-${network}${suffix}-t${k + 1}`, chain: chain.id, network, role, clients });
        }
      }
    }
  }
  return nodes;
}

const nodes = allNodes(catalog);
const needs = (node: WorkloadNode) => catalog.chains.get(node.chain)!.requires ?? [];

describe("compose project for every chain and client", () => {
  it("covers every client of the catalog", () => {
    const used = new Set(nodes.flatMap((n) => Object.values(n.clients)));
    assert.deepEqual([...used].sort(), [...catalog.clients.keys()].sort());
  });

  for (const node of nodes) {
    it(`${node.id}: ${Object.values(node.clients).join(" + ")}`, () => {
      const w = renderWorkload(node, catalog, { fleet: "t" });
      const compose = parse(w.composeYaml) as ComposeFile;
      assert.deepEqual(compose, JSON.parse(JSON.stringify(w.compose)), "the YAML is the object");
      assert.equal(w.project, node.id);
      const chain = catalog.chains.get(node.chain)!;
      const inits = chain.layers.filter((l) => catalog.clients.get(node.clients[l])!.init).map((l) => `${l}-init`);
      assert.deepEqual(Object.keys(compose.services).sort(), [...chain.layers, ...inits].sort());

      for (const [layer, id] of Object.entries(node.clients)) {
        const client = catalog.clients.get(id)!;
        const svc = compose.services[layer];
        assert.equal(svc.image, `${client.image.repository}:${client.image.tag}`, "the catalog's pinned image");
        assert.equal(svc.container_name, `${node.id}-${layer}`);
        assert.equal(svc.restart, "unless-stopped");
        assert.equal(svc.logging.driver, "json-file");
        assert.ok(svc.logging.options["max-size"] && svc.logging.options["max-file"], "log rotation");

        // Ports: internal never published, private only on loopback, public and rpc on the host.
        const expected: string[] = [];
        const exposed: string[] = [];
        for (const p of client.ports) {
          if (p.exposure === "internal") exposed.push(`${p.port}/${p.protocol}`);
          else if (p.exposure === "private") expected.push(`127.0.0.1:${p.port}:${p.port}/${p.protocol}`);
          else expected.push(`${p.port}:${p.port}/${p.protocol}`);
        }
        assert.deepEqual(svc.ports ?? [], expected);
        assert.deepEqual(svc.expose ?? [], exposed);
        for (const p of svc.ports ?? []) {
          const internal = client.ports.find(
            (x) => x.exposure === "internal" && p.endsWith(`:${x.port}/${x.protocol}`) && !p.startsWith("127.0.0.1:"),
          );
          assert.equal(internal, undefined, `internal port published: ${p}`);
        }

        // Volumes: data on the data disk under /srv/sovereign/<node>/, the JWT read-only when used.
        const dataDir = clientRuntime(id).dataDir ?? "/data";
        assert.equal(svc.volumes[0], `/srv/sovereign/${node.id}/${layer}:${dataDir}`);
        const usesJwt = clientReads(client, "jwtPath");
        assert.equal(svc.volumes.includes(`/etc/sovereign/${node.id}/jwt.hex:${CONTAINER_JWT_PATH}:ro`), usesJwt);
        // Catalog files: read-only, from the node's config directory, where {filesDir} says.
        const files = (client.files ?? []).map(
          (f) => `/etc/sovereign/${node.id}/files/${layer}/${f.name}:/sovereign/files/${f.name}:ro`,
        );
        assert.deepEqual(svc.volumes.slice(1, 1 + files.length), files);
        assert.equal(svc.volumes.length, (usesJwt ? 2 : 1) + files.length);

        // Command: every placeholder filled; secrets only as ${VAR} read from .env; the role's
        // arguments after the client's own.
        for (const arg of svc.command) {
          assert.doesNotMatch(arg, /(?<!\$)\{\w+\}/, arg);
          assert.doesNotMatch(arg, /KEY-/);
        }
        const roleArgs = client.roleArgs?.[node.role] ?? [];
        assert.equal(svc.command.length, client.command.length + roleArgs.length);
        assert.deepEqual(svc.command.slice(client.command.length), roleArgs);
        if (svc.healthcheck)
          assert.ok(svc.healthcheck.test.length > 1 && !svc.healthcheck.test.join(" ").includes("{"));
        const after = layer !== "execution" && compose.services.execution ? ["execution"] : [];
        if (client.init)
          assert.deepEqual(svc.depends_on, {
            ...Object.fromEntries(after.map((d) => [d, { condition: "service_started" }])),
            [`${layer}-init`]: { condition: "service_completed_successfully" },
          });
        else if (after.length) assert.deepEqual(svc.depends_on, after);
      }
      assert.deepEqual(w.secrets, [...needs(node)].sort());
    });
  }

  const compose = spawnSync("docker-compose", ["version", "--short"], { encoding: "utf8" });
  it(
    "docker-compose (v1.29, what Debian hosts run) accepts every rendered project",
    { skip: compose.status !== 0 && "docker-compose is not installed" },
    () => {
      // One invocation for all nodes (python start-up is slow): services renamed <node>--<layer>.
      const services: Record<string, unknown> = {};
      for (const node of nodes) {
        const w = renderWorkload(node, catalog);
        for (const [layer, svc] of Object.entries(w.compose.services)) {
          const deps = svc.depends_on;
          services[`${node.id}--${layer}`] = {
            ...svc,
            depends_on: Array.isArray(deps)
              ? deps.map((d) => `${node.id}--${d}`)
              : deps && Object.fromEntries(Object.entries(deps).map(([d, c]) => [`${node.id}--${d}`, c])),
          };
        }
      }
      const dir = mkdtempSync(join(tmpdir(), "sovereign-compose-"));
      try {
        writeFileSync(join(dir, "compose.yaml"), stringify({ services }));
        writeFileSync(
          join(dir, ".env"),
          "SOVEREIGN_L1_RPC='https://l1.example.invalid'\nSOVEREIGN_L1_BEACON='https://beacon.example.invalid'\n",
        );
        const r = spawnSync(
          "docker-compose",
          [
            "--project-name",
            "all",
            "--project-directory",
            dir,
            "--file",
            join(dir, "compose.yaml"),
            "config",
            "--quiet",
          ],
          { encoding: "utf8" },
        );
        assert.equal(r.status, 0, r.stderr);
        assert.doesNotMatch(r.stderr, /WARNING/, r.stderr);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  it("fills engine URL, chain id and data dir where the catalog asks for them", () => {
    const eth = renderWorkload(
      {
        id: "e",
        chain: "ethereum",
        network: "sepolia",
        role: "full",
        clients: { execution: "nethermind", consensus: "lodestar" },
      },
      catalog,
    ).compose;
    assert.ok(eth.services.consensus.command.includes("--execution.urls=http://execution:8551"));
    assert.ok(eth.services.execution.command.includes("--config=sepolia"));
    const arb = renderWorkload(
      { id: "a", chain: "arbitrum", network: "mainnet", role: "full", clients: { node: "nitro" } },
      catalog,
    ).compose;
    assert.ok(arb.services.node.command.includes("--chain.id=42161"));
    assert.ok(arb.services.node.command.includes("--parent-chain.connection.url=${SOVEREIGN_L1_RPC}"));
  });

  it("devnet (anvil): the e2e image, rpc 8545 published on the host, chain id and state under the data dir", () => {
    const w = renderWorkload(
      { id: "devnet-1", chain: "devnet", network: "local", role: "full", clients: { node: "anvil" } },
      catalog,
    );
    const svc = (parse(w.composeYaml) as ComposeFile).services.node;
    assert.equal(svc.image, "sovereign/devnet-anvil:1.7.1");
    assert.deepEqual(svc.ports, ["8545:8545/tcp"]);
    assert.deepEqual(svc.command, [
      "--host",
      "0.0.0.0",
      "--port",
      "8545",
      "--chain-id",
      "31337",
      "--block-time",
      "2",
      "--state",
      "/data/state.json",
    ]);
    assert.deepEqual(svc.volumes, ["/srv/sovereign/devnet-1/node:/data"]);
    assert.deepEqual(w.rpc, { service: "node", port: 8545 });
    assert.equal(w.needsJwt, false);
  });

  it("honours dataRoot, configRoot and chainId options", () => {
    const w = renderWorkload(
      { id: "d", chain: "devnet", network: "local", role: "full", clients: { node: "anvil" } },
      catalog,
      { dataRoot: "/mnt/nvme/", configRoot: "/opt/sov", chainId: 1337 },
    );
    assert.deepEqual(w.compose.services.node.volumes, ["/mnt/nvme/d/node:/data"]);
    assert.ok(w.compose.services.node.command.includes("1337"));
    assert.equal(w.configDir, "/opt/sov/d");
  });

  it("shifts host ports by hostPortOffset, containers keep theirs (several nodes on one host)", () => {
    const w = renderWorkload(
      { id: "b2", chain: "bitcoin", network: "signet", role: "full", clients: { node: "bitcoind" } },
      catalog,
      { hostPortOffset: 10 },
    );
    // P2P keeps its port (clients announce it to peers); RPC and private ports move.
    assert.deepEqual(w.compose.services.node.ports, ["8333:8333/tcp", "8342:8332/tcp"]);
    assert.deepEqual(
      w.ports.map((p) => [p.port, p.containerPort]),
      [
        [8333, 8333],
        [8342, 8332],
      ],
    );
    assert.equal(w.rpc.port, 8332);
    const eth = renderWorkload(
      {
        id: "e2",
        chain: "ethereum",
        network: "hoodi",
        role: "full",
        clients: { execution: "geth", consensus: "teku" },
      },
      catalog,
      { hostPortOffset: 100 },
    );
    assert.ok(eth.compose.services.execution.ports!.includes("127.0.0.1:6160:6060/tcp"));
    assert.deepEqual(eth.compose.services.execution.expose, ["8551/tcp"]);
    assert.throws(
      () =>
        renderWorkload(
          { id: "x", chain: "bitcoin", network: "signet", role: "full", clients: { node: "bitcoind" } },
          catalog,
          { hostPortOffset: -1 },
        ),
      /hostPortOffset/,
    );
  });

  it("refuses what it cannot render", () => {
    const bad = (node: WorkloadNode) => () => renderWorkload(node, catalog);
    assert.throws(bad({ id: "x", chain: "nope", network: "m", role: "full", clients: {} }), /unknown chain 'nope'/);
    assert.throws(
      bad({ id: "x", chain: "ethereum", network: "mainnet", role: "full", clients: { execution: "geth" } }),
      /no client for layer\(s\) consensus/,
    );
    assert.throws(
      bad({ id: "../x", chain: "devnet", network: "local", role: "full", clients: { node: "anvil" } }),
      /not usable as a path/,
    );
    assert.throws(
      bad({ id: "x", chain: "devnet", network: "other", role: "full", clients: { node: "anvil" } }),
      /\{chainId\} has no value/,
    );
    const clash: Catalog = { ...catalog, clients: new Map(catalog.clients) };
    const teku = catalog.clients.get("teku")!;
    clash.clients.set("teku", {
      ...teku,
      ports: [...teku.ports, { name: "x", port: 8545, protocol: "tcp", exposure: "rpc" }],
    });
    assert.throws(
      () =>
        renderWorkload(
          {
            id: "x",
            chain: "ethereum",
            network: "mainnet",
            role: "full",
            clients: { execution: "geth", consensus: "teku" },
          },
          clash,
        ),
      /both publish 8545\/tcp/,
    );
  });
});

describe("cloud-init for every chain", () => {
  const disk = { devices: ["/dev/disk/by-id/google-sovereign-data"] };
  for (const node of nodes.filter((n, i, all) => all.findIndex((m) => m.chain === n.chain) === i)) {
    it(`${node.chain}: mounts the disk, installs Docker, writes and starts the compose project`, () => {
      const w = renderWorkload(node, catalog, { fleet: "t" });
      const text = renderCloudInit(w, SECRETS, { disk });
      assert.ok(text.startsWith("#cloud-config\n"));
      const ci = parse(text) as {
        packages: string[];
        write_files: Array<{ path: string; content: string; permissions: string }>;
        runcmd: string[][];
      };
      assert.ok(ci.packages.includes("docker.io") && ci.packages.includes("docker-compose-v2"));
      const file = (path: string) => ci.write_files.find((f) => f.path === path);
      assert.deepEqual(
        parse(file(`/etc/sovereign/${node.id}/compose.yaml`)!.content),
        JSON.parse(JSON.stringify(w.compose)),
      );
      assert.ok(file(MOUNT_SCRIPT)!.content.includes("/dev/disk/by-id/google-sovereign-data"));
      assert.equal(file(MOUNT_SCRIPT)!.permissions, "0755");
      assert.match(
        file(`/etc/systemd/system/sovereign-${node.id}.service`)!.content,
        /RequiresMountsFor=\/srv\/sovereign\n/,
      );
      assert.deepEqual(
        ci.runcmd.map((c) => c.join(" ")),
        [
          MOUNT_SCRIPT,
          `/etc/sovereign/${node.id}/prepare.sh`,
          "systemctl enable --now docker.service",
          "systemctl daemon-reload",
          `systemctl enable --now sovereign-${node.id}.service`,
        ],
      );
      const jwt = file(`/etc/sovereign/${node.id}/jwt.hex`);
      assert.equal(jwt?.content, w.needsJwt ? `${JWT}\n` : undefined);
      const env = file(`/etc/sovereign/${node.id}/.env`);
      if (needs(node).length || w.needsRpcPassword) {
        assert.equal(env!.permissions, "0600");
        const expected = {
          l1Beacon: "SOVEREIGN_L1_BEACON='https://beacon.example.invalid/KEY-def'",
          l1Rpc: "SOVEREIGN_L1_RPC='https://l1.example.invalid/KEY-abc'",
        };
        // The RPC password, and bitcoind's rpcauth form of it: salt, then HMAC-SHA256 keyed by the salt.
        const auth = /^SOVEREIGN_RPC_AUTH='sovereign:([0-9a-f]{32})\$([0-9a-f]{64})'$/m.exec(env!.content);
        const rpcLines = w.needsRpcPassword
          ? [
              `SOVEREIGN_RPC_PASSWORD='${SECRETS.rpcPassword}'`,
              `SOVEREIGN_RPC_AUTH='sovereign:${auth?.[1]}$${createHmac("sha256", auth?.[1] ?? "")
                .update(SECRETS.rpcPassword)
                .digest("hex")}'`,
            ]
          : [];
        assert.equal(env!.content, `${[...w.secrets.map((s) => expected[s]), ...rpcLines].join("\n")}\n`);
      } else {
        assert.equal(env, undefined);
      }
      assert.ok(
        Buffer.byteLength(text) < 16384 * 0.75,
        `${node.id}: ${Buffer.byteLength(text)} bytes leaves too little room under EC2's 16 KB user-data limit`,
      );
      for (const script of [MOUNT_SCRIPT, `/etc/sovereign/${node.id}/prepare.sh`]) {
        const r = spawnSync("sh", ["-n"], { input: file(script)!.content });
        assert.equal(r.status, 0, `${script}: ${r.stderr}`);
      }
    });
  }

  it("without a JWT, the host generates one at first boot; without a disk, nothing is mounted", () => {
    const w = renderWorkload(
      {
        id: "e",
        chain: "ethereum",
        network: "hoodi",
        role: "full",
        clients: { execution: "reth", consensus: "nimbus" },
      },
      catalog,
    );
    const ci = parse(renderCloudInit(w)) as {
      write_files: Array<{ path: string; content: string }>;
      runcmd: string[][];
    };
    assert.equal(
      ci.write_files.find((f) => f.path.endsWith("jwt.hex")),
      undefined,
    );
    assert.match(
      ci.write_files.find((f) => f.path.endsWith("prepare.sh"))!.content,
      /openssl rand -hex 32 > "\/etc\/sovereign\/e\/jwt\.hex"/,
    );
    assert.ok(!ci.runcmd.some((c) => c.includes(MOUNT_SCRIPT)));
    assert.equal(
      ci.write_files.find((f) => f.path === MOUNT_SCRIPT),
      undefined,
    );
  });

  it("the compose file never holds a secret; missing or malformed secrets are refused", () => {
    const w = renderWorkload(
      {
        id: "o",
        chain: "optimism",
        network: "sepolia",
        role: "full",
        clients: { execution: "op-geth", rollup: "op-node" },
      },
      catalog,
    );
    const files = workloadFiles(w, SECRETS);
    const compose = files.find((f) => f.path.endsWith("compose.yaml"))!;
    assert.equal(compose.secret, false);
    assert.ok(!compose.content.includes("KEY-") && !compose.content.includes(JWT));
    assert.deepEqual(
      files
        .filter((f) => f.secret)
        .map((f) => f.path.split("/").pop())
        .sort(),
      [".env", "jwt.hex"],
    );
    assert.throws(() => workloadFiles(w, { jwt: JWT }), /needs l1Beacon and l1Rpc/);
    assert.throws(() => workloadFiles(w, { ...SECRETS, jwt: "xyz" }), /64 hex characters/);
    assert.throws(() => workloadFiles(w, { ...SECRETS, l1Rpc: "https://a'b" }), /single quotes/);
    assert.throws(() => renderCloudInit(w, SECRETS, { disk: { devices: ["/dev/sdb; rm -rf /"] } }), /not a \/dev path/);
  });
});
