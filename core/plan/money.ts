/**
 * Money arithmetic shared by the planner and the plan's checks: the planner holds the solver's optimum
 * to the budget with {@link withinBudget}, the check a plan gets, so its own plan is never over budget. Amounts stay exact (a host may cost $150.125): they are summed as
 * given and rounded to micro-dollars only to drop float noise, never to cents.
 */
import type { PolicyCheck } from "../diversity";

/** An amount with float noise removed (micro-dollars; cents are shown by the reports). */
export const money = (usd: number): number => Math.round(usd * 1e6) / 1e6;

/**
 * How far a total may exceed the budget and still keep it: float noise of summing a fleet's prices
 * in another order, and the half micro-dollar {@link money} rounds away (so a budget written as a
 * plan's rounded total admits that plan). Far below a cent.
 */
export const BUDGET_TOLERANCE_USD = 1e-6;

export const withinBudget = (totalUsd: number, budgetUsd: number): boolean =>
  totalUsd <= budgetUsd + BUDGET_TOLERANCE_USD;

/** `$150.13`, or every digit up to micro-dollars when the amount is not whole cents (`$150.125`). */
export function usd(amount: number): string {
  const exact = money(amount);
  return Math.abs(exact * 100 - Math.round(exact * 100)) < 1e-6 ? `$${exact.toFixed(2)}` : `$${String(exact)}`;
}

/** The budget rule of a plan costing `totalUsd` (exact sum of its prices). */
export function budgetCheck(totalUsd: number, budgetUsd: number): PolicyCheck {
  return {
    rule: "budget.monthlyUsd",
    scope: "fleet",
    ok: withinBudget(totalUsd, budgetUsd),
    limit: budgetUsd,
    actual: money(totalUsd),
    message: `the plan costs ${usd(totalUsd)}/month; the budget is $${budgetUsd}`,
  };
}

/**
 * A host's price shared by its `nodes` nodes: whole cents spread evenly (the first ones carry the odd
 * cents), and any fraction of a cent on the first node, so the shares add up to the price exactly.
 */
export function shareHostPrice(priceUsd: number, nodes: number): number[] {
  const cents = Math.floor(priceUsd * 100 + 1e-7);
  const rest = money(priceUsd - cents / 100);
  return Array.from({ length: nodes }, (_, i) =>
    money((Math.floor(cents / nodes) + (i < cents % nodes ? 1 : 0)) / 100 + (i === 0 ? rest : 0)),
  );
}
