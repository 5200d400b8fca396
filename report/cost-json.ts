/**
 * `sovereign cost --format json`: Infracost's JSON format (version 0.2), so tools that read
 * Infracost output (comment bots, dashboards, `infracost diff --compare-to`) read ours. Like
 * Infracost, money and quantities are decimal strings, and null where unknown.
 */
import type { CostDiff } from "../core/costs/diff";
import type { CostComponent, CostEstimate, PricedResource } from "../core/costs/resources";
import { HOURS_PER_MONTH } from "../core/catalog/schema";

export interface CostReport {
  /** The project: the file priced (Infracost names projects by path). */
  project: string;
  estimate: CostEstimate;
  diff?: CostDiff;
  budget?: number;
}

const dec = (n: number | null | undefined): string | null =>
  n === null || n === undefined ? null : String(Math.round(n * 1e6) / 1e6);
const hourly = (n: number | null) => (n === null ? null : n / HOURS_PER_MONTH);

function componentJson(c: CostComponent) {
  return {
    name: c.name,
    unit: c.unit,
    hourlyQuantity: dec(c.monthlyQuantity === null ? null : c.monthlyQuantity / HOURS_PER_MONTH),
    monthlyQuantity: dec(c.monthlyQuantity),
    price: dec(c.price),
    hourlyCost: dec(hourly(c.monthlyCost)),
    monthlyCost: dec(c.monthlyCost),
    ...(c.usageBased ? { usageBased: true } : {}),
  };
}

function resourceJson(r: PricedResource) {
  return {
    name: r.name,
    resourceType: r.resourceType,
    metadata: {
      urn: r.urn,
      provider: r.provider,
      ...(r.region ? { region: r.region } : {}),
      status: r.status,
      ...(r.notes.length ? { notes: r.notes } : {}),
    },
    tags: r.tags,
    hourlyCost: dec(hourly(r.monthlyCost)),
    monthlyCost: dec(r.monthlyCost),
    costComponents: r.costComponents.map(componentJson),
    subresources: [],
  };
}

export function costToJson(report: CostReport) {
  const e = report.estimate;
  const priced = e.resources.filter((r) => r.status !== "free" && r.status !== "unpriced");
  const usageCost = e.resources
    .flatMap((r) => r.costComponents)
    .filter((c) => c.usageBased && c.monthlyCost !== null)
    .reduce((a, c) => a + (c.monthlyCost ?? 0), 0);
  const countBy = (list: PricedResource[]) =>
    list.reduce<Record<string, number>>((acc, r) => ({ ...acc, [r.resourceType]: (acc[r.resourceType] ?? 0) + 1 }), {});
  const breakdown = {
    resources: priced.map(resourceJson),
    totalHourlyCost: dec(hourly(e.totalMonthlyCost)),
    totalMonthlyCost: dec(e.totalMonthlyCost),
    totalMonthlyUsageCost: dec(usageCost),
  };
  const unsupported = e.resources.filter((r) => r.status === "unpriced");
  const free = e.resources.filter((r) => r.status === "free");
  const summary = {
    totalDetectedResources: e.resources.length,
    totalSupportedResources: priced.length + free.length,
    totalUnsupportedResources: unsupported.length,
    totalUsageBasedResources: e.resources.filter((r) => r.costComponents.some((c) => c.usageBased)).length,
    totalNoPriceResources: free.length,
    unsupportedResourceCounts: countBy(unsupported),
    noPriceResourceCounts: countBy(free),
  };
  const d = report.diff;
  return {
    version: "0.2",
    metadata: {
      infracostCommand: "breakdown",
      generator: "sovereign cost",
      estimate: e.estimate,
      warnings: e.warnings,
    },
    currency: e.currency,
    projects: [
      {
        name: report.project,
        metadata: {
          path: report.project,
          type: "pulumi",
          unpricedResources: unsupported.map((r) => ({ name: r.name, resourceType: r.resourceType, notes: r.notes })),
        },
        pastBreakdown: d ? { totalMonthlyCost: dec(d.pastTotalMonthlyCost) } : null,
        breakdown,
        diff: d
          ? {
              resources: d.resources.map((r) => ({
                name: r.name,
                change: r.change,
                pastMonthlyCost: dec(r.before),
                monthlyCost: dec(r.after),
                diffMonthlyCost: dec(r.delta),
              })),
              totalMonthlyCost: dec(d.diffTotalMonthlyCost),
            }
          : null,
        summary,
      },
    ],
    totalHourlyCost: breakdown.totalHourlyCost,
    totalMonthlyCost: breakdown.totalMonthlyCost,
    totalMonthlyUsageCost: breakdown.totalMonthlyUsageCost,
    pastTotalMonthlyCost: d ? dec(d.pastTotalMonthlyCost) : null,
    diffTotalMonthlyCost: d ? dec(d.diffTotalMonthlyCost) : null,
    ...(report.budget !== undefined
      ? { budget: { monthlyUsd: dec(report.budget), exceeded: e.totalMonthlyCost > report.budget } }
      : {}),
    timeGenerated: new Date().toISOString(),
    summary,
  };
}
