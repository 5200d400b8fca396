import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { Command } from "commander";
import { AkashConsole, DEFAULT_CONSOLE_URL } from "../../core/akash/console-api";
import { AKASH_PRICING_DIR, akashPriceFile, PRICING_SPECS } from "../../core/catalog/akash-pricing";
import { DEFAULT_CATALOG_DIR } from "../../core/catalog/load";
import { UsageError } from "../errors";
import { withExamples } from "../options";
import { emit } from "../output";

export function akashPricesCommand(): Command {
  const command = new Command("akash-prices")
    .description(
      "refresh Akash CPU and memory prices from the Akash Console's public estimate (POST /v1/pricing, no key) into a dated catalog file",
    )
    .option("--refresh", "ask the Console (the only network call Sovereign's CLI makes, and only with this flag)")
    .option("--api <url>", "Console API base URL", DEFAULT_CONSOLE_URL)
    .option("--catalog <dir>", "catalog directory to write into", DEFAULT_CATALOG_DIR)
    .action(async (opts: { refresh?: boolean; api: string; catalog: string }) => {
      if (!opts.refresh)
        throw new UsageError([
          { path: "--refresh", message: "prices stay offline unless asked: add --refresh to ask the Akash Console" },
        ]);
      const estimates = await new AkashConsole({ baseUrl: opts.api, attempts: 2 })
        .pricing([...PRICING_SPECS])
        .catch((e: Error) => {
          throw new UsageError([{ path: "--api", message: e.message }]);
        });
      const date = new Date().toISOString().slice(0, 10);
      const dir = join(opts.catalog, "providers", AKASH_PRICING_DIR);
      mkdirSync(dir, { recursive: true });
      emit(akashPriceFile(estimates, opts.api.replace(/\/+$/, ""), date), join(dir, `${date}.yaml`));
    });
  return withExamples(command, [
    [
      "sovereign akash-prices --refresh",
      "write catalog/providers/akash-pricing/<today>.yaml; plans use it from then on",
    ],
  ]);
}
