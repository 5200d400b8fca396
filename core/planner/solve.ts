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

/** Bounds as HiGHS reads them: its own infinity for JavaScript's. */
const finite = (xs: Float64Array, inf: number) => xs.map((x) => (x === Infinity ? inf : x === -Infinity ? -inf : x));

function statusOf(code: number): Solution["status"] {
  if (code === 7) return "optimal";
  if (code === 8 || code === 9) return "infeasible";
  if (code === 11) return "bound";
  if (code === 12) return "target";
  if (code === 13 || code === 14 || code === 17) return "limit";
  return "other";
}

/** Solves a MILP with HiGHS (exact: relative gap 0; deterministic for the same input). */
export async function solveModel(model: ModelArrays, options: SolveOptions = {}): Promise<Solution> {
  instance ??= loadHighs();
  const highs = await instance;
  let solver: ReturnType<Highs["createModel"]> | undefined;
  try {
    solver = createSolver(highs, model, options.linearOnly ?? false);
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
    const status = statusOf(code);
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
 * One linear relaxation solved again with other row bounds (the explanation's relaxations drop rule
 * families): HiGHS starts each solve from the last one's basis, a fraction of a solve from scratch.
 * Holds WebAssembly memory until {@link dispose}.
 */
export class WarmLinear {
  private solver?: Promise<ReturnType<Highs["createModel"]>>;

  constructor(private readonly model: ModelArrays) {}

  /** The relaxation's optimum under these row bounds (status and objective, no values). */
  async solve(
    rowLower: Float64Array,
    rowUpper: Float64Array,
    timeLimitSeconds: number,
  ): Promise<Pick<Solution, "status" | "objective">> {
    this.solver ??= this.create();
    const solver = await this.solver;
    try {
      const inf = (await instance!).infinity;
      solver.changeRowsBounds(
        { kind: "range", from: 0, to: this.model.numRows - 1 },
        finite(rowLower, inf),
        finite(rowUpper, inf),
      );
      // HiGHS holds time_limit to the runs of one model together: each solve gets its own.
      solver.zeroAllClocks();
      solver.options.set({ time_limit: timeLimitSeconds });
      const status = statusOf(solver.run().modelStatus as number);
      return { status, objective: status === "optimal" ? solver.getObjectiveValue() : NaN };
    } catch (e) {
      // As in solveModel: a failed solve can leave the WASM heap unusable.
      instance = undefined;
      this.solver = undefined;
      throw e;
    }
  }

  async dispose(): Promise<void> {
    const solver = await this.solver?.catch(() => undefined);
    if (solver && !solver.disposed) solver.dispose();
    this.solver = undefined;
  }

  private async create(): Promise<ReturnType<Highs["createModel"]>> {
    instance ??= loadHighs();
    const solver = createSolver(await instance, this.model, true);
    solver.options.set({ output_flag: false, random_seed: 0 });
    return solver;
  }
}

function createSolver(highs: Highs, model: ModelArrays, linearOnly: boolean): ReturnType<Highs["createModel"]> {
  return highs.createModel({
    ...model,
    colLower: finite(model.colLower, highs.infinity),
    colUpper: finite(model.colUpper, highs.infinity),
    rowLower: finite(model.rowLower, highs.infinity),
    rowUpper: finite(model.rowUpper, highs.infinity),
    integrality: linearOnly ? new Int32Array(model.numCols) : model.integrality,
  });
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
