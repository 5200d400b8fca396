/**
 * Drift of bare-metal hosts (read-only): the checks of core/drift/check.ts run over SSH. Plain
 * Node: the drift probe's refresh (components/baremetal/drift.ts) and `sovereign doctor` share it.
 */
import { compareHost, parseReport, checkScript, type ExpectedWorkload, type Finding } from "./check";
import { runOverSsh, type SshTarget } from "./ssh";

export * from "./check";
export * from "./ssh";

/** Every check of the workloads `expected` on one host; all `unknown` when the host cannot be read. */
export async function checkHost(
  host: string,
  target: SshTarget,
  expected: readonly ExpectedWorkload[],
  timeoutMs = 30_000,
): Promise<Finding[]> {
  const answer = await runOverSsh(target, checkScript(expected), timeoutMs);
  if (!answer.ok) return compareHost(host, expected, undefined, `cannot check: ${answer.reason}`);
  const report = parseReport(answer.stdout);
  return compareHost(host, expected, report, "the host's answer was cut short");
}
export * from "./state";
