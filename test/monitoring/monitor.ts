/**
 * A real monitor on loopback for the status and dashboard tests (not a test file itself):
 * Debian's Prometheus with the rules and targets rendered from a plan, its blackbox exporter probing
 * real HAProxy gateways (core/gateway's config, HTTPS) in front of two anvils, one node_exporter,
 * and, for each client metrics target, a small stand-in for the client's metrics endpoint that
 * reports the head of a real anvil under that client's gauge name; a node without metrics (bitcoind)
 * gets a plain TCP listener on its RPC port for the blackbox TCP probe.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { createServer, Server as HttpServer, type Server } from "node:http";
import { createServer as createTcpServer, type Server as TcpServer } from "node:net";
import { join } from "node:path";
import { loadCatalog, type Catalog } from "../../core/catalog/load";
import { parseFleetYaml } from "../../core/fleet-spec/parse";
import { resolveFleet } from "../../core/fleet-spec/resolve";
import type { Policy } from "../../core/diversity/policy";
import {
  renderBlackboxConfig,
  renderPrometheusConfig,
  renderRules,
  renderTargets,
  HAPROXY_EXPORTER_PORT,
  type TargetGroup,
} from "../../core/monitoring";
import { CLIENT_METRICS } from "../../core/monitoring/client-metrics";
import { planToJson, type Plan } from "../../core/plan";
import { planFleet } from "../../core/planner/plan";
import {
  freePort,
  rpc,
  selfSignedCertificate,
  startAnvil,
  startGateway,
  waitFor,
  type Anvil,
  type Gateway,
} from "../gateway/processes";
import { tempDir } from "./promtool";

/** The bundled example's chains, sites, policy and gateways (any Ethereum clients). */
export const SPEC = `
name: monitored
chains:
  - { chain: ethereum, network: mainnet, role: full, count: 6 }
  - { chain: bitcoin, role: full, count: 3 }
sites:
  aws: { regions: [us-east-1, eu-central-1] }
  gcp: { regions: [europe-west3] }
  azure: { regions: [eastus] }
  akash: {}
  baremetal:
    hosts:
      - { name: fra-1, address: 203.0.113.10, operator: hetzner, country: DE, monthlyUsd: 120, cpu: 16, memoryGb: 128, diskGb: 7680, maxNodes: 2 }
      - { name: par-1, address: 203.0.113.20, operator: ovh, country: FR, monthlyUsd: 30, cpu: 4, memoryGb: 8, diskGb: 200 }
policy:
  maxShare: { operator: 0.34, region: 0.5, jurisdiction: 0.5, client: 0.34 }
  minOperators: 3
  survive: { operatorLoss: 1, minNodes: 2 }
gateways: { count: 3, sites: [aws/us-east-1, gcp, baremetal], size: small, maxLagBlocks: 5 }
`;

const SCRAPE_SECONDS = 1;

export interface Monitor {
  dir: string;
  specFile: string;
  planFile: string;
  plan: Plan;
  policy: Policy;
  catalog: Catalog;
  prometheus: string;
  /** Stops the metrics endpoints of one node's clients, as if the node went down. */
  cut(node: string): Promise<void>;
  stop(): Promise<void>;
}

const started: ChildProcess[] = [];

/** Closes a listener and, for HTTP, its kept-alive scrape connections (a closed listener alone still answers on them). */
function closeServer(s: Server | TcpServer): Promise<void> {
  return new Promise((ok) => {
    s.close(() => ok());
    if (s instanceof HttpServer) s.closeAllConnections();
  });
}

function daemon(cmd: string, args: string[]): ChildProcess {
  const p = spawn(cmd, args, { stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  p.stderr!.on("data", (d) => {
    log = (log + d).slice(-4000);
  });
  p.once("exit", (code) => {
    if (code) process.stderr.write(`${cmd} exited ${code}: ${log}\n`);
  });
  started.push(p);
  return p;
}

/** A client's metrics endpoint stand-in: the anvil's head under the client's head gauge, and its peers. */
async function clientEndpoint(target: string, labels: Record<string, string>, anvil: Anvil): Promise<Server> {
  const names = CLIENT_METRICS[labels.client];
  if (!names) throw new Error(`no metric names for ${labels.client}`);
  const server = createServer((_, res) => {
    rpc(anvil.url, "eth_blockNumber").then(
      (hex: string) => res.end(`# TYPE ${names.head} gauge\n${names.head} ${Number(hex)}\n${names.peers} 25\n`),
      () => res.writeHead(503).end(),
    );
  });
  const [host, port] = target.split(":");
  await new Promise<void>((ok) => server.listen(Number(port), host, ok));
  return server;
}

async function prometheusAnswers(url: string, query: string): Promise<number> {
  const r = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(query)}`).catch(() => undefined);
  if (!r?.ok) return 0;
  const body = (await r.json()) as { data: { result: Array<{ value: [number, string] }> } };
  return Number(body.data.result[0]?.value[1] ?? 0);
}

export async function startMonitor(): Promise<Monitor> {
  const dir = tempDir("sovereign-monitor-");
  const catalog = loadCatalog();
  const specFile = join(dir, "fleet.yaml");
  writeFileSync(specFile, SPEC);
  const spec = parseFleetYaml(SPEC, specFile);
  const plan = await planFleet(resolveFleet(spec, catalog, specFile), catalog);
  const planFile = join(dir, "plan.json");
  writeFileSync(planFile, JSON.stringify(planToJson(plan)));

  // Two chains of blocks that differ in height: nodes on the second lag behind the first.
  const anvils = [await startAnvil({ blockTime: 1 }), await startAnvil({ blockTime: 2 })];
  const tls = selfSignedCertificate("gateway.test", "127.0.0.1");
  const caFile = join(dir, "gateway-ca.pem");
  writeFileSync(caFile, tls.certificate);
  const gateways: Gateway[] = [];
  for (const g of plan.gateways) {
    const upstreams = anvils.map((a, i) => ({ node: `anvil-${i}`, url: a.url, operator: `op-${i}` }));
    gateways.push(
      await startGateway({ gateway: g.id, tls: true, chains: [{ chain: "ethereum/mainnet", upstreams }] }, { tls }),
    );
  }
  const nodeExporterPort = await freePort("127.0.1.1");
  const addresses = Object.fromEntries([
    // Each node on its own loopback address; ports moved up out of the way of anything else on this machine.
    ...plan.nodes.map((n, i) => [n.id, { address: `127.0.1.${i + 1}`, portOffset: 30000 }]),
    ...plan.gateways.map((g, i) => [
      g.id,
      { address: "127.0.0.1", portOffset: Number(new URL(gateways[i].metrics).port) - HAPROXY_EXPORTER_PORT },
    ]),
  ]);
  const targets = renderTargets({
    plan,
    catalog,
    addresses,
    endpoints: gateways.map((gw) => `${gw.url}/ethereum/mainnet`),
    nodeExporterPort,
  });
  for (const [job, groups] of Object.entries(targets)) writeFileSync(join(dir, `${job}.json`), JSON.stringify(groups));

  const endpoints = new Map<string, Array<Server | TcpServer>>();
  const nodeIndex = new Map(plan.nodes.map((n, i) => [n.id, i]));
  for (const group of targets.client as TargetGroup[]) {
    const server = await clientEndpoint(group.targets[0], group.labels, anvils[nodeIndex.get(group.labels.node)! % 2]);
    endpoints.set(group.labels.node, [...(endpoints.get(group.labels.node) ?? []), server]);
  }

  for (const group of targets["node-probe"] as TargetGroup[]) {
    const [host, port] = group.targets[0].split(":");
    const server = createTcpServer((socket) => socket.end());
    await new Promise<void>((ok) => server.listen(Number(port), host, ok));
    endpoints.set(group.labels.node, [server]);
  }

  daemon("prometheus-node-exporter", [
    `--web.listen-address=127.0.1.1:${nodeExporterPort}`,
    "--collector.disable-defaults",
    "--collector.cpu",
    "--collector.meminfo",
    "--collector.filesystem",
  ]);
  const blackboxPort = await freePort();
  writeFileSync(join(dir, "blackbox.yml"), renderBlackboxConfig("rpc.test", { caFile }));
  daemon("prometheus-blackbox-exporter", [
    `--config.file=${join(dir, "blackbox.yml")}`,
    `--web.listen-address=127.0.0.1:${blackboxPort}`,
  ]);

  writeFileSync(join(dir, "rules.yml"), renderRules({ plan, policy: spec.policy, catalog }));
  writeFileSync(
    join(dir, "prometheus.yml"),
    renderPrometheusConfig({
      targetsDir: dir,
      ruleFiles: [join(dir, "rules.yml")],
      alertmanagers: [],
      blackbox: `127.0.0.1:${blackboxPort}`,
      scrapeIntervalSeconds: SCRAPE_SECONDS,
    }),
  );
  const promPort = await freePort();
  daemon("prometheus", [
    `--config.file=${join(dir, "prometheus.yml")}`,
    `--storage.tsdb.path=${join(dir, "data")}`,
    `--web.listen-address=127.0.0.1:${promPort}`,
  ]);
  const prometheus = `http://127.0.0.1:${promPort}`;
  // Ready when every client target has answered and the rules have run over them.
  const clientTargets = (targets.client as TargetGroup[]).length;
  await waitFor(
    async () => (await prometheusAnswers(prometheus, 'sum(up{job="client"})')) === clientTargets,
    60_000,
    "prometheus scraping the clients",
  );
  await waitFor(
    async () => (await prometheusAnswers(prometheus, "count(sovereign:head_lag_blocks)")) > 0,
    30_000,
    "recording rules",
  );

  return {
    dir,
    specFile,
    planFile,
    plan,
    policy: spec.policy,
    catalog,
    prometheus,
    async cut(node) {
      await Promise.all((endpoints.get(node) ?? []).map(closeServer));
    },
    async stop() {
      await Promise.all([...endpoints.values()].flat().map(closeServer));
      for (const p of started.splice(0)) p.kill("SIGTERM");
      await Promise.all(anvils.map((a) => a.stop()));
      await Promise.all(gateways.map((g) => g.stop()));
    },
  };
}
