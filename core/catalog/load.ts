import { createHash } from "node:crypto";
import { readFileSync, readdirSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { parse } from "yaml";
import { own } from "../own";
import type { z } from "zod";
import { RPC_KINDS } from "../rpc-kinds";
import { newestAkashPrices } from "./akash-pricing";
import { newestReleases, type ReleasesOverlay } from "./releases";
import { supportedClients } from "./support";
import {
  ChainsFile, ClientsFile, GatewaysFile, JurisdictionsFile, OperatorsFile, PartImagesFile, ProviderFile, UpgradesFile,
  type Chain, type Client, type PartName, type Regime, type Schedule, type Upgrade,
} from "./schema";

export type ProviderId = ProviderFile["id"];
export type Jurisdiction = z.infer<typeof JurisdictionsFile>["jurisdictions"][number];
export type KnownOperator = z.infer<typeof OperatorsFile>["operators"][number];

/** The whole catalog, indexed for look-ups. Built once per process from `catalog/`. */
export interface Catalog {
  chains: Map<string, Chain>;
  clients: Map<string, Client>;
  providers: Map<ProviderId, ProviderFile>;
  jurisdictions: Map<string, Jurisdiction>;
  /** Legal regimes with reach over operators' data (catalog/jurisdictions.yaml), in catalog order. */
  regimes: Map<string, Regime>;
  operators: Map<string, KnownOperator>;
  /** RPC gateway sizes and the traffic assumed to price their egress. */
  gateways: GatewaysFile;
  /** region id -> the provider that has it (to tell a user which provider a region belongs to). */
  regionProvider: Map<string, ProviderId>;
  /** Network upgrades with the minimum client releases that follow each (catalog/upgrades.yaml). */
  upgrades: Upgrade[];
  /** When each chain and network's upgrade list was last checked against upstream (catalog/upgrades.yaml). */
  schedules: Schedule[];
  /** What the newest `sovereign catalog refresh` found upstream (catalog/releases/), if it ran. */
  releases?: ReleasesOverlay;
}

export class CatalogError extends Error {
  constructor(readonly problems: string[]) {
    super(`catalog is inconsistent:\n  - ${problems.join("\n  - ")}`);
  }
}

/** The catalog that ships with the package. */
export const DEFAULT_CATALOG_DIR = resolve(__dirname, "..", "..", "catalog");

function readYaml<T extends z.ZodType>(file: string, schema: T, prepare?: (raw: unknown) => unknown): z.infer<T> {
  const parsed: unknown = parse(readFileSync(file, "utf8"), { merge: true });
  const raw = prepare ? prepare(parsed) : parsed;
  const result = schema.safeParse(raw);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `${file}: ${i.path.join(".")}: ${i.message}`);
    throw new CatalogError(lines);
  }
  return result.data;
}

const cache = new Map<string, Catalog>();

let bundledImages: PartImagesFile["images"] | undefined;

/**
 * The pinned image of one of Sovereign's own parts on real hosts (`repository:tag`), from the
 * bundled catalog/images.yaml: the default wherever no image is given (stack config overrides it).
 */
export function partImage(part: PartName): string {
  bundledImages ??= readYaml(join(DEFAULT_CATALOG_DIR, "images.yaml"), PartImagesFile).images;
  const { repository, tag } = bundledImages[part];
  return `${repository}:${tag}`;
}

/**
 * Client file contents written as `{ file, sha256 }` (a genesis too long to sit in clients.yaml) are
 * read from under the catalog directory and checked against their pinned hash, so the loaded
 * catalog holds text only.
 */
function inlineClientFiles(raw: unknown, dir: string): unknown {
  const clients = (raw as { clients?: Array<{ id?: string; files?: Array<{ content?: Record<string, unknown> }> }> })
    ?.clients;
  const problems: string[] = [];
  for (const client of Array.isArray(clients) ? clients : []) {
    for (const f of Array.isArray(client.files) ? client.files : []) {
      const content = f.content ?? {};
      for (const [key, value] of Object.entries(content)) {
        if (!value || typeof value !== "object") continue;
        const { file, sha256 } = value as { file?: unknown; sha256?: unknown };
        const where = `clients.yaml: ${client.id}: content ${key}`;
        const path = typeof file === "string" ? resolve(dir, file) : "";
        if (!path || relative(dir, path).startsWith("..") || typeof sha256 !== "string") {
          problems.push(`${where}: a content reference is { file: <path under catalog/>, sha256: <hex> }`);
          continue;
        }
        let text: string;
        try {
          text = readFileSync(path, "utf8");
        } catch {
          problems.push(`${where}: cannot read ${file}`);
          continue;
        }
        const actual = createHash("sha256").update(text).digest("hex");
        if (actual !== sha256.toLowerCase()) problems.push(`${where}: ${file} has sha256 ${actual}, the catalog pins ${sha256}`);
        content[key] = text;
      }
    }
  }
  if (problems.length) throw new CatalogError(problems);
  return raw;
}

export function loadCatalog(dir: string = DEFAULT_CATALOG_DIR): Catalog {
  const hit = cache.get(dir);
  if (hit) return hit;
  const chains = readYaml(join(dir, "chains.yaml"), ChainsFile).chains;
  const clients = readYaml(join(dir, "clients.yaml"), ClientsFile, (raw) => inlineClientFiles(raw, dir)).clients;
  const { jurisdictions, regimes } = readYaml(join(dir, "jurisdictions.yaml"), JurisdictionsFile);
  const gateways = readYaml(join(dir, "gateways.yaml"), GatewaysFile);
  const operators = readYaml(join(dir, "operators.yaml"), OperatorsFile).operators;
  const { upgrades, schedules } = readYaml(join(dir, "upgrades.yaml"), UpgradesFile);
  const providerDir = join(dir, "providers");
  const providers = readdirSync(providerDir).filter((f) => f.endsWith(".yaml")).sort()
    .map((f) => readYaml(join(providerDir, f), ProviderFile));

  const akash = providers.find((p) => p.id === "akash");
  const refreshed = akash?.resourcePrices && newestAkashPrices(providerDir);
  if (akash?.resourcePrices && refreshed) akash.resourcePrices = { ...akash.resourcePrices, ...refreshed };

  const catalog: Catalog = {
    chains: new Map(chains.map((c) => [c.id, c])),
    clients: new Map(clients.map((c) => [c.id, c])),
    providers: new Map(providers.map((p) => [p.id, p])),
    jurisdictions: new Map(jurisdictions.map((j) => [j.id, j])),
    regimes: new Map(regimes.map((r) => [r.id, r])),
    operators: new Map(operators.map((o) => [o.id, o])),
    gateways,
    regionProvider: new Map(providers.flatMap((p) => p.regions.map((r) => [r.id, p.id] as const))),
    upgrades,
    schedules,
    releases: releasesOverlay(dir),
  };
  const problems = checkIntegrity(catalog);
  if (problems.length) throw new CatalogError(problems);
  cache.set(dir, catalog);
  return catalog;
}

/** Cross-references the schema cannot express: every name used is defined, every price is reachable. */
export function checkIntegrity(catalog: Catalog): string[] {
  const problems: string[] = [];
  for (const chain of catalog.chains.values()) {
    for (const layer of chain.layers) {
      const ids = chain.clients[layer];
      if (!ids) { problems.push(`chain ${chain.id}: no clients for layer ${layer}`); continue; }
      for (const id of ids) {
        const client = catalog.clients.get(id);
        if (!client) problems.push(`chain ${chain.id}: unknown client ${id}`);
        else if (client.layer !== layer) problems.push(`chain ${chain.id}: client ${id} is ${client.layer}, listed under ${layer}`);
      }
    }
    // `requires` is what the deploy asks for (stack secrets): it must be exactly what the chain's clients read.
    const required = new Set(chain.requires ?? []);
    const read = new Set<string>();
    for (const id of Object.values(chain.clients).flat()) {
      const client = catalog.clients.get(id);
      const args = [...(client?.command ?? []), ...(client?.init ?? []), ...Object.values(client?.roleArgs ?? {}).flat()];
      // A file is written in the clear: it can hold no secret, and must exist for every network of the chain.
      for (const f of client?.files ?? []) {
        for (const network of chain.networks) {
          const content = f.content[`${chain.id}/${network}`] ?? f.content[network];
          if (content === undefined) problems.push(`chain ${chain.id}: client ${id} has no content of ${f.name} for ${network}`);
          else if (typeof content === "string" && /\{(l1Rpc|l1Beacon|rpcPassword|rpcAuth)\}/.test(content)) problems.push(`chain ${chain.id}: client ${id} file ${f.name} reads a secret; secrets reach clients only through their command`);
        }
      }
      for (const secret of ["l1Rpc", "l1Beacon"] as const) {
        if (!args.some((a) => a.includes(`{${secret}}`))) continue;
        read.add(secret);
        if (!required.has(secret)) problems.push(`chain ${chain.id}: client ${id} reads {${secret}}, which the chain does not list in requires`);
      }
    }
    for (const secret of required) {
      if (!read.has(secret)) problems.push(`chain ${chain.id}: requires ${secret}, but none of its clients reads {${secret}}`);
    }
    if (!RPC_KINDS.has(chain.rpc.kind))
      problems.push(`chain ${chain.id}: rpc.kind '${chain.rpc.kind}' has no folder in core/rpc-kinds (known: ${[...RPC_KINDS.keys()].join(", ")}); add core/rpc-kinds/${chain.rpc.kind}/ before listing the chain`);
    for (const id of chain.clients[chain.rpc.layer] ?? []) {
      if (!catalog.clients.get(id)?.ports.some((p) => p.name === chain.rpc.port)) {
        problems.push(`chain ${chain.id}: client ${id} has no port named ${chain.rpc.port}`);
      }
    }
  }
  for (const p of catalog.providers.values()) {
    if (!catalog.jurisdictions.has(p.operator.headquarters)) problems.push(`${p.id}: unknown jurisdiction ${p.operator.headquarters}`);
    const shapes = new Set(p.shapes.map((s) => s.id));
    const classes = new Set(p.storageClasses.map((c) => c.id));
    for (const region of p.regions) {
      const prices = p.computePrices[region.id] ?? [];
      if (p.kind === "cloud" && prices.length === 0) problems.push(`${p.id}/${region.id}: no compute prices`);
      if (!p.storagePrices[region.id]) problems.push(`${p.id}/${region.id}: no storage prices`);
    }
    for (const [region, prices] of Object.entries(p.computePrices)) {
      if (!p.regions.some((r) => r.id === region)) problems.push(`${p.id}: compute prices for unknown region ${region}`);
      for (const price of prices) if (!shapes.has(price.shape)) problems.push(`${p.id}/${region}: price for unknown shape ${price.shape}`);
    }
    for (const [region, prices] of Object.entries(p.storagePrices)) {
      for (const price of prices) if (!classes.has(price.class)) problems.push(`${p.id}/${region}: price for unknown storage class ${price.class}`);
    }
    if (p.kind === "cloud" && !p.network) problems.push(`${p.id}: no network prices`);
    if (p.kind === "akash" && !p.resourcePrices) problems.push(`${p.id}: no resource prices`);
    if (p.kind === "akash" && !p.market) problems.push(`${p.id}: no market (denom, blocks per month, auditors)`);
  }
  for (const u of catalog.upgrades) {
    const chain = catalog.chains.get(u.chain);
    if (!chain) { problems.push(`upgrade ${u.name}: unknown chain ${u.chain}`); continue; }
    if (!chain.networks.includes(u.network)) problems.push(`upgrade ${u.name}: ${u.chain} has no network ${u.network}`);
    const clients = new Set(Object.values(chain.clients).flat());
    for (const id of Object.keys(u.minimums)) {
      if (!clients.has(id)) problems.push(`upgrade ${u.name} of ${u.chain}: ${id} is not a client of the chain`);
    }
  }
  problems.push(...scheduleProblems(catalog), ...supportProblems(catalog));
  // A group that allows sized and unsized clients is priced at the role's disk: no client may need more.
  for (const chain of catalog.chains.values())
    for (const [role, p] of Object.entries(chain.roles))
      for (const [id, gb] of Object.entries(p.diskGbByClient?.sizes ?? {}))
        if (gb > p.diskGb) problems.push(`chain ${chain.id} ${role}: ${id} needs ${gb} GB, above the role's ${p.diskGb} GB; raise the role's diskGb`);
  for (const r of catalog.regimes.values()) {
    for (const j of r.reaches) if (!catalog.jurisdictions.has(j)) problems.push(`regime ${r.id}: unknown jurisdiction ${j}`);
  }
  for (const o of catalog.operators.values()) {
    if (!catalog.jurisdictions.has(o.headquarters)) problems.push(`operator ${o.id}: unknown jurisdiction ${o.headquarters}`);
  }
  return problems;
}

/** Implementations the catalog knows for a chain key's layer (the client cap applies from two). */
export function alternativesIn(catalog: Catalog, now: Date = new Date()) {
  return (chainKey: string, layer: string) => {
    const chainId = chainKey.split("/")[0];
    const ids = own(catalog.chains.get(chainId)?.clients ?? {}, layer) ?? [];
    // Clients upstream dropped are no alternative: Base since Azul has one implementation per layer.
    return supportedClients(catalog, chainId, ids, now).length;
  };
}

/** Every chain and network has exactly one schedule, and every schedule names a real one. */
function scheduleProblems(catalog: Catalog): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const s of catalog.schedules) {
    const key = `${s.chain}/${s.network}`;
    if (!catalog.chains.get(s.chain)?.networks.includes(s.network)) problems.push(`schedule ${key}: no such chain and network`);
    if (seen.has(key)) problems.push(`schedule ${key}: listed twice`);
    seen.add(key);
  }
  for (const chain of catalog.chains.values())
    for (const network of chain.networks)
      if (!seen.has(`${chain.id}/${network}`))
        problems.push(`upgrades.yaml: no schedule for ${chain.id}/${network}: add one (its upgrades, or that none is scheduled, with source and asOf)`);
  return problems;
}

/** A client's end of support names chains that run it and replacements that are clients of the same layer there. */
function supportProblems(catalog: Catalog): string[] {
  const problems: string[] = [];
  for (const client of catalog.clients.values()) {
    for (const end of client.support ?? []) {
      const chains = [...catalog.chains.values()].filter((c) => Object.values(c.clients).some((ids) => ids.includes(client.id)));
      for (const id of end.chains ?? []) {
        if (!chains.some((c) => c.id === id)) problems.push(`client ${client.id}: support ends on ${id}, which does not run it`);
      }
      for (const chain of chains.filter((c) => !end.chains || end.chains.includes(c.id))) {
        const replacement = typeof end.replacedBy === "string" ? end.replacedBy : own(end.replacedBy, chain.id);
        if (!replacement || !(own(chain.clients, client.layer) ?? []).includes(replacement))
          problems.push(`client ${client.id}: its replacement on ${chain.id} (${replacement ?? "none"}) is not a ${client.layer} client of ${chain.id}`);
      }
    }
  }
  return problems;
}

/** The newest `catalog refresh` overlay; one that fails validation is a catalog problem naming the file, not a crash. */
function releasesOverlay(dir: string): ReleasesOverlay | undefined {
  try {
    return newestReleases(dir);
  } catch (e) {
    throw new CatalogError([(e as Error).message]);
  }
}
