import { Argument, Command } from "commander";
import { loadCatalog } from "../../core/catalog/load";
import { didYouMean } from "../../core/fleet-spec/suggest";
import { catalogJson, catalogTable, CATALOG_SECTIONS, type CatalogSection } from "../../report/catalog";
import { UsageError } from "../errors";
import { formatOption, upgradeWindowOption, withExamples, type OutputOptions } from "../options";
import { emit } from "../output";
import { catalogRefreshCommand } from "./catalog-refresh";

const isSection = (s: string): s is CatalogSection => (CATALOG_SECTIONS as readonly string[]).includes(s);

export function catalogCommand(): Command {
  const command = new Command("catalog")
    .addArgument(new Argument("[section]", `one of ${CATALOG_SECTIONS.join(", ")}`).default("chains"))
    .description("list what the catalog knows: chains, clients, providers and regions, prices (with sources and dates)")
    .addOption(formatOption(["table", "json"]))
    .addOption(upgradeWindowOption())
    .action((section: string, opts: OutputOptions & { upgradeWindow: number }) => {
      if (!isSection(section)) {
        throw new UsageError([
          {
            path: "catalog",
            message:
              `unknown section '${section}'` +
              `${didYouMean(section, CATALOG_SECTIONS)}; use one of ${CATALOG_SECTIONS.join(", ")}`,
          },
        ]);
      }
      const catalog = loadCatalog();
      const readiness = { now: new Date(), windowDays: opts.upgradeWindow };
      emit(
        opts.format === "json"
          ? JSON.stringify(catalogJson(catalog, section, readiness), null, 2)
          : catalogTable(catalog, section, readiness),
      );
    });
  command.addCommand(catalogRefreshCommand());
  return withExamples(command, [
    ["sovereign catalog", "the chains, their networks, clients and hardware profiles"],
    ["sovereign catalog prices --format json", "every price with its source and date"],
    ["sovereign catalog images", "pinned client images, their age and readiness for each network upgrade"],
    ["sovereign catalog refresh", "what upstream released since each pin (GitHub releases, registry tags)"],
  ]);
}
