import highsLoader from "highs";

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
  instance ??= highsLoader();
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
