import highsLoader from "highs";
import { setFlagsFromString } from "node:v8";

type Highs = Awaited<ReturnType<typeof highsLoader>>;
let instance: Promise<Highs> | undefined;

export interface Solution {
  status: "optimal" | "infeasible" | "other";
  detail: string;
  objective: number;
  values: Map<string, number>;
}

/** Solves a CPLEX-LP model with HiGHS (exact MILP, deterministic for the same input). */
export async function solveLp(lp: string): Promise<Solution> {
  instance ??= loadHighs();
  let raw: ReturnType<Highs["solve"]>;
  try {
    raw = (await instance).solve(lp, { mip_rel_gap: 0, output_flag: false, random_seed: 0 });
  } catch (e) {
    // The WASM heap of highs-js can be left unusable by a failed solve; start a fresh one next time.
    instance = undefined;
    throw e;
  }
  const status = raw.Status === "Optimal" ? "optimal" : raw.Status === "Infeasible" ? "infeasible" : "other";
  const values = new Map<string, number>();
  if (status === "optimal") for (const [name, col] of Object.entries(raw.Columns)) values.set(name, Math.round((col as { Primal: number }).Primal));
  return { status, detail: raw.Status, objective: status === "optimal" ? raw.ObjectiveValue : NaN, values };
}

/**
 * V8 runs WebAssembly with its baseline compiler first and recompiles hot functions with its optimising
 * compiler. HiGHS is big: with V8's default tiering budget that recompilation costs 2-3 s of CPU inside
 * the first large solve of a process, which is all a one-shot CLI run does (1,000 nodes: ~3.4 s cold
 * vs ~0.7 s warm). A larger budget optimises only the really hot functions: ~1.3 s cold, warm about
 * the same. Only the JIT strategy changes, not HiGHS or its results. Must run before the module compiles.
 */
function loadHighs(): Promise<Highs> {
  if (!process.execArgv.some((a) => a.startsWith("--wasm-tiering-budget"))) setFlagsFromString("--wasm-tiering-budget=500000000");
  return highsLoader();
}
