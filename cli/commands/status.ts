import { Command, Option } from "commander";
import { z } from "zod";
import { alternativesIn, loadCatalog } from "../../core/catalog/load";
import { fleetStatus, JOBS, nodeStatuses, type FleetStatus, type Observed } from "../../core/monitoring";
import {
  mixedChains,
  readDeployedMonitors,
  readDeployedReleases,
  readSavedPlan,
  releaseText,
  type DeployedReleases,
} from "../../core/plan";
import { planFleet } from "../../core/planner/plan";
import { statusMarkdown, statusTable, statusToJson, type StatusView } from "../../report/status";
import { asUsage, UsageError } from "../errors";
import { loadSpec } from "../load";
import {
  deployedFleet,
  deployedOption,
  EXIT,
  formatOption,
  outOption,
  specArgument,
  withExamples,
  type OutputOptions,
  type SetExit,
} from "../options";
import { emit } from "../output";

/** The monitor's URL when --prometheus is not given (e.g. from `pulumi stack output monitorUrl`). */
const URL_ENV = "SOVEREIGN_PROMETHEUS_URL";

const Sample = z.object({
  metric: z.record(z.string(), z.string()),
  value: z.tuple([z.number(), z.string()]),
});
const VectorAnswer = z.object({
  status: z.literal("success"),
  data: z.object({ resultType: z.literal("vector"), result: z.array(Sample).max(100_000) }),
});
const AlertsAnswer = z.object({
  status: z.literal("success"),
  data: z.object({
    alerts: z
      .array(
        z.object({
          labels: z.record(z.string(), z.string()),
          annotations: z.record(z.string(), z.string()).default({}),
          state: z.string(),
        }),
      )
      .max(100_000),
  }),
});

/** A GET of the Prometheus HTTP API, bounded in time; every failure names the monitor and what to check. */
async function getJson<T>(base: URL, path: string, schema: z.ZodType<T>, timeoutMs: number): Promise<T> {
  const url = new URL(path, base);
  const where = `the monitor at ${base.origin}${base.pathname}`;
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: "application/json" } });
  } catch (e) {
    const why =
      (e as Error).name === "TimeoutError"
        ? `no answer within ${timeoutMs / 1000} s`
        : `cannot connect (${networkCause(e)})`;
    throw new UsageError(`--prometheus: ${where}: ${why}; check the URL and that the monitor is up`);
  }
  const text = await response.text();
  if (!response.ok) throw new UsageError(`--prometheus: ${where} answered HTTP ${response.status} to ${url.pathname}`);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new UsageError(`--prometheus: ${where} did not answer JSON to ${url.pathname}; is it a Prometheus server?`);
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    throw new UsageError(
      `--prometheus: ${where} answered ${url.pathname} with an unexpected shape (${parsed.error.issues[0]?.message})`,
    );
  }
  return parsed.data;
}

/** The system error under fetch's "fetch failed" (ECONNREFUSED, ENOTFOUND...). */
function networkCause(e: unknown): string {
  const cause = (e as { cause?: { code?: string; message?: string; errors?: Array<{ code?: string }> } }).cause;
  return cause?.code ?? cause?.errors?.[0]?.code ?? cause?.message ?? String(e);
}

const number = (s: z.infer<typeof Sample>) => Number(s.value[1]);

/** Scrapes (or probes) up, heads and firing alerts: what the monitor knows of each node. */
async function observe(base: URL, timeoutMs: number): Promise<Observed> {
  const query = (q: string) => getJson(base, `api/v1/query?query=${encodeURIComponent(q)}`, VectorAnswer, timeoutMs);
  const [up, heads, alerts] = await Promise.all([
    // A node without a metrics endpoint is seen by the TCP probe of its RPC port.
    query(`up{job="${JOBS.client}"} or probe_success{job="${JOBS.nodeProbe}"}`),
    query("sovereign:head_block"),
    getJson(base, "api/v1/alerts", AlertsAnswer, timeoutMs),
  ]);
  return {
    up: up.data.result.map((s) => ({ node: s.metric.node ?? "", layer: s.metric.layer ?? "", value: number(s) })),
    heads: heads.data.result.map((s) => ({ node: s.metric.node ?? "", value: number(s) })),
    alerts: alerts.data.alerts
      .filter((a) => a.state === "firing")
      .map((a) => ({ name: a.labels.alertname ?? "?", labels: a.labels, summary: a.annotations.summary ?? "" })),
  };
}

/**
 * The monitors to ask, in turn: --prometheus (or $SOVEREIGN_PROMETHEUS_URL), else every monitor of
 * the deployed stack's `monitors` output (--deployed), so one monitor down still answers; none when
 * the deployed stack has no monitor (then only what it deployed is shown).
 */
function monitorUrls(option: string | undefined, deployed: string | undefined): URL[] {
  const text = option ?? process.env[URL_ENV];
  if (text || !deployed) return [monitorUrl(text)];
  return asUsage(() => readDeployedMonitors(deployed)).map((m) => monitorUrl(m.prometheusUrl));
}

/** What no monitor tells: every node unknown. */
const NOTHING_OBSERVED: Observed = { up: [], heads: [], alerts: [] };

/** The first monitor that answers; when none does, the last one's error. */
async function observeAny(bases: URL[], timeoutMs: number): Promise<{ base: URL; observed: Observed }> {
  let last: unknown;
  for (const base of bases) {
    try {
      return { base, observed: await observe(base, timeoutMs) };
    } catch (e) {
      last = e;
    }
  }
  throw last;
}

function monitorUrl(text: string | undefined): URL {
  if (!text) {
    throw new UsageError(
      `--prometheus: give the monitor's URL (or set ${URL_ENV}, or --deployed with the stack's outputs), e.g. --prometheus http://10.8.0.5:9090`,
    );
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--prometheus: '${text.slice(0, 100)}' is not a URL; e.g. http://10.8.0.5:9090`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new UsageError(`--prometheus: use an http:// or https:// URL, got ${url.protocol}`);
  // The API paths are relative to it: a Prometheus behind a path prefix keeps the prefix.
  if (!url.pathname.endsWith("/")) url.pathname += "/";
  return url;
}

function parseSeconds(value: string): number {
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value.trim()) || n <= 0 || n > 300) {
    throw new UsageError([
      { path: "--timeout", message: `must be seconds above 0 and at most 300, got '${value.slice(0, 20)}'` },
    ]);
  }
  return n;
}

function readReleases(file: string): DeployedReleases {
  return asUsage(() => readDeployedReleases(file));
}

/** Each node's deployed release (unknown without --deployed or a record) and the chains running several. */
function withReleases(status: FleetStatus, releases: DeployedReleases | undefined, monitor?: string): StatusView {
  const nodes = status.nodes.map((n) => {
    const release = releases?.byNode[n.id];
    return release ? { ...n, release: releaseText(release) } : n;
  });
  return { ...status, nodes, monitor, releases: releases && { source: releases.source, mixed: mixedChains(nodes) } };
}

export function statusCommand(setExit: SetExit): Command {
  const command = new Command("status")
    .addArgument(specArgument())
    .description(
      "plan versus reality: read a monitor's Prometheus and show each node up, its height and lag, the release it runs (--deployed), chains whose nodes run different releases, each chain's live shares against the policy, and firing alerts; exits 1 when the live fleet breaks its policy, 2 when the monitor cannot be read, 4 when the deployed stack has no monitor (its releases are still shown)",
    )
    .addOption(new Option("--prometheus <url>", `the monitor's Prometheus (default: $${URL_ENV})`))
    .addOption(new Option("--plan <file>", "a plan saved with `plan --format json` (default: plan the spec)"))
    .addOption(deployedOption())
    .addOption(
      new Option("--timeout <seconds>", "give up on the monitor after this long").argParser(parseSeconds).default(10),
    )
    .addOption(formatOption(["table", "json", "md"]))
    .addOption(outOption())
    .action(
      async (
        specPath: string | undefined,
        opts: OutputOptions & { prometheus?: string; plan?: string; deployed?: string; timeout: number },
      ) => {
        const bases = monitorUrls(opts.prometheus, opts.deployed);
        const catalog = loadCatalog();
        const { spec, fleet, file } = loadSpec(specPath, catalog);
        // The monitor first: an unreachable one fails within --timeout, before any planning.
        const monitor = bases.length ? await observeAny(bases, opts.timeout * 1000) : undefined;
        const releases = opts.deployed === undefined ? undefined : readReleases(opts.deployed);
        const nodes = opts.plan
          ? readSavedPlan(opts.plan, catalog).nodes
          : (await planFleet(fleet, catalog, deployedFleet(opts.deployed))).nodes;
        // Without a monitor nothing is live or known to be down: no verdict over the live nodes.
        const status: FleetStatus = monitor
          ? fleetStatus(spec.policy, nodes, alternativesIn(catalog), monitor.observed)
          : { nodes: nodeStatuses(nodes, NOTHING_OBSERVED), checks: [], alerts: [], ok: false };
        const view = withReleases(status, releases, monitor?.base.href);
        const text =
          opts.format === "json"
            ? JSON.stringify(statusToJson(view, spec.name), null, 2)
            : opts.format === "md"
              ? statusMarkdown(view, spec.name)
              : statusTable(view, spec.name);
        emit(text, opts.out, [file, ...(opts.plan ? [opts.plan] : [])]);
        setExit(!monitor ? EXIT.sourceUnavailable : status.ok ? EXIT.ok : EXIT.violated);
      },
    );
  return withExamples(command, [
    ["sovereign status fleet.yaml --prometheus http://10.8.0.5:9090", "the live fleet against its plan and policy"],
    [
      "pulumi stack output --json > deployed.json && sovereign status fleet.yaml --deployed deployed.json",
      "the deployed stack: its monitors' URLs (the first that answers) and its nodes' places",
    ],
    [
      "pulumi stack export > state.json && sovereign status fleet.yaml --deployed state.json",
      "after a rollout stopped midway: which nodes run which release (the export holds each node's; the outputs only the last completed up's)",
    ],
    [
      "sovereign status fleet.yaml --prometheus http://10.8.0.5:9090 --format json || page-oncall",
      "from cron: exit 1 on a live breach, 2 when the monitor is unreachable",
    ],
  ]);
}
