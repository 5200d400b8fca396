/**
 * The Akash SDL (2.0) of one node, from the same rendered workload as compose and cloud-init: one
 * service per client layer with its pinned image and arguments, a compute profile per service
 * (the node's CPU, memory and disk from the plan, split between layers), chain data on a persistent
 * volume of the planned class, P2P on a leased IP, RPC global only when allowed, the engine API
 * only between the node's own services, placement attributes, `signedBy` auditors and a price
 * ceiling per profile from the catalog's pricing model. Pure: no Pulumi, no network.
 *
 * Secrets never appear in the rendered document: they are env variables whose values are filled
 * by {@link sdlYaml} only when the caller passes them (the Pulumi side does, inside a secret).
 */
import { stringify } from "yaml";
import type { Catalog } from "../catalog/load";
import type { Client, Market, ProviderFile } from "../catalog/schema";
import { renderUpstreamTerminator, TERMINATOR_RESOURCES, UPSTREAM_TLS_DIR } from "./upstream-terminator";
import { clientReads, clientRuntime, DEFAULT_CONTAINER_DATA_DIR } from "./clients";
import {
  bitcoindRpcAuth,
  INIT_SUFFIX,
  renderWorkload,
  type Workload,
  type WorkloadNode,
  type WorkloadSecrets,
} from "./render";
import { present } from "../present";

/** What the SDL needs of a planned node (a PlannedNode fits). */
export interface SdlNode extends WorkloadNode {
  vcpu: number;
  memoryGb: number;
  storage: { class: string; sizeGb: number };
}

export interface SdlOptions {
  /** Fleet name, for the `sovereign.*` labels in the rendered comments. @default "sovereign" */
  fleet?: string;
  /** RPC ports are global (reachable by anyone: Akash has no source filter); ignored with `upstreamTls`. @default false (only the node's own services) */
  publicRpc?: boolean;
  /** Provider attributes every bid must have (`placement.attributes`). @default none */
  attributes?: Record<string, string>;
  /** Only providers an auditor signed (`signedBy.anyOf`: the catalog's auditors). @default false */
  audited?: boolean;
  /** Ephemeral disk per service (container root file system), GiB. @default 10 */
  ephemeralGb?: number;
  /**
   * Put an mTLS terminator (HAProxy, this image) beside the node, global on the leased IP, so the
   * fleet's gateways reach its RPC from outside (a lease cannot join the WireGuard overlay); only
   * the gateways' client certificates get through. Its certificate and the upstream CA are the
   * secrets `upstreamTlsPem` and `upstreamTlsCa`. @default none (RPC only as `publicRpc` says)
   */
  upstreamTls?: { image: string };
}

/** What the SDL's secret env variables carry, filled at deploy: the workload's secrets and the mTLS terminator's PEMs. */
export interface SdlSecrets extends WorkloadSecrets {
  /** The terminator's server certificate and key, PEM. */
  upstreamTlsPem?: string;
  /** The fleet's upstream CA certificate, PEM. */
  upstreamTlsCa?: string;
  /** bitcoind's `-rpcauth` form of `rpcPassword`. @default derived from rpcPassword */
  rpcAuth?: string;
}

/** The secret each `${SOVEREIGN_*}` variable of a compose command carries (core/workload/render.ts). */
const SECRET_OF_ENV: Readonly<Record<string, SdlSecret>> = {
  SOVEREIGN_L1_RPC: "l1Rpc",
  SOVEREIGN_L1_BEACON: "l1Beacon",
  SOVEREIGN_RPC_PASSWORD: "rpcPassword",
  SOVEREIGN_RPC_AUTH: "rpcAuth",
};

/** A secret the SDL reads from an env variable: the engine JWT, an L1 URL or a terminator PEM. */
export type SdlSecret = keyof SdlSecrets;

/** The service of the mTLS terminator in a node's SDL. */
export const SDL_UPSTREAM_TLS_SERVICE = "upstream-tls";
/** Secrets written to files by a shell (PEM is multi-line): carried base64-encoded in one env line. */
const BASE64_SECRETS: ReadonlySet<SdlSecret> = new Set(["upstreamTlsPem", "upstreamTlsCa"]);
const TERMINATOR = TERMINATOR_RESOURCES;

export interface SdlExpose {
  port: number;
  as: number;
  proto: "tcp" | "udp";
  to: Array<{ global: true; ip?: string } | { service: string }>;
}

export interface SdlService {
  image: string;
  command?: string[];
  args: string[];
  env?: string[];
  expose?: SdlExpose[];
  /** Absent for a service without a persistent volume. */
  params?: { storage: Record<string, { mount: string; readOnly: boolean }> };
}

export interface SdlProfile {
  resources: {
    cpu: { units: number };
    memory: { size: string };
    storage: Array<{ size: string; name?: string; attributes?: { persistent: boolean; class: string } }>;
  };
}

export interface SdlDocument {
  version: "2.0";
  services: Record<string, SdlService>;
  profiles: {
    compute: Record<string, SdlProfile>;
    placement: Record<
      string,
      {
        attributes?: Record<string, string>;
        signedBy?: { anyOf: string[] };
        pricing: Record<string, { denom: string; amount: number }>;
      }
    >;
  };
  deployment: Record<string, Record<string, { profile: string; count: number }>>;
  endpoints?: Record<string, { kind: "ip" }>;
}

export interface AkashSdl {
  node: string;
  document: SdlDocument;
  /** Env variables that carry secrets, per service: variable -> secret. */
  secretEnv: Record<string, Record<string, SdlSecret>>;
  /** The price ceiling of the whole node, USD/month (the catalog estimate times the ceiling factor). */
  ceilingUsdPerMonth: number;
  /** The placement group name (one group per node: one lease, one provider). */
  group: string;
}

/** The one placement group of a node's deployment. */
export const SDL_GROUP = "akash";
/** Name of the IP endpoint P2P (and public RPC) ports are leased on. */
export const SDL_IP_ENDPOINT = "p2p";
/** The JWT file inside containers on Akash: /tmp is writable for any image user. */
export const AKASH_JWT_PATH = "/tmp/sovereign-jwt.hex";
/** Where clients find their catalog files on Akash (`{filesDir}`): written at start, /tmp is writable for any user. */
export const AKASH_FILES_DIR = "/tmp/sovereign-files";
const JWT_ENV = "SOVEREIGN_JWT";
const DATA_VOLUME = "data";

/**
 * Share of the node's CPU, memory and disk a side layer gets; the chain's first layer (execution,
 * node) gets the rest. Estimates: beacon and rollup clients need a few cores and a small database.
 */
const LAYER_SHARE: Readonly<Record<string, { cpu: number; memory: number; disk: number }>> = {
  consensus: { cpu: 0.25, memory: 0.25, disk: 0.1 },
  rollup: { cpu: 0.25, memory: 0.25, disk: 0.02 },
};

/** The error of a node that cannot run on Akash as planned. */
export class SdlError extends Error {
  constructor(
    readonly node: string,
    readonly problems: string[],
  ) {
    super(`${node}: the Akash SDL is not valid:\n  - ${problems.join("\n  - ")}`);
    this.name = "SdlError";
  }
}

export function akashProvider(catalog: Catalog): ProviderFile & { market: Market } {
  const akash = catalog.providers.get("akash");
  if (!akash?.market || !akash.resourcePrices)
    throw new Error("the catalog has no Akash provider with resource prices and a market section");
  return akash as ProviderFile & { market: Market };
}

/** Renders the SDL of one node. Throws SdlError when the node cannot run on Akash as planned. */
export function renderSdl(node: SdlNode, catalog: Catalog, options: SdlOptions = {}): AkashSdl {
  const akash = akashProvider(catalog);
  const chain = catalog.chains.get(node.chain);
  if (!chain) throw new SdlError(node.id, [`unknown chain '${node.chain}'`]);
  const problems: string[] = [];
  // With a terminator the fleet's gateways are the way in: RPC is never global beside it (Akash
  // has no source filter, so a global RPC port would bypass the mTLS).
  const publicRpc = !!options.publicRpc && !options.upstreamTls;
  const cls = akash.storageClasses.find((c) => c.id === node.storage.class);
  if (!cls)
    problems.push(
      `storage class '${node.storage.class}' is not an Akash persistent class (${akash.storageClasses.map((c) => c.id).join(", ")})`,
    );
  const workload = renderWorkload(node, catalog, {
    fleet: options.fleet,
    jwtPath: AKASH_JWT_PATH,
    filesDir: AKASH_FILES_DIR,
  });

  const layers = chain.layers.filter((l) => node.clients[l]);
  const services: Record<string, SdlService> = {};
  const compute: Record<string, SdlProfile> = {};
  const secretEnv: AkashSdl["secretEnv"] = {};
  const prices = present(akash.resourcePrices, "the Akash catalog's resource prices");
  const storagePrice = akash.storagePrices[akash.regions[0].id]?.find(
    (p) => p.class === node.storage.class,
  )?.usdPerGbMonth;
  if (cls && storagePrice === undefined)
    problems.push(`no price for storage class ${node.storage.class} in the catalog`);
  const usesIp =
    !!options.upstreamTls ||
    layers.some((l) =>
      present(catalog.clients.get(node.clients[l]), `client ${node.clients[l]}`).ports.some(
        (p) => p.exposure === "public" || (p.exposure === "rpc" && publicRpc),
      ),
    );
  const placement = pricedPlacement(akash.market);
  const portion = layerPortion(layers);

  for (const layer of layers) {
    const client = present(catalog.clients.get(node.clients[layer]), `client ${node.clients[layer]}`);
    const start = layerStart(node, workload, layer, client);
    if (start.problem) problems.push(start.problem);
    const expose = layerExpose(client, {
      others: layers.filter((l) => l !== layer),
      publicRpc,
      toTerminator: !!options.upstreamTls && layer === chain.rpc.layer,
    });
    services[layer] = layerService(workload.compose.services[layer].image, client, start, expose);
    if (Object.keys(start.env).length) secretEnv[layer] = start.env as Record<string, SdlSecret>;

    const size = layerSize(node, (k) => portion(layer, k));
    compute[layer] = layerProfile(node, size, options.ephemeralGb);
    const endpoints = expose.filter((e) => e.to.some((t) => "global" in t)).length;
    placement.place(
      layer,
      size.cpu * prices.cpuUsdPerThreadMonth.value +
        size.memoryGb * prices.memoryUsdPerGbMonth.value +
        size.diskGb * (storagePrice ?? 0) +
        endpoints * prices.endpointUsdPerPortMonth.value +
        (layer === layers[0] && usesIp ? prices.ipLeaseUsdPerMonth.value : 0),
    );
  }
  if (options.upstreamTls) {
    const t = upstreamTerminator(node, catalog, options.upstreamTls.image);
    services[SDL_UPSTREAM_TLS_SERVICE] = t.service;
    secretEnv[SDL_UPSTREAM_TLS_SERVICE] = t.secretEnv;
    compute[SDL_UPSTREAM_TLS_SERVICE] = t.profile;
    placement.place(
      SDL_UPSTREAM_TLS_SERVICE,
      TERMINATOR.cpu * prices.cpuUsdPerThreadMonth.value +
        (TERMINATOR.memoryMi / 1024) * prices.memoryUsdPerGbMonth.value +
        prices.endpointUsdPerPortMonth.value,
    );
  }
  if (problems.length) throw new SdlError(node.id, problems);

  const document: SdlDocument = {
    version: "2.0",
    services,
    profiles: { compute, placement: { [SDL_GROUP]: placementGroup(placement.pricing, options, akash.market) } },
    deployment: placement.deployment,
    ...(usesIp ? { endpoints: { [SDL_IP_ENDPOINT]: { kind: "ip" as const } } } : {}),
  };
  return {
    node: node.id,
    document,
    secretEnv,
    ceilingUsdPerMonth: Math.round(placement.ceilingUsd() * 100) / 100,
    group: SDL_GROUP,
  };
}

/** A layer's service: the compose service's image, its start (secrets as placeholders), its ports and data volume. */
function layerService(
  image: string,
  client: Client,
  { args, env, command, plainEnv }: ReturnType<typeof layerStart>,
  expose: SdlExpose[],
): SdlService {
  const dataDir = clientRuntime(client.id).dataDir ?? DEFAULT_CONTAINER_DATA_DIR;
  return {
    image,
    ...(command ? { command } : {}),
    args,
    ...(Object.keys(env).length || plainEnv.length
      ? {
          env: [
            ...Object.keys(env)
              .sort()
              .map((v) => `${v}=${placeholder(env[v] as SdlSecret)}`),
            ...plainEnv,
          ],
        }
      : {}),
    ...(expose.length ? { expose } : {}),
    params: { storage: { [DATA_VOLUME]: { mount: dataDir, readOnly: false } } },
  };
}

/** The placement group: the bid ceilings per service, and the provider attributes and auditors asked for. */
function placementGroup(
  pricing: SdlDocument["profiles"]["placement"][string]["pricing"],
  options: SdlOptions,
  market: Market,
): SdlDocument["profiles"]["placement"][string] {
  const group: SdlDocument["profiles"]["placement"][string] = { pricing };
  if (options.attributes && Object.keys(options.attributes).length) group.attributes = { ...options.attributes };
  if (options.audited) group.signedBy = { anyOf: [...market.auditors] };
  return group;
}

type Resource = "cpu" | "memory" | "disk";

/**
 * The share of the node's resources each layer gets: side layers their {@link LAYER_SHARE}, the
 * first layer (execution, node) the rest.
 */
function layerPortion(layers: string[]): (layer: string, k: Resource) => number {
  const main = layers[0];
  const share = (layer: string) => LAYER_SHARE[layer] ?? { cpu: 0, memory: 0, disk: 0 };
  const side = layers.filter((l) => l !== main);
  const rest = (k: Resource) => 1 - side.reduce((a, l) => a + share(l)[k], 0);
  return (layer, k) => (layer === main ? rest(k) : share(layer)[k]);
}

/** Each service's profile in the one placement group, with its price ceiling from its estimated USD/month. */
function pricedPlacement(market: Market) {
  const pricing: Record<string, { denom: string; amount: number }> = {};
  const deployment: SdlDocument["deployment"] = {};
  let ceilingUsd = 0;
  const place = (service: string, estimateUsd: number) => {
    const usd = estimateUsd * market.ceilingFactor;
    ceilingUsd += usd;
    pricing[service] = {
      denom: market.denom,
      amount: Math.ceil(usd / market.usdPerDenom / market.blocksPerMonth),
    };
    deployment[service] = { [SDL_GROUP]: { profile: service, count: 1 } };
  };
  return { pricing, deployment, place, ceilingUsd: () => ceilingUsd };
}

/**
 * A layer's arguments for Kubernetes, the secret env variables they read, and, for a client that
 * reads files (the JWT, catalog files, an init step), the shell that writes them before it starts;
 * `problem` when that shell cannot be built.
 */
function layerStart(
  node: SdlNode,
  workload: Workload,
  layer: string,
  client: Client,
): { args: string[]; env: Record<string, string>; command?: string[]; plainEnv: string[]; problem?: string } {
  const compose = workload.compose.services[layer];
  const runtime = clientRuntime(client.id);
  const env: Record<string, string> = {};
  const plainEnv: string[] = [];
  // Compose escapes `$` as `$$` and reads secrets as ${VAR} from .env; Kubernetes (which runs
  // Akash leases) expands $(VAR) in args from the container's env.
  const args = compose.command.map((a) =>
    a
      .replace(/\$\{(SOVEREIGN_[A-Z0-9_]+)\}/g, (_, v: string) => {
        const secret = SECRET_OF_ENV[v];
        if (!secret) throw new Error(`${node.id}: ${client.id} reads \${${v}}, which no Akash secret fills`);
        env[v] = secret;
        return `$(${v})`;
      })
      .replace(/\$\$/g, "$"),
  );
  // Akash has no file mounts and no one-shot services: a shell in the client's own container writes
  // the JWT and the catalog files (base64 in env: Kubernetes expands $(VAR) in plain values), runs the
  // init step, then execs the client. It needs the image's entrypoint to know what to exec.
  const readsJwt = args.some((a) => a.includes(AKASH_JWT_PATH)) || clientReads(client, "jwtPath");
  const files = (workload.files ?? []).filter((f) => f.service === layer);
  const init = workload.compose.services[`${layer}${INIT_SUFFIX}`];
  if (!readsJwt && !files.length && !init) return { args, env, plainEnv };
  if (!runtime.entrypoint) {
    const needs = [readsJwt && "the engine JWT", files.length && "its catalog files", init && "an init step"]
      .filter(Boolean)
      .join(", ");
    return {
      args,
      env,
      plainEnv,
      problem: `${layer}/${client.id} reads ${needs} from files, and Akash has no file mounts: its image entrypoint is not known (core/workload/clients.ts), so no shell can write the files first — choose another ${layer} client for Akash nodes`,
    };
  }
  const steps = ["umask 077"];
  if (readsJwt) {
    steps.push(`printf '%s' "$${JWT_ENV}" > ${AKASH_JWT_PATH}`);
    env[JWT_ENV] = "jwt";
  }
  if (files.length) steps.push(`mkdir -p ${AKASH_FILES_DIR}`);
  for (const f of files) {
    const v = `SOVEREIGN_FILE_${f.name.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`;
    steps.push(`printf '%s' "$${v}" | base64 -d > ${f.containerPath}`);
    plainEnv.push(`${v}=${Buffer.from(f.content).toString("base64")}`);
  }
  if (init) steps.push(`"$0" ${init.command.map((a) => shellQuote(a.replace(/\$\$/g, "$"))).join(" ")}`);
  // sh -c SCRIPT ENTRYPOINT... ARGS...: $0 is the binary, "$@" its arguments.
  const command = ["sh", "-c", `${steps.join(" && ")} && exec "$0" "$@"`, ...runtime.entrypoint];
  return { args, env, command, plainEnv };
}

/**
 * Who reaches each of a layer's ports: P2P (and RPC when allowed) the world on the leased IP, RPC and
 * internal ports the node's other services, RPC the mTLS terminator when there is one.
 */
function layerExpose(
  client: Client,
  reach: { others: string[]; publicRpc: boolean; toTerminator: boolean },
): SdlExpose[] {
  const expose: SdlExpose[] = [];
  for (const p of client.ports) {
    const to: SdlExpose["to"] = [];
    if (p.exposure === "public" || (p.exposure === "rpc" && reach.publicRpc))
      to.push({ global: true, ip: SDL_IP_ENDPOINT });
    if (p.exposure === "rpc" || p.exposure === "internal") to.push(...reach.others.map((service) => ({ service })));
    if (reach.toTerminator && p.exposure === "rpc") to.push({ service: SDL_UPSTREAM_TLS_SERVICE });
    if (to.length) expose.push({ port: p.port, as: p.port, proto: p.protocol, to });
  }
  return expose;
}

/** A layer's CPU, memory (GiB) and data disk (GiB): its portion of the planned node, with floors. */
function layerSize(node: SdlNode, portion: (k: Resource) => number) {
  return {
    cpu: Math.max(0.1, Math.round(node.vcpu * portion("cpu") * 10) / 10),
    memoryGb: Math.max(1, Math.round(node.memoryGb * portion("memory"))),
    diskGb: Math.max(1, Math.ceil(node.storage.sizeGb * portion("disk"))),
  };
}

/** A layer's compute profile: its size, an ephemeral root disk and the persistent data volume. */
function layerProfile(
  node: SdlNode,
  size: { cpu: number; memoryGb: number; diskGb: number },
  ephemeralGb = 10,
): SdlProfile {
  return {
    resources: {
      cpu: { units: size.cpu },
      memory: { size: `${size.memoryGb}Gi` },
      storage: [
        { size: `${ephemeralGb}Gi` },
        { name: DATA_VOLUME, size: `${size.diskGb}Gi`, attributes: { persistent: true, class: node.storage.class } },
      ],
    },
  };
}

/**
 * The mTLS terminator's service: HAProxy from `image`, its config, certificate and CA written by
 * the image's shell from env (Akash has no file mounts), in front of the node's RPC service.
 */
function upstreamTerminator(node: SdlNode, catalog: Catalog, image: string) {
  const chain = present(catalog.chains.get(node.chain), `chain ${node.chain}`);
  const client = present(catalog.clients.get(node.clients[chain.rpc.layer]), `client ${node.clients[chain.rpc.layer]}`);
  const rpcPort = present(
    client.ports.find((p) => p.name === chain.rpc.port),
    `${client.id}'s port ${chain.rpc.port}`,
  ).port;
  const wsPort = client.ports.find((p) => p.name === "ws")?.port;
  const service = chain.rpc.layer;
  const t = renderUpstreamTerminator({
    node: node.id,
    rpc: `${service}:${rpcPort}`,
    ws: wsPort === undefined ? undefined : `${service}:${wsPort}`,
  });
  const config = Buffer.from(t.haproxyCfg).toString("base64");
  const write = (v: string, file: string) => `printf '%s' "$${v}" | base64 -d > ${file}`;
  const script = [
    `umask 077 && mkdir -p ${UPSTREAM_TLS_DIR}`,
    write("SOVEREIGN_UPSTREAM_TLS_PEM", t.paths.certificate),
    write("SOVEREIGN_UPSTREAM_TLS_CA", t.paths.ca),
    write("SOVEREIGN_UPSTREAM_TLS_CONFIG", t.paths.config),
    `exec haproxy -W -db -f ${t.paths.config}`,
  ].join(" && ");
  const secretEnv: Record<string, SdlSecret> = {
    SOVEREIGN_UPSTREAM_TLS_CA: "upstreamTlsCa",
    SOVEREIGN_UPSTREAM_TLS_PEM: "upstreamTlsPem",
  };
  const sdlService: SdlService = {
    image,
    command: ["sh", "-c", script],
    args: [],
    env: [
      `SOVEREIGN_UPSTREAM_TLS_CA=${placeholder("upstreamTlsCa")}`,
      `SOVEREIGN_UPSTREAM_TLS_CONFIG=${config}`,
      `SOVEREIGN_UPSTREAM_TLS_PEM=${placeholder("upstreamTlsPem")}`,
    ],
    expose: [{ port: t.port, as: t.port, proto: "tcp", to: [{ global: true, ip: SDL_IP_ENDPOINT }] }],
  };
  const profile: SdlProfile = {
    resources: {
      cpu: { units: TERMINATOR.cpu },
      memory: { size: `${TERMINATOR.memoryMi}Mi` },
      storage: [{ size: `${TERMINATOR.ephemeralGi}Gi` }],
    },
  };
  return { service: sdlService, secretEnv, profile };
}

const placeholder = (s: SdlSecret) => `<secret ${s}: filled at deploy>`;

/** One shell word: single-quoted unless it is plainly safe. */
function shellQuote(a: string): string {
  return /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`;
}

/**
 * The SDL as YAML. Without secrets every secret env value is a placeholder (safe to print); with
 * them the result holds the secrets: treat it as one (Pulumi: inside pulumi.secret).
 */
export function sdlYaml(sdl: AkashSdl, secrets?: SdlSecrets): string {
  const doc = structuredClone(sdl.document);
  if (secrets?.rpcPassword && !secrets.rpcAuth)
    secrets = { ...secrets, rpcAuth: bitcoindRpcAuth(sdl.node, secrets.rpcPassword) };
  if (secrets) {
    for (const [service, vars] of Object.entries(sdl.secretEnv)) {
      // Plain values (the terminator's config, catalog files) stay; only the secrets' placeholders are replaced.
      const env = new Map((doc.services[service].env ?? []).map((e) => [e.slice(0, e.indexOf("=")), e]));
      for (const [v, s] of Object.entries(vars)) {
        const value = secrets[s]?.trim();
        if (!value) throw new Error(`${sdl.node}: service ${service} needs the secret ${s} (${v})`);
        env.set(v, `${v}=${BASE64_SECRETS.has(s) ? Buffer.from(`${value}\n`).toString("base64") : value}`);
      }
      doc.services[service].env = [...env.keys()].sort().map((k) => present(env.get(k), `env ${k}`));
    }
  }
  const head = `# Akash SDL of Sovereign node ${sdl.node}; rendered by core/workload/sdl.ts. Price ceiling $${sdl.ceilingUsdPerMonth.toFixed(2)}/month.\n`;
  return `${head}${stringify(doc, { lineWidth: 0 })}`;
}
