/** Shared helpers for the core tests (not a test file itself). */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadCatalog, type Catalog } from "../../core/catalog/load";
import { parseFleetYaml, validateFleetObject } from "../../core/fleet-spec/parse";
import { resolveFleet, type Fleet, type NodeGroup } from "../../core/fleet-spec/resolve";
import { profileForClients } from "../../core/catalog/profile";
import type { Profile } from "../../core/catalog/schema";
import type { PlannedNode } from "../../core/plan";

export const ROOT = join(__dirname, "..", "..");
export const EXAMPLE_PATH = join(ROOT, "examples", "fleet.yaml");
export const exampleText = (): string => readFileSync(EXAMPLE_PATH, "utf8");

export const catalog = (): Catalog => loadCatalog();

/** A fleet from a plain object, through the same validation the YAML path uses (defaults filled). */
export function fleetOf(raw: unknown): Fleet {
  return resolveFleet(validateFleetObject(raw), catalog());
}

export function fleetFromYaml(text: string): Fleet {
  return resolveFleet(parseFleetYaml(text, "test.yaml"), catalog());
}

/** Sum of cent amounts, free of float drift. */
/** What a planned node needs on its host with the clients it runs (an archive's disk depends on its execution client). */
export const nodeProfile = (cat: Catalog, n: PlannedNode): Profile =>
  profileForClients(
    cat.chains.get(n.chain)!.roles[n.role],
    Object.fromEntries(Object.entries(n.clients).map(([layer, id]) => [layer, [id]])),
  );

export const sumCents = (xs: number[]): number => Math.round(xs.reduce((a, x) => a + Math.round(x * 100), 0)) / 100;

/** Runs `fn`, expecting it to throw an error of class `cls`; returns the error. */
export async function rejects<T extends Error>(
  fn: () => Promise<unknown> | unknown,
  cls: new (...args: any[]) => T,
): Promise<T> {
  try {
    await fn();
  } catch (e) {
    if (e instanceof cls) return e;
    throw new Error(`expected ${cls.name}, got ${(e as Error)?.name}: ${(e as Error)?.message}`, { cause: e });
  }
  throw new Error(`expected ${cls.name}, but nothing was thrown`);
}

/** A bare node group for the packing tests: 16 GB of memory, the given CPU, disk and P2P ports. */
export const packGroup = (index: number, vcpu: number, diskGb: number, p2pPorts: string[] = []): NodeGroup => ({
  index,
  chain: "c",
  network: "n",
  role: "full",
  count: 9,
  chainKey: `c${index}/n`,
  clients: {},
  p2pPorts,
  profile: { vcpu, memoryGb: 16, diskGb, iops: 1, throughputMBps: 1, localNvme: "none" } as NodeGroup["profile"],
});

/** One bitcoin node on one bare-metal host: the smallest fleet the planner solves, for report tests. */
export const oneHostFleet = (name: string): Fleet =>
  fleetFromYaml(
    [
      `name: ${name}`,
      "chains:",
      "  - chain: bitcoin",
      "    count: 1",
      "sites:",
      "  baremetal:",
      "    hosts:",
      "      - { name: h1, address: 203.0.113.1, operator: a, country: DE, monthlyUsd: 50, cpu: 32, memoryGb: 128, diskGb: 8000 }",
    ].join("\n"),
  );
