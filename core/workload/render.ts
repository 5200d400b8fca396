/**
 * Renders what runs on a node, once, for every way of delivering it (cloud-init on AWS/GCP/Azure,
 * SSH on bare metal, an SDL on Akash): a docker compose project with one service per client layer,
 * plus the files around it. Pure: no Pulumi, no network. Secrets are never part of the compose
 * file; they enter as values in {@link workloadFiles} (the Pulumi side calls it inside an apply, so
 * the result stays a secret).
 */
import { createHash, createHmac } from "node:crypto";
import { stringify, parse } from "yaml";
import type { Catalog } from "../catalog/load";
import type { Chain, Client } from "../catalog/schema";
import { clientReads, clientRuntime, DEFAULT_CONTAINER_DATA_DIR } from "./clients";
import { rpcPort, type Exposure, type Protocol } from "./firewall";
import { fill, fillDeep, readTemplate } from "./templates";
import { present } from "../present";

/** What the renderer needs of a planned node (a PlannedNode fits). */
export interface WorkloadNode {
  id: string;
  chain: string;
  network: string;
  /** A role of the chain in the catalog (`full`, `archive`...): picks each client's `roleArgs`. */
  role: string;
  clients: Record<string, string>;
}

export interface WorkloadOptions {
  /** Fleet name, written into container labels. @default "sovereign" */
  fleet?: string;
  /** Mount point of the data disk; each node keeps its data under `<dataRoot>/<node>/`. @default "/srv/sovereign" */
  dataRoot?: string;
  /** Directory for each node's compose project, scripts and secrets: `<configRoot>/<node>/`. @default "/etc/sovereign" */
  configRoot?: string;
  /**
   * docker compose project name, also the prefix of container names and the systemd unit: hosts
   * that run nodes of several fleets (bare metal) pass `<fleet>_<node>`. @default the node id
   */
  project?: string;
  /** Chain id for `{chainId}`. @default the catalog's `chainIds[network]` */
  chainId?: number;
  /** Template directory. @default the package's `templates/` */
  templateDir?: string;
  /**
   * Added to the RPC and private ports Docker publishes on the host (containers keep their own
   * ports), so several nodes can share one bare-metal host. P2P ports are never shifted: clients
   * announce them to peers. @default 0
   */
  hostPortOffset?: number;
  /**
   * Where clients read the engine JWT inside their container. Akash has no file mounts, so its SDL
   * writes the file at start into a path any user can write. @default CONTAINER_JWT_PATH
   */
  jwtPath?: string;
  /**
   * The directory clients find their catalog files in (`{filesDir}`): in compose each file is
   * mounted read-only there; Akash writes them at start. @default CONTAINER_FILES_DIR
   */
  filesDir?: string;
}

/** Secrets the node needs, passed as values by the caller (Pulumi keeps them as secret Outputs). */
export interface WorkloadSecrets {
  /** Engine-API JWT, 32 bytes hex. @default generated on the host at first boot (`openssl rand -hex 32`) */
  jwt?: string;
  /** L1 execution RPC URL (may embed an API key), for chains that require `l1Rpc`. */
  l1Rpc?: string;
  /** L1 beacon API URL, for chains that require `l1Beacon`. */
  l1Beacon?: string;
  /**
   * Password of the node's RPC user ({@link NODE_RPC_USER}), for clients that read {rpcPassword}
   * or {rpcAuth} (RPC kinds with `auth: basic`, e.g. Bitcoin): the Fleet draws one per chain and
   * gives it to the chain's gateways too.
   */
  rpcPassword?: string;
}
export type SecretName = Exclude<keyof WorkloadSecrets, "jwt" | "rpcPassword">;

/** The RPC user of nodes whose RPC wants credentials; the password is the secret. */
export const NODE_RPC_USER = "sovereign";

export interface PublishedPort {
  service: string;
  client: string;
  name: string;
  /** Port on the host (container port + hostPortOffset): what firewalls match. */
  port: number;
  /** Port inside the container. */
  containerPort: number;
  protocol: Protocol;
  exposure: Exposure;
  /** Host address Docker binds: undefined = every address (public, rpc); 127.0.0.1 for private. */
  hostIp?: string;
}

/** `depends_on` in its long form: what the service waits for (a one-shot init must exit 0). */
export type ComposeDependsOn = Record<string, { condition: "service_started" | "service_completed_successfully" }>;

export interface ComposeService {
  image: string;
  container_name: string;
  /** The program, for images whose entrypoint is not it (one image with several programs: the lab's monitor). @default the image's */
  entrypoint?: string[];
  command: string[];
  /** Absent on one-shot services (Compose's default `no`). */
  restart?: string;
  stop_grace_period: string;
  ports?: string[];
  expose?: string[];
  volumes: string[];
  logging: { driver: string; options: Record<string, string> };
  labels: Record<string, string>;
  healthcheck?: { test: string[]; interval: string; timeout: string; retries: number; start_period: string };
  depends_on?: string[] | ComposeDependsOn;
  /** `host` for workloads that must see the host's interfaces (the RPC gateway). @default bridge */
  network_mode?: string;
  /** @default the image's user */
  user?: string;
}

/**
 * A compose file in the Compose Specification format, kept to what docker-compose v1.29 (Debian)
 * and Compose v2 (Ubuntu's docker-compose-v2) both accept: no top-level `name`; the project name
 * is the node id (`-p <node>`, and the config directory is named after the node).
 */
export interface ComposeFile {
  services: Record<string, ComposeService>;
}

export interface Workload {
  fleet: string;
  node: string;
  /** docker compose project name (`options.project`, by default the node id). */
  project: string;
  dataRoot: string;
  /** `<dataRoot>/<node>`: every byte the node writes lives below. */
  nodeDataDir: string;
  /** `<configRoot>/<node>`: compose.yaml, .env, jwt.hex, prepare.sh, files/<layer>/ (catalog files). */
  configDir: string;
  /** systemd unit that runs the project. */
  unit: string;
  compose: ComposeFile;
  /** The compose file as YAML. Holds no secret. */
  composeYaml: string;
  /** Ports Docker publishes on the host (internal ports are absent). */
  ports: PublishedPort[];
  /** Host data directory per service. */
  dataDirs: Record<string, string>;
  /** The uid that owns a service's data directory, for images that do not run as root. @default root */
  dataOwners?: Record<string, number>;
  /** The chain's RPC port inside the container (on the host: + hostPortOffset). */
  rpc: { service: string; port: number };
  hostPortOffset: number;
  needsJwt: boolean;
  /** True when a client reads {rpcPassword} or {rpcAuth}: workloadFiles then wants `rpcPassword`. */
  needsRpcPassword: boolean;
  /** Secrets the compose project reads from its `.env` file. */
  secrets: SecretName[];
  /** The catalog files of the node's clients, filled for its network: written into the config directory. @default none */
  files?: ClientConfigFile[];
  templateDir?: string;
}

/** A client's catalog file as rendered for one node. */
export interface ClientConfigFile {
  service: string;
  name: string;
  /** On the host: `<configDir>/files/<service>/<name>`. */
  hostPath: string;
  /** In the container: `{filesDir}/<name>`. */
  containerPath: string;
  content: string;
}

export interface WorkloadFile {
  path: string;
  content: string;
  /** Octal permission string, e.g. "0644". */
  mode: string;
  /** True when the content holds a secret. */
  secret: boolean;
}

export const DEFAULT_DATA_ROOT = "/srv/sovereign";
export const DEFAULT_CONFIG_ROOT = "/etc/sovereign";

/** Where a workload (a node's, a gateway's, a monitor's) lives on its host: `<dataRoot>/<id>` and its project's unit. */
export function workloadHome(home: {
  fleet: string;
  id: string;
  project: string;
  dataRoot: string;
  configDir: string;
}): Pick<Workload, "fleet" | "node" | "project" | "dataRoot" | "nodeDataDir" | "configDir" | "unit"> {
  return {
    fleet: home.fleet,
    node: home.id,
    project: home.project,
    dataRoot: home.dataRoot,
    nodeDataDir: `${home.dataRoot}/${home.id}`,
    configDir: home.configDir,
    unit: `sovereign-${home.project}.service`,
  };
}
/** Where clients find the engine JWT inside their container. */
export const CONTAINER_JWT_PATH = "/secrets/jwt.hex";
/** Where clients find their catalog files inside their container (`{filesDir}`). */
export const CONTAINER_FILES_DIR = "/sovereign/files";
/** Suffix of a client's one-shot init service (`execution-init`), which its main service waits for. */
export const INIT_SUFFIX = "-init";

/** Placeholder -> the `.env` variable holding a secret that fills it. */
const SECRET_ENV: Record<SecretName, string> = { l1Rpc: "SOVEREIGN_L1_RPC", l1Beacon: "SOVEREIGN_L1_BEACON" };
const RPC_PASSWORD_ENV = { rpcPassword: "SOVEREIGN_RPC_PASSWORD", rpcAuth: "SOVEREIGN_RPC_AUTH" } as const;

const PLACEHOLDER = /\{(\w+)\}/g;

/** Placeholders filled per network from the chain's catalog entry: the field, and what a value must be. */
const PER_NETWORK_URLS = {
  sequencerUrl: ["sequencerUrls", ""],
  checkpointSyncUrl: ["checkpointSyncUrls", "a beacon API serving finalized states"],
  blobArchiveUrl: ["blobArchiveUrls", "an archive serving the chain's blobs"],
} as const satisfies Record<string, readonly [keyof Chain, string]>;

/** Renders the compose project of one node. Throws when a client command needs a value nobody can give. */
export function renderWorkload(node: WorkloadNode, catalog: Catalog, options: WorkloadOptions = {}): Workload {
  const chain = catalog.chains.get(node.chain);
  if (!chain) throw new Error(`${node.id}: unknown chain '${node.chain}'`);
  const fleet = options.fleet ?? "sovereign";
  const dataRoot = trimSlash(options.dataRoot ?? DEFAULT_DATA_ROOT);
  const configRoot = trimSlash(options.configRoot ?? DEFAULT_CONFIG_ROOT);
  const configDir = `${configRoot}/${node.id}`;
  assertSafeName(node.id);
  const project = options.project ?? node.id;
  assertSafeName(project);
  const home = workloadHome({ fleet, id: node.id, project, dataRoot, configDir });
  const offset = options.hostPortOffset ?? 0;
  if (!Number.isInteger(offset) || offset < 0)
    throw new Error(`${node.id}: hostPortOffset must be a whole number >= 0`);
  const clients = nodeClients(node, chain, catalog);
  const placeholders = placeholderFiller(node, chain, clients, options);

  const serviceTemplate = parse(readTemplate("compose-service.yaml", options.templateDir)) as Record<string, unknown>;
  const services: Record<string, ComposeService> = {};
  const ports: PublishedPort[] = [];
  const dataDirs: Record<string, string> = {};
  const dataOwners: Record<string, number> = {};
  const files: ClientConfigFile[] = [];
  for (const [layer, client] of clients) {
    assertSafeName(layer);
    const rendered = renderClientServices({
      node,
      layer,
      client,
      fleet,
      project,
      configDir,
      hostData: `${home.nodeDataDir}/${layer}`,
      filesDir: placeholders.filesDir,
      offset,
      serviceTemplate,
      valueOf: placeholders.valueOf,
    });
    dataDirs[layer] = rendered.hostData;
    if (rendered.dataUid !== undefined) dataOwners[layer] = rendered.dataUid;
    files.push(...rendered.files);
    ports.push(...rendered.ports);
    Object.assign(services, rendered.services);
  }
  mountJwtAndOrderStarts(services, clients, configDir);
  assertNoPortClash(node.id, ports);

  const compose: ComposeFile = { services };
  const rpc = rpcPort(node, catalog);
  return {
    ...home,
    compose,
    composeYaml: `# docker compose project of Sovereign node ${node.id} (${node.chain}/${node.network}, ${node.role}); rendered by core/workload.\n${stringify(compose, { lineWidth: 0 })}`,
    ports,
    dataDirs,
    ...(Object.keys(dataOwners).length ? { dataOwners } : {}),
    rpc,
    hostPortOffset: offset,
    needsJwt: placeholders.usage.jwt,
    needsRpcPassword: placeholders.usage.rpcPassword,
    secrets: [...placeholders.usage.secrets].sort(),
    files,
    templateDir: options.templateDir,
  };
}

/** The node's client per layer of its chain, in the chain's layer order; throws on a role or client the catalog lacks. */
function nodeClients(node: WorkloadNode, chain: Chain, catalog: Catalog): Map<string, Client> {
  if (!Object.hasOwn(chain.roles, node.role)) {
    throw new Error(
      `${node.id}: chain ${node.chain} has no role '${node.role}' (roles: ${Object.keys(chain.roles).join(", ")})`,
    );
  }
  const layers = chain.layers.filter((l) => node.clients[l]);
  const missing = chain.layers.filter((l) => !node.clients[l]);
  if (missing.length) throw new Error(`${node.id}: no client for layer(s) ${missing.join(", ")}`);
  return new Map<string, Client>(
    layers.map((l) => {
      const c = catalog.clients.get(node.clients[l]);
      if (!c) throw new Error(`${node.id}: unknown client '${node.clients[l]}'`);
      return [l, c];
    }),
  );
}

/** What the node's placeholders asked for while being filled: the workload's secrets follow from it. */
interface PlaceholderUsage {
  secrets: Set<SecretName>;
  jwt: boolean;
  rpcPassword: boolean;
}

/** Fills one placeholder `{name}` of a client's command or file; `where` names the spot in errors. */
type PlaceholderValue = (name: string, client: Client, containerDataDir: string, where: string) => string;

/** The node's placeholder values, and a record of the secrets they used. */
function placeholderFiller(
  node: WorkloadNode,
  chain: Chain,
  clients: Map<string, Client>,
  options: WorkloadOptions,
): { valueOf: PlaceholderValue; usage: PlaceholderUsage; filesDir: string } {
  const execution = clients.get("execution");
  const port = (c: Client | undefined, name: string) => c?.ports.find((p) => p.name === name)?.port;
  const engine = port(execution, "engine");
  const executionRpc = port(execution, "rpc");
  const chainId = options.chainId ?? chain.chainIds?.[node.network];

  const perNetworkUrl = (name: keyof typeof PER_NETWORK_URLS, where: string): string => {
    const [key, what] = PER_NETWORK_URLS[name];
    const url = chain[key]?.[node.network];
    if (!url)
      throw new Error(
        `${where}: {${name}} has no value: add ${key}.${node.network}${what ? ` (${what})` : ""} to chain ${node.chain} in the catalog`,
      );
    return url;
  };
  const filesDir = options.filesDir ?? CONTAINER_FILES_DIR;
  const usage: PlaceholderUsage = { secrets: new Set<SecretName>(), jwt: false, rpcPassword: false };
  const valueOf: PlaceholderValue = (name, client, containerDataDir, where) => {
    switch (name) {
      // Clients spell networks their own way (bitcoind "main", op-node "op-mainnet"): the catalog says how.
      case "network":
        return (
          client.networkNames?.[`${node.chain}/${node.network}`] ?? client.networkNames?.[node.network] ?? node.network
        );
      case "sequencerUrl":
      case "checkpointSyncUrl":
      case "blobArchiveUrl":
        return perNetworkUrl(name, where);
      case "chain":
        return node.chain;
      case "filesDir":
        return filesDir;
      case "bootnodes": {
        const enodes = chain.bootnodes?.[node.network];
        if (!enodes?.length)
          throw new Error(
            `${where}: {bootnodes} has no value: add bootnodes.${node.network} to chain ${node.chain} in the catalog`,
          );
        return enodes.join(",");
      }
      case "dataDir":
        return containerDataDir;
      case "jwtPath":
        usage.jwt = true;
        return options.jwtPath ?? CONTAINER_JWT_PATH;
      case "engineUrl":
        if (engine === undefined)
          throw new Error(`${where}: {engineUrl} needs an execution client with an engine port`);
        return `http://execution:${engine}`;
      case "executionRpcUrl":
        if (executionRpc === undefined)
          throw new Error(`${where}: {executionRpcUrl} needs an execution client with an rpc port`);
        return `http://execution:${executionRpc}`;
      case "chainId":
        if (chainId === undefined)
          throw new Error(
            `${where}: {chainId} has no value: add chainIds.${node.network} to chain ${node.chain} in the catalog, or pass options.chainId`,
          );
        return String(chainId);
      case "l1Rpc":
      case "l1Beacon":
        usage.secrets.add(name);
        return `\${${SECRET_ENV[name]}}`;
      // The node's RPC credentials: the password itself (btcd), or bitcoind's -rpcauth form
      // (`user:salt$hmac`: the host keeps only a hash, and bitcoin-cli keeps its cookie).
      case "rpcUser":
        return NODE_RPC_USER;
      case "rpcPassword":
      case "rpcAuth":
        usage.rpcPassword = true;
        return `\${${RPC_PASSWORD_ENV[name]}}`;
      default:
        throw new Error(`${where}: unknown placeholder {${name}}`);
    }
  };
  return { valueOf, usage, filesDir };
}

/** What one client layer needs to become compose services. */
interface ClientServiceInput {
  node: WorkloadNode;
  layer: string;
  client: Client;
  fleet: string;
  project: string;
  configDir: string;
  /** The layer's data directory on the host. */
  hostData: string;
  filesDir: string;
  offset: number;
  serviceTemplate: Record<string, unknown>;
  valueOf: PlaceholderValue;
}

/** One client layer's compose services (its one-shot init first, when it has one), ports and files. */
function renderClientServices(input: ClientServiceInput): {
  services: Record<string, ComposeService>;
  ports: PublishedPort[];
  files: ClientConfigFile[];
  hostData: string;
  dataUid?: number;
} {
  const { node, layer, client, hostData } = input;
  const runtime = clientRuntime(client.id);
  const containerDataDir = runtime.dataDir ?? DEFAULT_CONTAINER_DATA_DIR;
  const where = `${node.id}: ${client.id}`;
  const substitute = (arg: string) =>
    escapeDollar(arg).replace(PLACEHOLDER, (_, name: string) => input.valueOf(name, client, containerDataDir, where));
  // The role's arguments go last: what the role needs (archive pruning modes, reth's --full) wins.
  const command = [...client.command, ...(client.roleArgs?.[node.role] ?? [])].map(substitute);
  const files = clientConfigFiles(input, containerDataDir, where);
  const { published, exposed, ports } = clientPorts(node.id, layer, client, input.offset);

  const defaults = fillDeep(
    input.serviceTemplate,
    {
      fleet: input.fleet,
      node: node.id,
      layer,
      client: client.id,
      stopGracePeriod: runtime.stopGracePeriod ?? (layer === "execution" || layer === "node" ? "5m" : "2m"),
    },
    "templates/compose-service.yaml",
  ) as Omit<ComposeService, "image" | "container_name" | "command" | "volumes">;
  const volumes = [`${hostData}:${containerDataDir}`, ...files.map((f) => `${f.hostPath}:${f.containerPath}:ro`)];
  const services: Record<string, ComposeService> = {};
  if (client.init) {
    // One-shot, same image, data and files; the client starts only once it exits 0 (compose
    // `service_completed_successfully`, docker-compose >= 1.29). Runs before every start: idempotent.
    const { restart: _restart, stop_grace_period: _grace, ...oneShot } = defaults;
    services[`${layer}${INIT_SUFFIX}`] = {
      image: `${client.image.repository}:${client.image.tag}`,
      container_name: `${input.project}-${layer}${INIT_SUFFIX}`,
      command: client.init.map(substitute),
      ...oneShot,
      stop_grace_period: "1m",
      labels: { ...defaults.labels, "sovereign.once": "true" },
      volumes: [...volumes],
    };
  }
  const service: ComposeService = {
    image: `${client.image.repository}:${client.image.tag}`,
    container_name: `${input.project}-${layer}`,
    command,
    ...defaults,
    volumes,
  };
  if (published.length) service.ports = published;
  if (exposed.length) service.expose = exposed;
  if (runtime.healthcheck) {
    service.healthcheck = {
      test: runtime.healthcheck.map(substitute),
      interval: runtime.healthInterval ?? "30s",
      timeout: "10s",
      retries: 5,
      start_period: "5m",
    };
  }
  services[layer] = service;
  return { services, ports, files, hostData, ...(runtime.dataUid !== undefined ? { dataUid: runtime.dataUid } : {}) };
}

/** A client's catalog files filled for the node's network, mounted read-only into its container. */
function clientConfigFiles(input: ClientServiceInput, containerDataDir: string, where: string): ClientConfigFile[] {
  const { node, layer, client } = input;
  // Files are written as they are (no compose escaping) and in the clear: secrets never go in one.
  return (client.files ?? []).map((f) => {
    const content = f.content[`${node.chain}/${node.network}`] ?? f.content[node.network];
    if (content === undefined)
      throw new Error(`${where}: file ${f.name} has no content for ${node.chain}/${node.network} in the catalog`);
    if (typeof content !== "string")
      throw new Error(
        `${where}: file ${f.name} names ${content.file}: load the catalog with loadCatalog, which reads it`,
      );
    const filled = content.replace(PLACEHOLDER, (_, name: string) => {
      if (name === "l1Rpc" || name === "l1Beacon")
        throw new Error(`${where}: file ${f.name} cannot hold the secret {${name}}`);
      return input.valueOf(name, client, containerDataDir, `${where} ${f.name}`);
    });
    return {
      service: layer,
      name: f.name,
      hostPath: `${input.configDir}/files/${layer}/${f.name}`,
      containerPath: `${input.filesDir}/${f.name}`,
      content: filled,
    };
  });
}

/** A client's ports as compose `ports` (published) and `expose` (internal), and what the host publishes. */
function clientPorts(
  nodeId: string,
  layer: string,
  client: Client,
  offset: number,
): { published: string[]; exposed: string[]; ports: PublishedPort[] } {
  const published: string[] = [];
  const exposed: string[] = [];
  const ports: PublishedPort[] = [];
  for (const p of client.ports) {
    // P2P ports keep their number: clients announce it to peers. Planner never puts two nodes whose
    // P2P ports clash on one host; only RPC and private ports move by the offset.
    const hostPort = p.exposure === "public" ? p.port : p.port + offset;
    if (hostPort > 65535)
      throw new Error(`${nodeId}: ${client.id} ${p.name} port ${p.port} + offset ${offset} is above 65535`);
    const base = {
      service: layer,
      client: client.id,
      name: p.name,
      port: hostPort,
      containerPort: p.port,
      protocol: p.protocol,
      exposure: p.exposure,
    };
    if (p.exposure === "internal") {
      exposed.push(`${p.port}/${p.protocol}`);
      continue;
    }
    if (p.exposure === "private") {
      published.push(`127.0.0.1:${hostPort}:${p.port}/${p.protocol}`);
      ports.push({ ...base, hostIp: "127.0.0.1" });
    } else {
      published.push(`${hostPort}:${p.port}/${p.protocol}`);
      ports.push(base);
    }
  }
  return { published, exposed, ports };
}

/** Every service that reads the JWT mounts the same file; consensus/rollup start after execution. */
function mountJwtAndOrderStarts(
  services: Record<string, ComposeService>,
  clients: Map<string, Client>,
  configDir: string,
): void {
  for (const [layer, client] of clients) {
    const init = client.init ? services[`${layer}${INIT_SUFFIX}`] : undefined;
    // The JWT may be named in a file (Maru's config.toml) as well as in the command.
    if (clientReads(client, "jwtPath")) {
      services[layer].volumes.push(`${configDir}/jwt.hex:${CONTAINER_JWT_PATH}:ro`);
      init?.volumes.push(`${configDir}/jwt.hex:${CONTAINER_JWT_PATH}:ro`);
    }
    const after = layer !== "execution" && clients.has("execution") ? ["execution"] : [];
    if (init)
      services[layer].depends_on = Object.fromEntries([
        ...after.map((s) => [s, { condition: "service_started" as const }]),
        [`${layer}${INIT_SUFFIX}`, { condition: "service_completed_successfully" as const }],
      ]);
    else if (after.length) services[layer].depends_on = after;
  }
}

const JWT = /^(0x)?[0-9a-fA-F]{64}$/;

/** Every file the node needs on disk, secrets included. Never log the result. */
export function workloadFiles(w: Workload, secrets: WorkloadSecrets = {}): WorkloadFile[] {
  const files: WorkloadFile[] = [
    { path: `${w.configDir}/compose.yaml`, content: w.composeYaml, mode: "0644", secret: false },
  ];
  const missing = w.secrets.filter((s) => !secrets[s]);
  if (missing.length)
    throw new Error(
      `${w.node}: the chain needs ${missing.join(" and ")} (set them as secrets in stack config: sovereign:${missing[0]})`,
    );
  if (w.needsRpcPassword && !secrets.rpcPassword)
    throw new Error(`${w.node}: the node's RPC wants credentials: pass rpcPassword (the Fleet draws one per chain)`);
  const env = w.secrets.map((s) => `${SECRET_ENV[s]}=${envValue(present(secrets[s], `${w.node}'s secret ${s}`))}`);
  if (w.needsRpcPassword) {
    const password = present(secrets.rpcPassword, `${w.node}'s RPC password`);
    env.push(
      `${RPC_PASSWORD_ENV.rpcPassword}=${envValue(password)}`,
      `${RPC_PASSWORD_ENV.rpcAuth}=${envValue(bitcoindRpcAuth(w.node, password))}`,
    );
  }
  if (env.length)
    files.push({ path: `${w.configDir}/.env`, content: `${env.join("\n")}\n`, mode: "0600", secret: true });
  let jwtCommands = "";
  if (w.needsJwt) {
    const jwt = secrets.jwt?.trim();
    if (jwt !== undefined && jwt !== "") {
      if (!JWT.test(jwt)) throw new Error(`${w.node}: the engine JWT must be 32 bytes as 64 hex characters`);
      // 0644 inside a 0700 directory: host users cannot reach it, containers of any uid can read it.
      files.push({
        path: `${w.configDir}/jwt.hex`,
        content: `${jwt.replace(/^0x/, "")}\n`,
        mode: "0644",
        secret: true,
      });
    } else {
      jwtCommands = `[ -s "${w.configDir}/jwt.hex" ] || (umask 022; openssl rand -hex 32 > "${w.configDir}/jwt.hex")`;
    }
  }
  for (const f of w.files ?? []) files.push({ path: f.hostPath, content: f.content, mode: "0644", secret: false });
  const dataDirCommands = [
    ...[w.nodeDataDir, ...Object.values(w.dataDirs)].map((d) => `install -d -m 0755 "${d}"`),
    // The directory only, not what the client wrote in it.
    ...Object.entries(w.dataOwners ?? {}).map(([s, uid]) => `chown ${uid}:${uid} "${w.dataDirs[s]}"`),
  ].join("\n");
  const values = { node: w.node, project: w.project, configDir: w.configDir, dataRoot: w.dataRoot, unit: w.unit };
  files.push({
    path: `${w.configDir}/prepare.sh`,
    content: fill(
      readTemplate("prepare-node.sh", w.templateDir),
      { ...values, dataDirCommands, jwtCommands },
      "templates/prepare-node.sh",
    ),
    mode: "0755",
    secret: false,
  });
  files.push({
    path: `/etc/systemd/system/${w.unit}`,
    content: fill(readTemplate("node.service", w.templateDir), values, "templates/node.service"),
    mode: "0644",
    secret: false,
  });
  return files;
}

/** A compose `.env` value: single-quoted so `$` and `#` stay literal. */
/**
 * bitcoind's `-rpcauth` value for the node's RPC user: `user:salt$hex(HMAC-SHA256(key=salt, password))`
 * (share/rpcauth/rpcauth.py). The salt is drawn from the node id and password, so the value, and the
 * node's .env, stay the same from one deploy to the next.
 */
export function bitcoindRpcAuth(node: string, password: string): string {
  const salt = createHash("sha256").update(`sovereign rpcauth ${node} ${password}`).digest("hex").slice(0, 32);
  return `${NODE_RPC_USER}:${salt}$${createHmac("sha256", salt).update(password).digest("hex")}`;
}

function envValue(v: string): string {
  if (/[\n\r']/.test(v)) throw new Error("a secret value for .env must be one line without single quotes");
  return `'${v}'`;
}

function escapeDollar(s: string): string {
  return s.replace(/\$/g, "$$$$");
}

function trimSlash(p: string): string {
  if (!p.startsWith("/")) throw new Error(`'${p}' must be an absolute path`);
  return p.replace(/\/+$/, "") || "/";
}

function assertSafeName(name: string): void {
  if (!/^[a-z0-9][a-z0-9_.-]*$/.test(name))
    throw new Error(`'${name}' is not usable as a path and project name (lower-case letters, digits, - _ .)`);
}

function assertNoPortClash(node: string, ports: PublishedPort[]): void {
  const seen = new Map<string, string>();
  for (const p of ports) {
    const key = `${p.port}/${p.protocol}`;
    const other = seen.get(key);
    if (other)
      throw new Error(`${node}: ${other} and ${p.service}/${p.client} ${p.name} both publish ${key} on the host`);
    seen.set(key, `${p.service}/${p.client} ${p.name}`);
  }
}
