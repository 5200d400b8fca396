/**
 * `npm run bench:grid`: the planner at real scale. For each grid point (sites x chain entries, see
 * bench/grid.ts): the median time to a proven optimal plan, the greedy baseline's cost beside it
 * (measured in the same run), and the median time to explain an infeasible spec (the same fleet with
 * a budget 1% below its optimum). GRID_RUNS (default 5) timed runs per point; GRID_SITES (e.g.
 * "30,200") and GRID_CHAINS (e.g. "2") pick points; GRID_EXPLAIN=0 skips the infeasible spec.
 */
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
/** Targets of issue 7 §7 (ms), per `sites x chains`. */
const TARGETS: Record<string, number> = { "1000x20": 5000, "200x20": 1000 };

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const ms = (x: number) => x.toFixed(0);
const usd = (x: number) => x.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });

async function timed<T>(runs: number, fn: () => Promise<T>): Promise<{ times: number[]; last: T }> {
  const times: number[] = [];
  let last!: T;
  for (let r = 0; r < runs; r++) {
    const t = performance.now();
    last = await fn();
    times.push(performance.now() - t);
  }
  return { times, last };
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
      const { times, last: plan } = await timed<Plan>(RUNS, () => planFleet(fleet, catalog));
      if (!plan.policy.satisfied || plan.nodes.length !== nodes) throw new Error(`${key}: the plan breaks the policy`);
      const solver = plan.solver as Plan["solver"] & { gap?: number };
      let t = performance.now();
      const g = greedy(fleet, catalog);
      const greedyMs = performance.now() - t;
      const ratio = g.ok ? (g.monthlyUsd / plan.totals.monthlyUsd).toFixed(3) : `fails (${g.reason})`;

      let explain = "skipped";
      let explainMs = NaN;
      if (EXPLAIN) {
        const budget = Math.floor(plan.totals.monthlyUsd * 0.99);
        const tight = resolveFleet(validateFleetObject(gridSpec(sites, chains, budget)), catalog);
        const { times: et, last: reasons } = await timed(RUNS, async () => {
          try {
            await planFleet(tight, catalog);
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
        explain = `${reasons.length} reason(s)`;
      }
      const med = median(times);
      if (process.env.BENCH_VERBOSE) console.error(`${key}: plan ${times.map(ms).join(", ")} ms; solver ${JSON.stringify(plan.solver)}`);
      rows.push(`| ${sites.toLocaleString("en-US")} | ${chains} | ${nodes} | ${ms(med)} | ${ms(Math.max(...times))} | ${solver.optimal ? "yes" : "no"} | ${solver.gap ?? "-"} | ${usd(plan.totals.monthlyUsd)} | ${g.ok ? usd(g.monthlyUsd) : "-"} | ${ratio} | ${ms(greedyMs)} | ${EXPLAIN ? ms(explainMs) : "-"} | ${explain} |`);
      const target = TARGETS[key];
      if (target !== undefined) {
        verdicts.push(`${key}: plan ${ms(med)} ms ${med < target && solver.optimal ? "<" : "NOT <"} ${target} ms (proven optimal: ${solver.optimal})` +
          (EXPLAIN ? `; explanation ${ms(explainMs)} ms ${explainMs < target ? "<" : "NOT <"} ${target} ms` : ""));
      }
    }
  }
  console.log(`Planning grid: median of ${RUNS} runs per point (HiGHS loaded and warmed once, not counted).\n`);
  console.log("| sites | chains | nodes | plan median ms | plan max ms | proven optimal | MIP gap | optimum $/month | greedy $/month | greedy/optimum | greedy ms | explain median ms | explanation |");
  console.log("|---:|---:|---:|---:|---:|:-:|---:|---:|---:|---:|---:|---:|---|");
  for (const r of rows) console.log(r);
  if (verdicts.length) console.log(`\nTargets:\n${verdicts.map((v) => `- ${v}`).join("\n")}`);
}

main().catch((e) => { console.error(e instanceof Error ? e.message : e); process.exitCode = 1; });
