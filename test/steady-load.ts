/**
 * Steady, bounded client load for the outage drill and the gateway timeouts bench: `workers`
 * loops, each calling at fixed slots `gapMs` apart (staggered across workers), for `ms`. A slow
 * answer delays only its own worker's next call, like a wallet's concurrent requests; `sent` is
 * what the workers managed, at most ms / gapMs each.
 */
export interface SteadyLoadResult {
  sent: number;
  failed: number;
  /** Milliseconds of every answered call. */
  answered: number[];
  /** Milliseconds of every failed call, until the client gave up. */
  failedAfter: number[];
  /** The first distinct errors (what a client saw). */
  errors: string[];
}

export async function steadyLoad(
  call: () => Promise<unknown>,
  options: { workers: number; gapMs: number; ms: number },
): Promise<SteadyLoadResult> {
  const { workers, gapMs, ms } = options;
  const result: SteadyLoadResult = { sent: 0, failed: 0, answered: [], failedAfter: [], errors: [] };
  const start = performance.now();
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      for (let i = 0; ; i++) {
        const slot = start + (w * gapMs) / workers + i * gapMs;
        // Slots the worker could not keep (its calls took longer than the gap) are skipped at the
        // end, not sent late: a phase lasts `ms` plus its last answers however busy the machine is.
        if (slot >= start + ms || performance.now() >= start + ms) break;
        const wait = slot - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        result.sent++;
        const t0 = performance.now();
        try {
          await call();
          result.answered.push(performance.now() - t0);
        } catch (e) {
          const after = performance.now() - t0;
          result.failed++;
          result.failedAfter.push(after);
          const error = `${Math.round(after)} ms: ${String((e as Error).message).split("\n")[0]}`;
          if (result.errors.length < 3 && !result.errors.includes(error)) result.errors.push(error);
        }
      }
    }),
  );
  return result;
}

/** The p-th percentile of `xs` (nearest rank); NaN for none. */
export const percentile = (xs: number[], p: number) =>
  xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] : NaN;
