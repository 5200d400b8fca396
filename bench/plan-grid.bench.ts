/**
 * `npm run bench:grid`: the planner at real scale. For each grid point (sites x chain entries, see
 * bench/grid.ts): the median time to a proven optimal plan, the greedy baseline's cost beside it
 * (measured in the same run), and the median time to explain an infeasible spec (the same fleet with
 * a budget 1% below its optimum). Wall time and this process's CPU time are both printed: on a shared
 * machine (load well above its cores) wall time mostly measures the other processes, CPU time the
 * planner. GRID_RUNS (default 5) timed runs per point; GRID_SITES (e.g. "30,200") and GRID_CHAINS
 * (e.g. "2") pick points; GRID_EXPLAIN=0 skips the infeasible spec; GRID_TIME_LIMIT (seconds, default
 * 600) replaces the planner's 30 s default, so a loaded machine still measures proven optima.
 */
import { cpus, loadavg } from "node:os";
import { loadCatalog } from "../core/catalog/load";
import { InfeasibleError } from "../core/errors";
import { validateFleetObject } from "../core/fleet-spec/parse";
import { resolveFleet } from "../core/fleet-spec/resolve";
import type { Plan } from "../core/plan";
import { planFleet } from "../core/planner/plan";
import { gridSpec } from "./grid";
import { greedy } from "./greedy";

const RUNS = Math.max(1, Number(process.env.GRID_RUNS ?? 5));
const SITES = (process.env.GRID_SITES ?? "30,200,1000").split(",").map(Number);
const CHAINS = (process.env.GRID_CHAINS ?? "2,20").split(",").map(Number);
const EXPLAIN = process.env.GRID_EXPLAIN !== "0";
const OPTIONS = { timeLimitSeconds: Number(process.env.GRID_TIME_LIMIT ?? 600) };
/** Targets of issue 7 §7 (ms), per `sites x chains`. */
const TARGETS: Record<string, number> = { "1000x20": 5000, "200x20": 1000 };

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const ms = (x: number) => x.toFixed(0);
/** A planner time as a multiple of the greedy baseline's. */
const timesGreedy = (x: number, greedyMs: number) => `${(x / Math.max(greedyMs, 0.001)).toFixed(1)}x`;
const usd = (x: number) => x.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });

async function timed<T>(runs: number, fn: () => Promise<T>): Promise<{ times: number[]; cpu: number[]; last: T }> {
  const times: number[] = [];
  const cpu: number[] = [];
  let last!: T;
  for (let r = 0; r < runs; r++) {
    const t = performance.now();
    const c = process.cpuUsage();
    last = await fn();
    const used = process.cpuUsage(c);
    times.push(performance.now() - t);
    cpu.push((used.user + used.system) / 1000);
  }
  return { times, cpu, last };
}

async function main() {
  const catalog = loadCatalog();
  // Load and warm the HiGHS WebAssembly outside the timings (a one-off per process).
  await planFleet(resolveFleet(validateFleetObject(gridSpec(30, 2)), catalog), catalog);

  const rows: string[] = [];
  const verdicts: string[] = [];
  for (const sites of SITES) {
    for (const chains of CHAINS) {
      const key = `${sites}x${chains}`;
      const fleet = resolveFleet(validateFleetObject(gridSpec(sites, chains)), catalog);
      const nodes = fleet.groups.reduce((a, g) => a + g.count, 0);
      const { times, cpu, last: plan } = await timed<Plan>(RUNS, () => planFleet(fleet, catalog, OPTIONS));
      if (!plan.policy.satisfied || plan.nodes.length !== nodes) throw new Error(`${key}: the plan breaks the policy`);
      const solver = plan.solver as Plan["solver"] & { gap?: number };
      // The baseline timed like the planner (median of as many runs), so the ratios compare like with like.
      const { times: gt, last: g } = await timed(RUNS, async () => greedy(fleet, catalog));
      const greedyMs = median(gt);
      const ratio = g.ok ? (g.monthlyUsd / plan.totals.monthlyUsd).toFixed(3) : `fails (${g.reason})`;

      let explain = "skipped";
      let explainMs = NaN;
      let explainCpu = NaN;
      if (EXPLAIN) {
        const budget = Math.floor(plan.totals.monthlyUsd * 0.99);
        const tight = resolveFleet(validateFleetObject(gridSpec(sites, chains, budget)), catalog);
        const {
          times: et,
          cpu: ec,
          last: reasons,
        } = await timed(RUNS, async () => {
          try {
            await planFleet(tight, catalog, OPTIONS);
          } catch (e) {
            if (e instanceof InfeasibleError) return e.reasons;
            throw e;
          }
          throw new Error(`${key}: a budget 1% below the optimum found a plan`);
        });
        if (!reasons.some((r) => r.startsWith(`budget.monthlyUsd ${budget} is below the cheapest plan`))) {
          throw new Error(`${key}: the explanation does not name the budget: ${reasons.join("; ")}`);
        }
        explainMs = median(et);
        explainCpu = median(ec);
        const baseline = greedy(tight, catalog);
        explain = `${reasons.length} reason(s); greedy: ${baseline.ok ? `a plan of ${usd(baseline.monthlyUsd)}` : "no plan"}`;
      }
      const med = median(times);
      if (process.env.BENCH_VERBOSE)
        console.error(`${key}: plan ${times.map(ms).join(", ")} ms; solver ${JSON.stringify(plan.solver)}`);
      const medCpu = median(cpu);
      rows.push(
        `| ${sites.toLocaleString("en-US")} | ${chains} | ${nodes} | ${ms(med)} | ${ms(medCpu)} | ${solver.optimal ? "yes" : "no"} | ${solver.gap ?? "-"} | ${usd(plan.totals.monthlyUsd)} | ${g.ok ? usd(g.monthlyUsd) : "-"} | ${ratio} | ${ms(greedyMs)} | ${timesGreedy(med, greedyMs)} | ${EXPLAIN ? ms(explainMs) : "-"} | ${EXPLAIN ? ms(explainCpu) : "-"} | ${EXPLAIN ? timesGreedy(explainMs, greedyMs) : "-"} | ${explain} |`,
      );
      const target = TARGETS[key];
      if (target !== undefined) {
        const verdict = (x: number) => (x < target ? "<" : "NOT <");
        verdicts.push(
          `${key}: plan wall ${ms(med)} ms / CPU ${ms(medCpu)} ms ${verdict(medCpu)} ${target} ms (proven optimal: ${solver.optimal})` +
            (EXPLAIN
              ? `; explanation wall ${ms(explainMs)} ms / CPU ${ms(explainCpu)} ms ${verdict(explainCpu)} ${target} ms`
              : ""),
        );
      }
    }
  }
  console.log(
    `Planning grid: median of ${RUNS} runs per point (HiGHS loaded and warmed once, not counted); load average ${loadavg()[0].toFixed(1)} on ${cpus().length} cores.\n`,
  );
  console.log(
    "| sites | chains | nodes | plan wall ms | plan CPU ms | proven optimal | MIP gap | optimum $/month | greedy $/month | greedy/optimum | greedy ms | plan/greedy time | explain wall ms | explain CPU ms | explain/greedy time | explanation (budget 1% under the optimum) |",
  );
  console.log("|---:|---:|---:|---:|---:|:-:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
  for (const r of rows) console.log(r);
  if (verdicts.length) console.log(`\nTargets:\n${verdicts.map((v) => `- ${v}`).join("\n")}`);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
