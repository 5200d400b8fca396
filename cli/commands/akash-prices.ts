import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { Command } from "commander";
import { AkashConsole, DEFAULT_CONSOLE_URL, redactUrl } from "../../core/akash/console-api";
import { AKASH_PRICING_DIR, akashPriceFile } from "../../core/catalog/akash-pricing";
import { quote } from "../../core/errors";
import { DEFAULT_CATALOG_DIR } from "../../core/catalog/load";
import { UsageError } from "../errors";
import { withExamples } from "../options";
import { emit } from "../output";

/** An http(s) URL without credentials: fetch refuses them, and the URL is written into the catalog. */
function consoleUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError([{ path: "--api", message: `${quote(value)} is not a URL; e.g. ${DEFAULT_CONSOLE_URL}` }]);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:")
    throw new UsageError([{ path: "--api", message: `${quote(url.protocol)} is not http or https` }]);
  if (url.username || url.password)
    throw new UsageError([
      {
        path: "--api",
        message: `${quote(redactUrl(value))} holds a user name or password; the pricing endpoint needs none: remove it`,
      },
    ]);
  return value;
}

function seconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > 300)
    throw new UsageError([{ path: "--timeout", message: `${quote(value)} is not a number of seconds from 0 to 300` }]);
  return n;
}

export function akashPricesCommand(): Command {
  const command = new Command("akash-prices")
    .description(
      "refresh Akash CPU and memory prices from the Akash Console's public estimate (POST /v1/pricing, no key) into a dated catalog file",
    )
    .option("--refresh", "ask the Console (the only network call Sovereign's CLI makes, and only with this flag)")
    .option("--api <url>", "Console API base URL", consoleUrl, DEFAULT_CONSOLE_URL)
    .option("--timeout <seconds>", "give up on a Console that does not answer within this", seconds, 10)
    .option("--catalog <dir>", "catalog directory to write into", DEFAULT_CATALOG_DIR)
    .action(async (opts: { refresh?: boolean; api: string; timeout: number; catalog: string }) => {
      if (!opts.refresh)
        throw new UsageError([
          { path: "--refresh", message: "prices stay offline unless asked: add --refresh to ask the Akash Console" },
        ]);
      // Nothing is written unless the whole answer passed PricingAnswer.
      const estimates = await new AkashConsole({ baseUrl: opts.api, attempts: 2, timeoutMs: opts.timeout * 1000 })
        .pricing()
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
