/**
 * `npm run bench`: planning time for 10, 100 and 1,000 nodes over 34 candidate sites, the proof of
 * optimality (HiGHS status Optimal at mip_rel_gap 0, solved again to read the MIP gap and dual
 * bound), and the cost of a greedy baseline next to the optimum. `npm run bench:grid` is the scale grid.
 * BENCH_RUNS (default 7) sets the timed runs per size; BENCH_SIZES (e.g. "10,100") the sizes.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import highsLoader from "highs";
import { alternativesIn } from "../core/catalog/load";
import { stringify } from "yaml";
import { loadCatalog } from "../core/catalog/load";
import { candidatesFor } from "../core/planner/candidates";
import { buildModel } from "../core/planner/model";
import { planFleet } from "../core/planner/plan";
import { type Plan } from "../core/plan";
import { solveModel } from "../core/planner/solve";
import { validateFleetObject } from "../core/fleet-spec/parse";
import { resolveFleet, type Fleet } from "../core/fleet-spec/resolve";
import { benchSpec } from "./fleet";
import { greedy } from "./greedy";

const RUNS = Math.max(5, Number(process.env.BENCH_RUNS ?? 7));
const SIZES = (process.env.BENCH_SIZES ?? "10,100,1000").split(",").map(Number);
const TARGET_MS = 2000;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const ms = (x: number) => x.toFixed(0);
const usd = (x: number) => x.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** Solves the plan's own MILP again to read the gap, the dual bound and the branch-and-bound nodes. */
async function proveOptimal(fleet: Fleet) {
  const catalog = loadCatalog();
  const model = buildModel(fleet, candidatesFor(fleet, catalog).list, alternativesIn(catalog));
  const s = await solveModel(model.lp.arrays());
  return {
    optimal: s.status === "optimal",
    modelStatus: s.detail,
    gap: s.gap,
    dualBound: s.dualBound,
    objective: s.objective,
    nodes: s.nodes,
  };
}

/** Median time of each phase over `runs` runs: pricing the candidates, building the model, HiGHS. */
async function phases(fleet: Fleet, runs: number) {
  const catalog = loadCatalog();
  const alternatives = alternativesIn(catalog);
  const t = { candidates: [] as number[], model: [] as number[], solve: [] as number[] };
  let columns = 0;
  let rows = 0;
  let nonzeros = 0;
  for (let r = 0; r < runs; r++) {
    let t0 = performance.now();
    const candidates = candidatesFor(fleet, catalog).list;
    t.candidates.push(performance.now() - t0);
    t0 = performance.now();
    const model = buildModel(fleet, candidates, alternatives);
    const arrays = model.lp.arrays();
    t.model.push(performance.now() - t0);
    t0 = performance.now();
    await solveModel(arrays);
    t.solve.push(performance.now() - t0);
    columns = arrays.numCols;
    rows = arrays.numRows;
    nonzeros = arrays.matrix.values.length;
  }
  return {
    tCandidates: median(t.candidates),
    tModel: median(t.model),
    tSolve: median(t.solve),
    columns,
    rows,
    nonzeros,
  };
}

/** `sovereign plan` end to end in a fresh process (node start, catalog, cold WebAssembly), as a user runs it. */
function cliMs(n: number, runs: number): number[] {
  const dir = mkdtempSync(join(tmpdir(), "sovereign-bench-"));
  try {
    const file = join(dir, `bench-${n}.yaml`);
    writeFileSync(file, stringify(benchSpec(n)));
    const cli = join(__dirname, "..", "bin", "sovereign.js");
    return Array.from({ length: runs }, () => {
      const t = performance.now();
      execFileSync(process.execPath, [cli, "plan", file, "--format", "json"], {
        stdio: ["ignore", "ignore", "pipe"],
        maxBuffer: 1 << 28,
      });
      return performance.now() - t;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  const catalog = loadCatalog();
  // Load the HiGHS WebAssembly once, outside the timings (a one-off per process).
  let t = performance.now();
  await planFleet(resolveFleet(validateFleetObject(benchSpec(10)), catalog), catalog);
  const wasmMs = performance.now() - t;

  const rows: string[] = [];
  const details: string[] = [];
  let slowest = 0;
  for (const n of SIZES) {
    const fleet = resolveFleet(validateFleetObject(benchSpec(n)), catalog);
    const sites = fleet.sites.length;
    const times: number[] = [];
    let plan: Plan | undefined;
    for (let r = 0; r < RUNS; r++) {
      t = performance.now();
      plan = await planFleet(fleet, catalog);
      times.push(performance.now() - t);
    }
    const p = plan!;
    if (p.solver.status !== "Optimal" || !p.policy.satisfied || p.nodes.length !== n)
      throw new Error(`n=${n}: plan not optimal or breaks the policy`);
    const proof = await proveOptimal(fleet);
    if (!proof.optimal || proof.gap > 1e-9 || Math.abs(proof.objective - p.totals.monthlyUsd) > 0.01 * n) {
      throw new Error(`n=${n}: optimality not proven: ${JSON.stringify(proof)} vs plan ${p.totals.monthlyUsd}`);
    }
    t = performance.now();
    const g = greedy(fleet, catalog);
    const greedyMs = performance.now() - t;
    const ph = await phases(fleet, RUNS);
    const cli = cliMs(n, 3);
    const med = median(times);
    if (process.env.BENCH_VERBOSE) console.error(`n=${n}: ${times.map(ms).join(", ")} ms`);
    slowest = Math.max(slowest, med);
    rows.push(
      `| ${n.toLocaleString("en-US")} | ${sites} | ${ms(med)} | ${ms(Math.max(...times))} | ${usd(p.totals.monthlyUsd)} | ${g.ok ? usd(g.monthlyUsd) : "fails"} | ${g.ok ? (g.monthlyUsd / p.totals.monthlyUsd).toFixed(3) : `n/a (${g.reason})`} |`,
    );
    details.push(
      `| ${n.toLocaleString("en-US")} | ${fleet.groups.length} | ${ph.columns} | ${ph.rows} | ${ph.nonzeros} | ${ms(ph.tCandidates)} | ${ms(ph.tModel)} | ${ms(ph.tSolve)} | ${ms(Math.max(0, med - ph.tCandidates - ph.tModel - ph.tSolve))} | ${proof.gap} | ${usd(proof.dualBound)} | ${proof.nodes} | ${ms(greedyMs)} | ${ms(median(cli))} |`,
    );
  }

  console.log(
    `Planning benchmark: median of ${RUNS} runs per size, HiGHS ${(await highsLoader()).version.string} (WebAssembly, loaded once in ${ms(wasmMs)} ms, not counted).\n`,
  );
  console.log("| nodes | sites | median ms | p-max ms | optimum $/month | greedy $/month | greedy/optimum |");
  console.log("|---:|---:|---:|---:|---:|---:|---:|");
  for (const r of rows) console.log(r);
  console.log(
    `\nWhere the time goes (medians of ${RUNS} more runs per phase; other = plan median minus the phases: client spread, node naming, metrics) and the optimality proof:\n`,
  );
  console.log(
    "| nodes | groups | columns | rows | nonzeros | candidates ms | model ms | HiGHS ms | other ms | MIP gap | dual bound $ | B&B nodes | greedy ms | CLI plan ms (fresh process, median of 3) |",
  );
  console.log("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
  for (const d of details) console.log(d);
  console.log(
    `\nTarget: 1,000 nodes to proven optimality in < ${TARGET_MS} ms: ${slowest < TARGET_MS ? "met" : "NOT met"} (slowest median ${ms(slowest)} ms).`,
  );
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
