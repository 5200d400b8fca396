import { CLOUD_ACT, isKnownHome, regimesReaching } from "../core/catalog/legal";
import Table from "cli-table3";
import { COMPACT } from "./format";
import type { Catalog } from "../core/catalog/load";
import { catalogReadiness, tagVersion, type ReadinessOptions } from "../core/catalog/upgrades";
import { HOURS_PER_MONTH } from "../core/catalog/schema";
import { JSON_SCHEMA_VERSION } from "../core/plan/file";
import { present } from "../core/present";

export const CATALOG_SECTIONS = ["chains", "clients", "images", "providers", "prices"] as const;
export type CatalogSection = (typeof CATALOG_SECTIONS)[number];

const DAY_MS = 86_400_000;

/** A section as structured data (arrays, numbers, booleans): what `--format json` prints. */
function items(catalog: Catalog, section: CatalogSection, opts: ReadinessOptions): object[] {
  switch (section) {
    case "chains":
      return [...catalog.chains.values()].map((c) => ({
        chain: c.id,
        name: c.name,
        networks: c.networks,
        layers: c.layers,
        clients: c.clients,
        requires: c.requires ?? [],
        roles: Object.fromEntries(
          Object.entries(c.roles).map(([role, p]) => [
            role,
            {
              vcpu: p.vcpu,
              memoryGb: p.memoryGb,
              diskGb: p.diskGb,
              iops: p.iops,
              throughputMBps: p.throughputMBps,
              localNvme: p.localNvme,
              egressGbMonth: p.egressGbMonth,
              source: p.source,
              asOf: p.asOf,
            },
          ]),
        ),
      }));
    case "clients":
      return [...catalog.clients.values()].map((c) => ({
        client: c.id,
        name: c.name,
        layer: c.layer,
        image: { repository: c.image.repository, tag: c.image.tag },
        ports: c.ports.map((p) => ({ name: p.name, port: p.port, protocol: p.protocol, exposure: p.exposure })),
      }));
    case "images": {
      const readiness = catalogReadiness(catalog, opts);
      return [...catalog.clients.values()].map((c) => ({
        client: c.id,
        layer: c.layer,
        repository: c.image.repository,
        tag: c.image.tag,
        version: tagVersion(c.image.tag) ?? null,
        pinnedAsOf: c.image.asOf,
        ageDays: Math.floor((opts.now.getTime() - Date.parse(c.image.asOf)) / DAY_MS),
        source: c.image.source,
        // What the last `catalog refresh` found: null when it never ran or could not check this client.
        newer: newerOf(catalog, c.id),
        upgrades: readiness
          .filter((r) => r.client === c.id)
          .map((r) => ({
            chain: r.chainKey,
            upgrade: r.upgrade,
            activatesAt: r.activatesAt,
            active: r.active,
            due: r.due,
            minimum: r.minimum ?? null,
            readiness: r.readiness,
          })),
      }));
    }
    case "providers":
      return [...catalog.providers.values()].map((p) => ({
        provider: p.id,
        operator: p.operator.name,
        headquarters: p.operator.headquarters,
        cloudAct: regimesReaching(catalog, p.operator.headquarters).includes(CLOUD_ACT),
        legal: regimesReaching(catalog, p.operator.headquarters),
        legalHomeKnown: isKnownHome(catalog, p.operator.headquarters),
        regions: p.regions.map((r) => ({ id: r.id, metro: r.metro, country: r.country })),
      }));
    case "prices":
      return [...catalog.providers.values()].flatMap((p) =>
        Object.entries(p.computePrices).flatMap(([region, prices]) =>
          prices.map((price) => {
            const shape = present(
              p.shapes.find((s) => s.id === price.shape),
              `shape ${price.shape} of ${p.id}`,
            );
            return {
              provider: p.id,
              region,
              shape: shape.id,
              vcpu: shape.vcpu,
              memoryGb: shape.memoryGb,
              usdPerHour: price.usdPerHour,
              usdPerMonth: Math.round(price.usdPerHour * HOURS_PER_MONTH * 100) / 100,
              estimate: price.estimate ?? false,
              source: price.source,
              asOf: price.asOf,
            };
          }),
        ),
      );
  }
}

/** The table projection of a section: column heads and one line of strings per item. */
function tableRows(
  catalog: Catalog,
  section: CatalogSection,
  opts: ReadinessOptions,
): { head: string[]; rows: string[][] } {
  const list = items(catalog, section, opts) as Array<Record<string, never>>;
  switch (section) {
    case "chains":
      return {
        head: ["chain", "name", "networks", "clients", "roles (vCPU/GB RAM/GB disk/IOPS)"],
        rows: [...catalog.chains.values()].map((c) => [
          c.id,
          c.name,
          c.networks.join(", "),
          c.layers.map((l) => `${l}: ${c.clients[l].join(", ")}`).join("; "),
          Object.entries(c.roles)
            .map(([r, p]) => `${r} ${p.vcpu}/${p.memoryGb}/${p.diskGb}/${p.iops}`)
            .join("; "),
        ]),
      };
    case "clients":
      return {
        head: ["client", "layer", "image", "public ports", "rpc ports", "never public"],
        rows: [...catalog.clients.values()].map((c) => [
          c.id,
          c.layer,
          `${c.image.repository}:${c.image.tag}`,
          c.ports
            .filter((p) => p.exposure === "public")
            .map((p) => `${p.port}/${p.protocol}`)
            .join(" "),
          c.ports
            .filter((p) => p.exposure === "rpc")
            .map((p) => `${p.port}`)
            .join(" "),
          c.ports
            .filter((p) => p.exposure === "internal" || p.exposure === "private")
            .map((p) => `${p.port} ${p.name}`)
            .join(", "),
        ]),
      };
    case "images":
      return {
        head: ["client", "image", "pinned as of", "age (days)", "newer (catalog refresh)", "upgrades (readiness)"],
        rows: (list as unknown as ImageItem[]).map((i) => [
          i.client,
          `${i.repository}:${i.tag}`,
          i.pinnedAsOf,
          String(i.ageDays),
          !i.newer
            ? "not checked"
            : i.newer.releases.length === 0
              ? `none (${i.newer.checkedAsOf})`
              : i.newer.releases
                  .map((n) => `${n.imageTag ?? `${n.version} (no image)`} ${n.publishedAt.slice(0, 10)} ${n.url}`)
                  .join("; "),
          i.upgrades
            .map(
              (u) =>
                `${u.chain} ${u.upgrade}${u.active ? " (active)" : u.due ? " (due)" : ""}: ` +
                (u.readiness === "ready"
                  ? `ready (>= ${u.minimum})`
                  : u.readiness === "below"
                    ? `BELOW ${u.minimum}`
                    : "unknown minimum"),
            )
            .join("; ") || "-",
        ]),
      };
    case "providers":
      return {
        head: ["provider", "operator", "headquarters", "CLOUD Act", "regions"],
        rows: [...catalog.providers.values()].map((p) => [
          p.id,
          p.operator.name,
          p.operator.headquarters,
          isKnownHome(catalog, p.operator.headquarters)
            ? String(regimesReaching(catalog, p.operator.headquarters).includes(CLOUD_ACT))
            : "unknown (counted as true)",
          p.regions.map((r) => `${r.id} (${r.metro}, ${r.country})`).join("; "),
        ]),
      };
    case "prices":
      return {
        head: ["provider", "region", "shape", "vCPU", "GB", "$/hour", "$/month", "estimate", "source", "as of"],
        rows: list.map((r) => Object.values(r).map(String)),
      };
  }
}

function newerOf(catalog: Catalog, client: string) {
  const releases = catalog.releases;
  const found = releases?.clients.find((c) => c.client === client);
  return releases && found && !found.unchecked ? { checkedAsOf: releases.asOf, releases: found.newer } : null;
}

interface ImageItem {
  client: string;
  repository: string;
  tag: string;
  pinnedAsOf: string;
  ageDays: number;
  newer: ReturnType<typeof newerOf>;
  upgrades: Array<{
    chain: string;
    upgrade: string;
    active: boolean;
    due: boolean;
    minimum: string | null;
    readiness: string;
  }>;
}

export function catalogTable(catalog: Catalog, section: CatalogSection, opts: ReadinessOptions): string {
  const { head, rows } = tableRows(catalog, section, opts);
  // cli-table3 breaks on `colWidths: undefined`: give the key only where widths are set.
  const widths =
    section === "prices"
      ? { colWidths: [10, 20, 18, 6, 6, 9, 9, 9, 40, 12] }
      : section === "images"
        ? { colWidths: [12, 40, 12, 8, 40, 60] }
        : {};
  const t = new Table({ head, style: { head: [], border: [] }, chars: COMPACT, wordWrap: true, ...widths });
  t.push(...rows);
  return t.toString();
}

export function catalogJson(catalog: Catalog, section: CatalogSection, opts: ReadinessOptions): object {
  return { schemaVersion: JSON_SCHEMA_VERSION, kind: `catalog.${section}`, items: items(catalog, section, opts) };
}
