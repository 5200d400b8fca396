import type { BareMetalHost } from "../fleet-spec/schema";

/** Months a setup fee is spread over when the spec does not say. */
export const DEFAULT_SETUP_MONTHS = 12;

/** What a rented host costs per month, its one-time setup fee spread over the term the spec states. */
export function hostMonthlyUsd(host: Pick<BareMetalHost, "monthlyUsd" | "setupUsd" | "setupMonths">): number {
  const setup = (host.setupUsd ?? 0) / (host.setupMonths ?? DEFAULT_SETUP_MONTHS);
  return host.monthlyUsd + setup;
}
