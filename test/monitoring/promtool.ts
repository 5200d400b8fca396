/** Runs Prometheus' own tools (promtool, amtool from Debian's packages) on rendered files (not a test file itself). */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";

export function tempDir(prefix = "sovereign-monitoring-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Runs a tool; returns its exit code and output (never throws on a non-zero exit: the test asserts it). */
export function run(tool: string, args: string[], timeoutMs = 120_000): { code: number; output: string } {
  const r = spawnSync(tool, args, { encoding: "utf8", timeout: timeoutMs });
  if (r.error) throw r.error;
  return { code: r.status ?? -1, output: `${r.stdout}${r.stderr}` };
}

/** A promtool unit test group: input series and PromQL expectations. */
export interface PromtoolTest {
  name: string;
  interval: string;
  input_series: Array<{ series: string; values: string }>;
  promql_expr_test: Array<{ expr: string; eval_time: string; exp_samples: Array<{ labels: string; value: number }> }>;
}

/** `promtool test rules` of `tests` over the rule file text. */
export function promtoolTestRules(rules: string, tests: readonly PromtoolTest[]): { code: number; output: string } {
  const dir = tempDir();
  writeFileSync(join(dir, "rules.yml"), rules);
  writeFileSync(
    join(dir, "tests.yml"),
    stringify({ rule_files: ["rules.yml"], evaluation_interval: "1m", tests }, { lineWidth: 0 }),
  );
  return run("promtool", ["test", "rules", join(dir, "tests.yml")]);
}

/** A series selector with labels, as promtool's input_series spells it. */
export const series = (name: string, labels: Record<string, string>) =>
  `${name}{${Object.entries(labels)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(", ")}}`;
