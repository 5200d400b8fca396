/**
 * Akash unit prices refreshed from the Akash Console's public price estimate (POST /v1/pricing, no
 * key), kept in a dated file `catalog/providers/akash-pricing/<YYYY-MM-DD>.yaml`. The loader lets
 * the newest such file override the CPU and memory prices of catalog/providers/akash.yaml; with
 * no file the bundled figures stand (offline is the default). Pure: the caller fetches.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { z } from "zod";
import { Sourced } from "./schema";

export const AKASH_PRICING_DIR = "akash-pricing";

/** The specs asked for: large units, so the Console's rounding to cents costs little precision. */
export const PRICING_SPECS = [
  { cpu: 100_000, memory: 0, storage: 0 },          // 100 CPU threads
  { cpu: 0, memory: 100e9, storage: 0 },            // 100 GB memory
] as const;

const PriceFile = z.strictObject({
  cpuUsdPerThreadMonth: Sourced.extend({ value: z.number().nonnegative() }),
  memoryUsdPerGbMonth: Sourced.extend({ value: z.number().nonnegative() }),
});
export type AkashPriceFile = z.infer<typeof PriceFile>;

/** The dated file's content from the Console's answers to PRICING_SPECS. */
export function akashPriceFile(estimates: Array<{ akash: number }>, url: string, date: string): string {
  if (estimates.length !== PRICING_SPECS.length) throw new Error(`the Console answered ${estimates.length} estimates for ${PRICING_SPECS.length} specs`);
  const source = { source: `Akash Console POST ${url}/v1/pricing (its Akash estimate)`, asOf: date, estimate: true };
  const file: AkashPriceFile = {
    cpuUsdPerThreadMonth: { value: estimates[0].akash / 100, ...source },
    memoryUsdPerGbMonth: { value: estimates[1].akash / 100, ...source },
  };
  return `# Refreshed by \`sovereign akash-prices --refresh\`; overrides CPU and memory of akash.yaml.\n${stringify(file)}`;
}

/** The newest dated price file in `<providersDir>/akash-pricing/`, if any. */
export function newestAkashPrices(providersDir: string): AkashPriceFile | undefined {
  let files: string[];
  try { files = readdirSync(join(providersDir, AKASH_PRICING_DIR)).filter((f) => /^\d{4}-\d{2}-\d{2}\.yaml$/.test(f)).sort(); } catch { return undefined; }
  const newest = files.at(-1);
  if (!newest) return undefined;
  const file = join(providersDir, AKASH_PRICING_DIR, newest);
  const result = PriceFile.safeParse(parse(readFileSync(file, "utf8")));
  if (!result.success) throw new Error(`${file}: ${result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  return result.data;
}
