/**
 * Fuzz: random and hostile fleet specs (wrong types, prototype keys, huge and tiny numbers,
 * unicode, empty and deep structures) through parse, resolve and plan. Every outcome is a spec,
 * a SpecError or (when planning) an InfeasibleError; nothing else may escape, nothing may hang.
 * Most cases stop after resolve (fast); a bounded subset of small valid fleets is planned by HiGHS.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { stringify } from "yaml";
import { loadCatalog } from "../../core/catalog/load";
import { InfeasibleError, SpecError } from "../../core/errors";
import { parseFleetYaml, validateFleetObject } from "../../core/fleet-spec/parse";
import { resolveFleet } from "../../core/fleet-spec/resolve";
import { planFleet } from "../../core/planner/plan";

const catalog = loadCatalog();
const RUNS = Number(process.env.SOVEREIGN_FUZZ_RUNS ?? 10_000);
const PLAN_RUNS = Number(process.env.SOVEREIGN_FUZZ_PLAN_RUNS ?? 150);

const PROTO_KEYS = ["__proto__", "constructor", "toString", "valueOf", "hasOwnProperty", "prototype", "then"];
const chains = [...catalog.chains.keys()];
const regions = [...catalog.providers.values()].flatMap((p) => p.regions.map((r) => r.id));

/** Strings a user or an attacker might write: names, prototype keys, unicode, control characters, long. */
const hostileString = fc.oneof(
  fc.constantFrom(
    ...PROTO_KEYS,
    ...chains,
    ...regions,
    "",
    " ",
    "full",
    "archive",
    "mainnet",
    "execution",
    "geth",
    "DE",
    "hetzner",
  ),
  fc.string({ maxLength: 12 }),
  fc.string({ unit: "grapheme", maxLength: 8 }),
  fc.string({ unit: "binary", maxLength: 8 }),
  fc.constantFrom("x".repeat(5000), "\u0000", "\u001b[31m", "a|b", "<script>", "1e400", "NaN", "-0"),
);

/** Numbers at and past every edge: NaN, infinities, -0, subnormals, 1e15+, fractions, negatives. */
const hostileNumber = fc.oneof(
  fc.constantFrom(
    NaN,
    Infinity,
    -Infinity,
    -0,
    0,
    1,
    2,
    3,
    0.5,
    -1,
    1e15,
    1e300,
    5e-324,
    Number.MAX_SAFE_INTEGER,
    10_001,
    0.34,
    1.0000001,
  ),
  fc.double(),
  fc.integer({ min: -5, max: 20 }),
);

const scalar = fc.oneof(hostileString, hostileNumber, fc.boolean(), fc.constant(null));

/** Any JSON-ish value, nested up to a few levels, with prototype keys among the keys. */
const anyValue = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: "small", withCrossShrink: true }, scalar, tie("array"), tie("object")),
  array: fc.array(tie("value"), { maxLength: 4 }),
  object: fc.dictionary(fc.oneof(hostileString, fc.constantFrom(...PROTO_KEYS)), tie("value"), { maxKeys: 4 }),
})).value;

/** Valid-looking parts: the base a mutation starts from, so most cases get past the schema into resolve. */
const host = fc
  .record({
    name: fc.constantFrom("h1", "h2", "fra-1", "constructor"),
    address: fc.constantFrom("203.0.113.1", "203.0.113.2", "2001:db8::1", "2001:DB8:0::1", "node.example.com"),
    operator: fc.constantFrom("hetzner", "ovh", "constructor", "tostring", "valueof"),
    country: fc.constantFrom("DE", "FR", "US", "FI"),
    region: fc.constantFrom(undefined, "fsn1", "__proto__", "toString", "a|b <i>"),
    monthlyUsd: fc.constantFrom(0, 50, 150.125, 1e-9),
    cpu: fc.constantFrom(8, 64),
    memoryGb: fc.constantFrom(32, 256),
    diskGb: fc.constantFrom(2000, 16000),
  })
  .map(({ region, ...h }) => (region === undefined ? h : { ...h, region }));

const entry = fc.record({
  chain: fc.constantFrom(...chains),
  count: fc.integer({ min: 1, max: 4 }),
});

const baseSpec = fc.record(
  {
    name: fc.constant("fuzz"),
    chains: fc.array(entry, { minLength: 1, maxLength: 3 }),
    sites: fc.record(
      {
        aws: fc.record({
          regions: fc.subarray(
            regions.filter((r) => catalog.regionProvider.get(r) === "aws"),
            { minLength: 1, maxLength: 3 },
          ),
        }),
        akash: fc.constant({}),
        baremetal: fc.record({ hosts: fc.uniqueArray(host, { minLength: 1, maxLength: 3, selector: (h) => h.name }) }),
      },
      { requiredKeys: [] },
    ),
    policy: fc.record(
      {
        maxShare: fc.record(
          { operator: fc.constantFrom(0.34, 0.5, 1), client: fc.constantFrom(0.5, 1) },
          { requiredKeys: [] },
        ),
        minOperators: fc.integer({ min: 1, max: 3 }),
        survive: fc.record({ operatorLoss: fc.constant(1), minNodes: fc.integer({ min: 1, max: 3 }) }),
      },
      { requiredKeys: [] },
    ),
    budget: fc.record({ monthlyUsd: fc.constantFrom(100, 1000, 150.125) }),
  },
  { requiredKeys: ["name", "chains", "sites"] },
);

/** Where a mutation lands: every kind of field of the spec, including some that do not exist. */
const PATHS: PropertyKey[][] = [
  [],
  ["name"],
  ["chains"],
  ["chains", 0],
  ["chains", 0, "chain"],
  ["chains", 0, "network"],
  ["chains", 0, "role"],
  ["chains", 0, "count"],
  ["chains", 0, "clients"],
  ["chains", 0, "clients", "execution"],
  ["chains", 0, "clients", "consensus", 0],
  ["chains", 1, "count"],
  ["sites"],
  ["sites", "aws"],
  ["sites", "aws", "regions"],
  ["sites", "aws", "regions", 0],
  ["sites", "aws", "maxNodes"],
  ["sites", "akash", "maxNodes"],
  ["sites", "gcp"],
  ["sites", "baremetal", "hosts"],
  ["sites", "baremetal", "hosts", 0],
  ...[
    "name",
    "address",
    "operator",
    "country",
    "jurisdiction",
    "region",
    "monthlyUsd",
    "cpu",
    "memoryGb",
    "diskGb",
    "maxNodes",
    "disk",
    "ssh",
  ].map((k) => ["sites", "baremetal", "hosts", 0, k]),
  ["sites", "baremetal", "hosts", 1, "address"],
  ["sites", "baremetal", "hosts", 0, "ssh", "user"],
  ["sites", "baremetal", "hosts", 0, "ssh", "hostKey"],
  ["policy"],
  ["policy", "maxShare", "operator"],
  ["policy", "maxShare", "region"],
  ["policy", "minOperators"],
  ["policy", "survive", "minNodes"],
  ["policy", "survive", "regionLoss"],
  ["budget", "monthlyUsd"],
  ...PROTO_KEYS.map((k) => [k]),
  ...PROTO_KEYS.map((k) => ["chains", 0, "clients", k]),
  ...PROTO_KEYS.map((k) => ["sites", k]),
];

/** Sets `path` in `obj` to `value`, creating what is missing; own properties even for `__proto__`. */
function setIn(obj: any, path: PropertyKey[], value: unknown): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path;
  const base = obj !== null && typeof obj === "object" ? obj : typeof head === "number" ? [] : {};
  const child = Object.hasOwn(base, head) ? base[head] : undefined;
  Object.defineProperty(base, head, {
    value: setIn(child, rest, value),
    enumerable: true,
    writable: true,
    configurable: true,
  });
  return base;
}

const mutation = fc.tuple(fc.constantFrom(...PATHS), fc.oneof(scalar, anyValue));
const spec = fc
  .tuple(baseSpec, fc.array(mutation, { maxLength: 3 }))
  .map(([s, mutations]) =>
    mutations.reduce<unknown>((acc, [path, value]) => setIn(acc, path, value), structuredClone(s)),
  );

/** A spec object as YAML text, sometimes mangled (cut, tabs, alias bombs) to exercise the parser too. */
const yamlText = fc.tuple(spec, fc.nat({ max: 5 }), fc.nat()).map(([s, mode, cut]) => {
  let text: string;
  try {
    text = stringify(s);
  } catch {
    text = String(s);
  }
  if (mode === 0) return text.slice(0, cut % (text.length + 1));
  if (mode === 1) return text.replace(/ {2}/g, "\t");
  if (mode === 2)
    return `a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [${"*a, ".repeat(20)}*a]\nc: [${"*b, ".repeat(20)}*b]\n${text}`;
  return text;
});

function expectKnown(e: unknown, allowed: Array<new (...a: any[]) => Error>, input: unknown) {
  if (allowed.some((cls) => e instanceof cls)) {
    assert.ok((e as Error).message.length < 50_000, "an error message of megabytes");
    return;
  }
  throw new Error(`unexpected ${(e as Error)?.name}: ${(e as Error)?.message}\ninput: ${safeShow(input)}`);
}

const safeShow = (x: unknown) => {
  try {
    return JSON.stringify(x).slice(0, 2000);
  } catch {
    return String(x).slice(0, 2000);
  }
};

function parseAndResolve(input: unknown, asYaml: boolean) {
  const parsed = asYaml ? parseFleetYaml(input as string, "fuzz.yaml") : validateFleetObject(input, "fuzz");
  return resolveFleet(parsed, catalog, "fuzz");
}

test(`${RUNS} random and hostile specs through parse and resolve: only SpecError escapes`, { timeout: 600_000 }, () => {
  const started = Date.now();
  let resolved = 0;
  fc.assert(
    fc.property(
      fc.oneof(
        // YAML text costs ten times an object to parse: one case in five, enough for the parser's paths.
        { weight: 4, arbitrary: spec.map((s) => ({ yaml: false, input: s as unknown })) },
        { weight: 1, arbitrary: yamlText.map((t) => ({ yaml: true, input: t as unknown })) },
      ),
      ({ yaml, input }) => {
        try {
          parseAndResolve(input, yaml);
          resolved++;
        } catch (e) {
          expectKnown(e, [SpecError], input);
        }
      },
    ),
    { numRuns: RUNS, seed: Number(process.env.SOVEREIGN_FUZZ_SEED ?? 20261201) },
  );
  // The generator must reach resolve's success path, not only the schema's refusals.
  assert.ok(
    resolved > RUNS / 50,
    `only ${resolved} of ${RUNS} specs resolved; the generator is too hostile to test resolve`,
  );
  process.stdout.write(`# fuzz parse+resolve: ${RUNS} cases, ${resolved} resolved, ${Date.now() - started} ms\n`);
});

test(
  `${PLAN_RUNS} small valid-shaped specs through plan: a plan or InfeasibleError, never anything else`,
  { timeout: 600_000 },
  async () => {
    const started = Date.now();
    let planned = 0;
    let tried = 0;
    await fc.assert(
      fc.asyncProperty(spec, async (input) => {
        let fleet;
        try {
          fleet = parseAndResolve(input, false);
        } catch (e) {
          expectKnown(e, [SpecError], input);
          return;
        }
        // Small sizes keep HiGHS quick: the property is "never an uncaught error", not scale.
        if (fleet.groups.reduce((a, g) => a + g.count, 0) > 12) return;
        tried++;
        try {
          const plan = await planFleet(fleet, catalog);
          planned++;
          assert.ok(Number.isFinite(plan.totals.monthlyUsd), `total ${plan.totals.monthlyUsd}`);
          for (const value of Object.values(plan.totals.byOperator))
            assert.ok(Number.isFinite(value), JSON.stringify(plan.totals.byOperator));
        } catch (e) {
          expectKnown(e, [InfeasibleError], input);
        }
      }),
      { numRuns: PLAN_RUNS * 4, seed: 7, interruptAfterTimeLimit: 240_000 },
    );
    process.stdout.write(`# fuzz plan: ${tried} specs planned (${planned} feasible), ${Date.now() - started} ms\n`);
    assert.ok(tried >= Math.min(PLAN_RUNS / 2, 50), `only ${tried} specs reached the planner`);
  },
);
