/**
 * Slow paths found by hostile input (issue 19 §5), measured in process: `sovereign cost` table and
 * JSON output for previews of N resources, and parsing a spec whose gateways.perChain has N keys
 * (refused above 1,000, but it must be refused fast). Prints the median of a few runs per size.
 *
 *   node --import tsx bench/hostile-input.bench.ts [sizes...]
 */
import { loadCatalog } from "../core/catalog/load";
import { estimateStack } from "../core/costs/resources";
import { parseFleetYaml } from "../core/fleet-spec/parse";
import { fromPreview } from "../core/resources/sources";
import { costTable } from "../report/cost";
import { costToJson } from "../report/cost-json";

const RUNS = 3;
const sizes = process.argv.slice(2).map(Number);
const catalog = loadCatalog();

function median(fn: () => unknown): number {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    fn();
    times.push(performance.now() - t);
  }
  return times.sort((a, b) => a - b)[Math.floor(RUNS / 2)];
}

function preview(n: number) {
  const provider = "urn:pulumi:dev::bench::pulumi:providers:aws::frankfurt::p-1";
  const step = (type: string, name: string, inputs: object, ref?: string) => {
    const urn = `urn:pulumi:dev::bench::${type}::${name}`;
    return { op: "create", urn, provider: ref, newState: { urn, custom: true, type, inputs, provider: ref } };
  };
  return {
    config: {},
    steps: [
      step("pulumi:providers:aws", "frankfurt", { region: "eu-central-1" }),
      ...Array.from({ length: n }, (_, i) =>
        step(
          "aws:ebs/volume:Volume",
          `disk-${i}`,
          { availabilityZone: "eu-central-1b", type: "gp3", size: 100 + i },
          provider,
        ),
      ),
    ],
  };
}

function perChainSpec(n: number): string {
  const keys = Array.from({ length: n }, (_, i) => `    c${i}: 1`).join("\n");
  return `name: b\nchains:\n  - chain: bitcoin\n    count: 2\nsites:\n  aws:\n    regions: [eu-central-1, eu-west-1]\ngateways:\n  perChain:\n${keys}\n`;
}

for (const n of sizes.length ? sizes : [2000, 8000, 20000]) {
  const estimate = estimateStack(fromPreview(preview(n)), catalog);
  const report = { project: "bench", estimate };
  const table = median(() => costTable(report));
  const json = median(() => JSON.stringify(costToJson(report)));
  const spec = perChainSpec(n);
  const perChain = median(() => {
    try {
      parseFleetYaml(spec);
    } catch {
      /* refused above 1,000 keys: the time to refuse is what is measured */
    }
  });
  console.log(
    `${n} resources: cost table ${table.toFixed(0)} ms, cost json ${json.toFixed(0)} ms; perChain of ${n} keys: ${perChain.toFixed(0)} ms`,
  );
}
