import { regimesReaching } from "../../core/catalog/legal";
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { checkIntegrity, loadCatalog, DEFAULT_CATALOG_DIR, type Catalog } from "../../core/catalog/load";
import { cheapestOption } from "../../core/costs/options";
import type { Site } from "../../core/fleet-spec/resolve";

/** The catalog files read raw (anchors merged), independently of the loader's schema. */
const raw = (file: string): any => parse(readFileSync(join(DEFAULT_CATALOG_DIR, file), "utf8"), { merge: true });
const providerFiles = readdirSync(join(DEFAULT_CATALOG_DIR, "providers"))
  .filter((f) => f.endsWith(".yaml"))
  .sort();
const rawProviders: any[] = providerFiles.map((f) => raw(join("providers", f)));
const rawChains: any[] = raw("chains.yaml").chains;
const rawClients: any[] = raw("clients.yaml").clients;

const today = new Date().toISOString().slice(0, 10);

/** Every priced or dated figure in the catalog, with where it sits. */
function dated(): Array<{ where: string; item: any }> {
  const out: Array<{ where: string; item: any }> = [];
  for (const p of rawProviders) {
    for (const [region, prices] of Object.entries<any[]>(p.computePrices ?? {}))
      prices.forEach((x, i) => out.push({ where: `${p.id}.computePrices.${region}[${i}]`, item: x }));
    for (const [region, prices] of Object.entries<any[]>(p.storagePrices ?? {}))
      prices.forEach((x, i) => out.push({ where: `${p.id}.storagePrices.${region}[${i}]`, item: x }));
    for (const [k, x] of Object.entries<any>(p.resourcePrices ?? {}))
      out.push({ where: `${p.id}.resourcePrices.${k}`, item: x });
    for (const [k, x] of Object.entries<any>(p.network ?? {})) {
      if (k === "egress")
        for (const [region, e] of Object.entries<any>(x))
          out.push({ where: `${p.id}.network.egress.${region}`, item: e });
      else out.push({ where: `${p.id}.network.${k}`, item: x });
    }
    for (const [k, x] of Object.entries<any>(p.purchaseOptions ?? {}))
      out.push({ where: `${p.id}.purchaseOptions.${k}`, item: x });
    (p.sustainedUse ?? []).forEach((x: any, i: number) => out.push({ where: `${p.id}.sustainedUse[${i}]`, item: x }));
  }
  for (const c of rawChains) {
    for (const [role, profile] of Object.entries<any>(c.roles)) {
      out.push({ where: `${c.id}.roles.${role}`, item: profile });
      out.push({ where: `${c.id}.roles.${role}.egressSource`, item: profile.egressSource });
    }
  }
  for (const c of rawClients) out.push({ where: `clients.${c.id}.image`, item: c.image });
  for (const j of raw("jurisdictions.yaml").jurisdictions) out.push({ where: `jurisdictions.${j.id}`, item: j });
  for (const o of raw("operators.yaml").operators) out.push({ where: `operators.${o.id}`, item: o });
  return out;
}

describe("catalog provenance", () => {
  test("every price and profile has a source and a real, past asOf date", () => {
    const items = dated();
    // 3 clouds x 3 regions at least, plus Akash: a sanity floor so an empty walk cannot pass.
    assert.ok(items.length > 150, `only ${items.length} dated items found`);
    for (const { where, item } of items) {
      assert.equal(typeof item?.source, "string", `${where}: no source`);
      assert.ok(item.source.trim().length >= 3, `${where}: empty source`);
      assert.match(String(item.asOf), /^\d{4}-\d{2}-\d{2}$/, `${where}: asOf ${item.asOf}`);
      const d = new Date(`${item.asOf}T00:00:00Z`);
      assert.equal(d.toISOString().slice(0, 10), item.asOf, `${where}: ${item.asOf} is not a calendar date`);
      assert.ok(item.asOf <= today, `${where}: asOf ${item.asOf} is in the future`);
    }
  });

  test("estimates are flagged: EST-sourced figures, all Akash prices and all egress volumes", () => {
    let est = 0;
    for (const { where, item } of dated()) {
      if (/^EST\b/.test(item.source)) {
        est++;
        assert.equal(item.estimate, true, `${where}: source says EST but estimate is not set`);
      }
    }
    assert.ok(est > 10, "the catalog derives many prices (EST); the rule must have something to check");
    const akash = rawProviders.find((p) => p.id === "akash");
    for (const x of [...Object.values<any>(akash.resourcePrices), ...akash.storagePrices.akash])
      assert.equal(x.estimate, true, "akash prices are bid-dependent estimates");
    for (const c of rawChains)
      for (const [role, p] of Object.entries<any>(c.roles))
        assert.equal(p.egressSource.estimate, true, `${c.id}.${role}: egress volume is traffic-dependent`);
  });

  test("a priced option built on an estimate is marked estimate", () => {
    const cat = loadCatalog();
    const eth = cat.chains.get("ethereum")!.roles.full;
    for (const s of sites(cat)) {
      const r = cheapestOption(eth, s, cat);
      if (r.ok) {
        assert.equal(r.option.estimate, true, s.id);
        assert.ok(
          r.option.sources.length >= 2 && r.option.sources.every((x) => /\(\d{4}-\d{2}-\d{2}/.test(x)),
          `${s.id}: ${r.option.sources}`,
        );
      }
    }
  });
});

/** One pseudo-site per cloud region and Akash, as resolve would build them. */
function sites(cat: Catalog): Site[] {
  return [...cat.providers.values()].flatMap((p) =>
    p.regions.map((r): Site => ({
      id: p.kind === "akash" ? "akash" : `${p.id}/${r.id}`,
      provider: p.id,
      operator: p.operator.id,
      region: r.id,
      country: r.country,
      jurisdiction: p.operator.headquarters,
      legal: regimesReaching(cat, p.operator.headquarters),
      cloudAct: regimesReaching(cat, p.operator.headquarters).includes("cloudAct"),
    })),
  );
}

describe("catalog integrity", () => {
  const cat = loadCatalog();

  test("the loader's own integrity check finds nothing", () => {
    assert.deepEqual(checkIntegrity(cat), []);
  });

  test("every client a chain names exists, on that layer, with a pinned image and the RPC port", () => {
    const clients = new Map(rawClients.map((c) => [c.id, c]));
    for (const chain of rawChains) {
      assert.deepEqual(Object.keys(chain.clients).sort(), [...chain.layers].sort(), `${chain.id}: layers vs clients`);
      for (const layer of chain.layers) {
        for (const id of chain.clients[layer]) {
          const c = clients.get(id);
          assert.ok(c, `${chain.id}: client ${id} missing from clients.yaml`);
          assert.equal(c.layer, layer, `${id} layer`);
          assert.ok(c.image.repository && String(c.image.tag).length > 0, `${id}: image`);
          assert.notEqual(String(c.image.tag), "latest", `${id}: image must be pinned`);
        }
      }
      for (const id of chain.clients[chain.rpc.layer]) {
        assert.ok(
          clients.get(id).ports.some((p: any) => p.name === chain.rpc.port),
          `${id}: no ${chain.rpc.port} port`,
        );
      }
    }
  });

  test("every price names a known region, shape, storage class and tier; every region is fully priced", () => {
    for (const p of rawProviders) {
      const regions = new Set(p.regions.map((r: any) => r.id));
      const shapes = new Set((p.shapes ?? []).map((s: any) => s.id));
      const classes = new Map(p.storageClasses.map((c: any) => [c.id, c]));
      for (const [region, prices] of Object.entries<any[]>(p.computePrices ?? {})) {
        assert.ok(regions.has(region), `${p.id}: compute prices for unknown region ${region}`);
        for (const x of prices) assert.ok(shapes.has(x.shape), `${p.id}/${region}: unknown shape ${x.shape}`);
        // Each shape priced once per region, and every shape priced in every region.
        assert.deepEqual(prices.map((x) => x.shape).sort(), [...shapes].sort(), `${p.id}/${region}: shapes priced`);
      }
      for (const region of regions) {
        if (p.kind === "cloud")
          assert.ok(p.computePrices?.[region as string]?.length, `${p.id}/${region}: no compute prices`);
        const prices: any[] = p.storagePrices[region as string];
        assert.ok(prices, `${p.id}/${region}: no storage prices`);
        for (const x of prices) assert.ok(classes.has(x.class), `${p.id}/${region}: unknown storage class ${x.class}`);
        for (const cls of classes.values() as Iterable<any>) {
          if (cls.tiers) {
            for (const tier of cls.tiers)
              assert.ok(
                prices.some((x) => x.class === cls.id && x.tier === tier.id && x.usdPerMonth > 0),
                `${p.id}/${region}: no price for ${cls.id} ${tier.id}`,
              );
          } else {
            assert.ok(
              prices.some((x) => x.class === cls.id && x.usdPerGbMonth > 0),
              `${p.id}/${region}: no price for ${cls.id}`,
            );
          }
        }
      }
      if (p.kind === "cloud") {
        assert.ok(
          p.network.publicIpv4UsdPerHour.value > 0 && p.network.egressUsdPerGb.value > 0,
          `${p.id}: network prices`,
        );
      }
    }
  });

  test("every jurisdiction named by a provider or operator exists", () => {
    for (const p of cat.providers.values()) assert.ok(cat.jurisdictions.has(p.operator.headquarters), p.id);
    for (const o of cat.operators.values()) assert.ok(cat.jurisdictions.has(o.headquarters), o.id);
  });

  test("every chain role can be priced somewhere in the catalog", () => {
    for (const chain of cat.chains.values()) {
      for (const [role, profile] of Object.entries(chain.roles)) {
        const ok = sites(cat).filter((s) => cheapestOption(profile, s, cat).ok);
        assert.ok(ok.length > 0, `${chain.id}/${role} fits no cloud region or Akash`);
      }
    }
  });

  test("checkIntegrity catches a broken cross-reference", () => {
    const broken = structuredClone(cat);
    broken.chains.get("ethereum")!.clients.execution.push("gethh");
    broken.providers.get("aws")!.computePrices["us-east-1"].push({
      ...broken.providers.get("aws")!.computePrices["us-east-1"][0],
      shape: "x9.huge",
    });
    broken.clients.get("teku")!.layer = "execution";
    const problems = checkIntegrity(broken).join("\n");
    assert.match(problems, /unknown client gethh/);
    assert.match(problems, /unknown shape x9\.huge/);
    assert.match(problems, /client teku is execution, listed under consensus/);
  });

  test("a chain whose RPC kind has no folder in core/rpc-kinds is refused by name", () => {
    const unserved = structuredClone(cat);
    unserved.chains.get("xrpl")!.rpc.kind = "solana";
    assert.match(
      checkIntegrity(unserved).join("\n"),
      /chain xrpl: rpc\.kind 'solana' has no folder in core\/rpc-kinds \(known: evm, bitcoin, xrpl, cometbft\)/,
    );
  });
});

describe("catalog coverage the issue asks for", () => {
  const cat = loadCatalog();

  test("chains and Ethereum clients", () => {
    for (const id of ["ethereum", "optimism", "base", "arbitrum", "polygon", "bitcoin", "xrpl", "cosmoshub"]) {
      assert.ok(cat.chains.has(id), `chain ${id}`);
      assert.ok(cat.chains.get(id)!.roles.full, `${id} has a full role`);
    }
    const eth = cat.chains.get("ethereum")!;
    assert.deepEqual([...eth.clients.execution].sort(), ["besu", "erigon", "geth", "nethermind", "reth"]);
    assert.deepEqual([...eth.clients.consensus].sort(), ["lighthouse", "lodestar", "nimbus", "prysm", "teku"]);
  });

  test("AWS, GCP and Azure each have a US-east, a Frankfurt and a Singapore region; Akash is there", () => {
    for (const id of ["aws", "gcp", "azure"] as const) {
      const regions = cat.providers.get(id)!.regions;
      assert.ok(
        regions.some((r) => r.country === "US" && /east/.test(r.id)),
        `${id}: US-east`,
      );
      assert.ok(
        regions.some((r) => r.country === "DE" && r.metro === "Frankfurt"),
        `${id}: Frankfurt`,
      );
      assert.ok(
        regions.some((r) => r.country === "SG" && r.metro === "Singapore"),
        `${id}: Singapore`,
      );
      assert.equal(cat.providers.get(id)!.kind, "cloud");
    }
    const akash = cat.providers.get("akash")!;
    assert.equal(akash.kind, "akash");
    assert.ok(akash.resourcePrices);
  });
});
