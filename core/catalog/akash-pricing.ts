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

/** Far above any Akash price (1.6 and 4.5 USD per thread-month in 2026): a figure above it is a broken answer. */
const MAX_UNIT_USD = 1000;
const UnitPrice = z.number().nonnegative().max(MAX_UNIT_USD);

const PriceFile = z.strictObject({
  cpuUsdPerThreadMonth: Sourced.extend({ value: UnitPrice }),
  memoryUsdPerGbMonth: Sourced.extend({ value: UnitPrice }),
});
export type AkashPriceFile = z.infer<typeof PriceFile>;

/**
 * The Console's answer to PRICING_SPECS (one estimate per spec, in order), as far as it is used: a
 * finite, non-negative Akash price each, at most MAX_UNIT_USD per unit once divided by 100 units.
 */
export const PricingAnswer = z
  .array(z.looseObject({ akash: z.number().nonnegative().max(MAX_UNIT_USD * 100) }))
  .length(PRICING_SPECS.length, `one estimate per spec asked (${PRICING_SPECS.length})`);
export type PricingAnswer = z.infer<typeof PricingAnswer>;

/** The dated file's content from the Console's answers to PRICING_SPECS (checked with PricingAnswer). */
export function akashPriceFile(estimates: PricingAnswer, url: string, date: string): string {
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
