import Table from "cli-table3";
import { COMPACT } from "./format";
import type { Catalog } from "../core/catalog/load";
import { HOURS_PER_MONTH } from "../core/costs/options";
import { JSON_SCHEMA_VERSION } from "../core/plan/file";

export const CATALOG_SECTIONS = ["chains", "clients", "providers", "prices"] as const;
export type CatalogSection = (typeof CATALOG_SECTIONS)[number];

function rows(catalog: Catalog, section: CatalogSection): { head: string[]; rows: Array<Record<string, string | number | boolean>> } {
  switch (section) {
    case "chains":
      return {
        head: ["chain", "name", "networks", "clients", "roles (vCPU/GB RAM/GB disk/IOPS)"],
        rows: [...catalog.chains.values()].map((c) => ({
          chain: c.id, name: c.name, networks: c.networks.join(", "),
          clients: c.layers.map((l) => `${l}: ${c.clients[l].join(", ")}`).join("; "),
          roles: Object.entries(c.roles).map(([r, p]) => `${r} ${p.vcpu}/${p.memoryGb}/${p.diskGb}/${p.iops}`).join("; "),
        })),
      };
    case "clients":
      return {
        head: ["client", "layer", "image", "public ports", "rpc ports", "never public"],
        rows: [...catalog.clients.values()].map((c) => ({
          client: c.id, layer: c.layer, image: `${c.image.repository}:${c.image.tag}`,
          public: c.ports.filter((p) => p.exposure === "public").map((p) => `${p.port}/${p.protocol}`).join(" "),
          rpc: c.ports.filter((p) => p.exposure === "rpc").map((p) => `${p.port}`).join(" "),
          private: c.ports.filter((p) => p.exposure === "internal" || p.exposure === "private").map((p) => `${p.port} ${p.name}`).join(", "),
        })),
      };
    case "providers":
      return {
        head: ["provider", "operator", "headquarters", "CLOUD Act", "regions"],
        rows: [...catalog.providers.values()].map((p) => ({
          provider: p.id, operator: p.operator.name, hq: p.operator.headquarters, cloudAct: p.operator.cloudAct,
          regions: p.regions.map((r) => `${r.id} (${r.metro}, ${r.country})`).join("; "),
        })),
      };
    case "prices":
      return {
        head: ["provider", "region", "shape", "vCPU", "GB", "$/hour", "$/month", "estimate", "source", "as of"],
        rows: [...catalog.providers.values()].flatMap((p) => Object.entries(p.computePrices).flatMap(([region, prices]) => prices.map((price) => {
          const shape = p.shapes.find((s) => s.id === price.shape)!;
          return {
            provider: p.id, region, shape: shape.id, vcpu: shape.vcpu, memoryGb: shape.memoryGb, usdPerHour: price.usdPerHour,
            usdPerMonth: Math.round(price.usdPerHour * HOURS_PER_MONTH * 100) / 100, estimate: price.estimate ?? false, source: price.source, asOf: price.asOf,
          };
        }))),
      };
  }
}

export function catalogTable(catalog: Catalog, section: CatalogSection): string {
  const { head, rows: list } = rows(catalog, section);
  // cli-table3 breaks on `colWidths: undefined`: give the key only where widths are set.
  const widths = section === "prices" ? { colWidths: [10, 20, 18, 6, 6, 9, 9, 9, 40, 12] } : {};
  const t = new Table({ head, style: { head: [], border: [] }, chars: COMPACT, wordWrap: true, ...widths });
  t.push(...list.map((r) => Object.values(r).map(String)));
  return t.toString();
}

export function catalogJson(catalog: Catalog, section: CatalogSection): object {
  return { schemaVersion: JSON_SCHEMA_VERSION, kind: `catalog.${section}`, items: rows(catalog, section).rows };
}
