/**
 * Stack policy `budget`: the stack's monthly cost, priced by `sovereign cost`'s code from the
 * catalog (core/costs/resources.ts), stays at most `monthlyUsd`. Off until a budget is configured.
 * Unpriced resources are named in the message: the figure is a floor, never an invented total.
 */
import type { StackValidationPolicy } from "@pulumi/policy";
import { priceResources } from "../../core/costs/resources";
import { catalog, readStack } from "../lib";

export interface BudgetConfig {
  monthlyUsd?: number;
}

export const budget: StackValidationPolicy = {
  name: "budget",
  description: "The stack's monthly cost (on-demand catalog prices) stays within the configured budget.",
  enforcementLevel: "mandatory",
  severity: "medium",
  remediationSteps:
    "Run `pulumi preview --json > preview.json && sovereign cost preview.json` to see what costs what; " +
    "use smaller shapes or disks, fewer nodes, or raise budget.monthlyUsd in the policy pack config.",
  configSchema: {
    properties: {
      monthlyUsd: {
        type: "number",
        exclusiveMinimum: 0,
        description: "Monthly budget in USD. @default none (policy off)",
      },
    },
  },
  validateStack: (args, report) => {
    const { monthlyUsd } = args.getConfig<BudgetConfig>();
    if (monthlyUsd === undefined) return;
    const estimate = priceResources(readStack(args), catalog());
    if (estimate.totalMonthlyCost <= monthlyUsd) return;
    const top = estimate.resources
      .filter((r) => r.monthlyCost)
      .sort((a, b) => (b.monthlyCost ?? 0) - (a.monthlyCost ?? 0))
      .slice(0, 3)
      .map((r) => `${r.name} $${(r.monthlyCost ?? 0).toFixed(2)}`);
    const unpriced = estimate.summary.unpriced
      ? `; ${estimate.summary.unpriced} resource(s) not priced, so the real cost is higher`
      : "";
    report(
      `Budget exceeded on the stack: $${estimate.totalMonthlyCost.toFixed(2)}/month is above the budget of $${monthlyUsd.toFixed(2)} ` +
        `(largest: ${top.join(", ")})${unpriced}. Fix: use smaller shapes or fewer nodes, or raise monthlyUsd.`,
    );
  },
};
