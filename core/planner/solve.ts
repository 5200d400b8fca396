import highsLoader from "highs";
import { setFlagsFromString } from "node:v8";
import type { ModelArrays } from "./lp";

type Highs = Awaited<ReturnType<typeof highsLoader>>;
let instance: Promise<Highs> | undefined;

export interface Solution {
  /**
   * `limit`: the time limit stopped the search; `values` then hold the best plan found, if any.
   * `bound`: no plan costs less than `objectiveBound`. `target`: a plan reached `objectiveTarget`.
   */
  status: "optimal" | "infeasible" | "limit" | "bound" | "target" | "other";
  detail: string;
  objective: number;
  /** Column values, rounded to integers; empty without a feasible solution. */
  values: Float64Array;
  /** Proven relative MIP gap (0 when optimal; Infinity without a plan or a bound). */
  gap: number;
  dualBound: number;
  /** Branch-and-bound nodes searched. */
  nodes: number;
}

export interface SolveOptions {
  /** Wall-clock limit for HiGHS, in seconds. @default no limit */
  timeLimitSeconds?: number;
  /** Stop as soon as no plan can cost less than this (the search proves it, or finds one below). */
  objectiveBound?: number;
  /** Stop at the first plan costing at most this (the caller knows it is a lower bound). */
  objectiveTarget?: number;
  /** Solve the linear relaxation only (integrality dropped): a lower bound in a fraction of the time. */
  linearOnly?: boolean;
}

const DETAIL: Record<number, string> = {
  7: "Optimal",
  8: "Infeasible",
  9: "Primal infeasible or unbounded",
  10: "Unbounded",
  11: "Objective bound reached",
  12: "Objective target reached",
  13: "Time limit reached",
  14: "Iteration limit reached",
  17: "Interrupted",
};

/** Solves a MILP with HiGHS (exact: relative gap 0; deterministic for the same input). */
export async function solveModel(model: ModelArrays, options: SolveOptions = {}): Promise<Solution> {
  instance ??= loadHighs();
  const highs = await instance;
  const inf = highs.infinity;
  const bound = (xs: Float64Array) => xs.map((x) => (x === Infinity ? inf : x === -Infinity ? -inf : x));
  let solver: ReturnType<Highs["createModel"]> | undefined;
  try {
    solver = highs.createModel({
      ...model,
      colLower: bound(model.colLower),
      colUpper: bound(model.colUpper),
      rowLower: bound(model.rowLower),
      rowUpper: bound(model.rowUpper),
      integrality: options.linearOnly ? new Int32Array(model.numCols) : model.integrality,
    });
    solver.options.set({
      mip_rel_gap: 0,
      output_flag: false,
      random_seed: 0,
      // Feasibility jump spends a third of a large planning solve finding a plan far from the
      // optimum (4x its cost on the planning grid) that the root LP's sub-MIP then beats anyway.
      mip_heuristic_run_feasibility_jump: false,
      ...(options.timeLimitSeconds !== undefined ? { time_limit: options.timeLimitSeconds } : {}),
      ...(options.objectiveBound !== undefined ? { objective_bound: options.objectiveBound } : {}),
      ...(options.objectiveTarget !== undefined ? { objective_target: options.objectiveTarget } : {}),
    });
    const code = solver.run().modelStatus as number;
    const status =
      code === 7
        ? "optimal"
        : code === 8 || code === 9
          ? "infeasible"
          : code === 11
            ? "bound"
            : code === 12
              ? "target"
              : code === 13 || code === 14 || code === 17
                ? "limit"
                : "other";
    const info = (name: string) => {
      try {
        return Number(solver!.info.get(name));
      } catch {
        return NaN;
      }
    };
    const hasPlan =
      status === "optimal" ||
      ((status === "limit" || status === "target") && Number(info("primal_solution_status")) === 2);
    const values = !hasPlan
      ? new Float64Array(0)
      : options.linearOnly
        ? solver.getSolution().colValue
        : solver.getSolution().colValue.map(Math.round);
    const objective = hasPlan ? model.colCost.reduce((a, c, i) => a + c * values[i], 0) : NaN;
    const gap = status === "optimal" ? 0 : hasPlan && Number.isFinite(info("mip_gap")) ? info("mip_gap") : Infinity;
    return {
      status,
      detail: DETAIL[code] ?? `HiGHS model status ${code}`,
      objective,
      values,
      gap,
      dualBound: info("mip_dual_bound"),
      nodes: info("mip_node_count"),
    };
  } catch (e) {
    // The WASM heap of highs-js can be left unusable by a failed solve; start a fresh one next time.
    instance = undefined;
    throw e;
  } finally {
    if (solver && !solver.disposed) solver.dispose();
  }
}

/**
 * V8 runs WebAssembly with its baseline compiler first and recompiles hot functions with its optimising
 * compiler. HiGHS is big: with V8's default tiering budget that recompilation costs 2-3 s of CPU inside
 * the first large solve of a process, which is all a one-shot CLI run does (1,000 nodes: ~3.4 s cold
 * vs ~0.7 s warm). A larger budget optimises only the really hot functions: ~1.3 s cold, warm about
 * the same. Only the JIT strategy changes, not HiGHS or its results. Must run before the module compiles.
 */
function loadHighs(): Promise<Highs> {
  if (!process.execArgv.some((a) => a.startsWith("--wasm-tiering-budget")))
    setFlagsFromString("--wasm-tiering-budget=500000000");
  return highsLoader();
}
