/** The plan contract (types) and the plan assembler shared by the planner and saved-plan readers. */
export * from "./types";
export { assemble } from "./assemble";
export { budgetCheck, money, shareHostPrice, usd, withinBudget } from "./money";
