/**
 * A provider is one folder on each side: its facts in core/providers/<id>/ (registered in
 * core/providers/index.ts) and its binding in components/<id>/ (registered in components/index.ts).
 * Fails when a registered provider lacks a part: a binding, a catalog file (clouds and
 * marketplaces), resource readers and a region reader (clouds), a policy fix; or when two
 * providers claim one resource type.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadCatalog } from "../core/catalog/load";
import { PROVIDERS } from "../core/providers";
import type { ProviderFacts } from "../core/providers/types";
import { hostBinding, registeredProviders } from "../components";

const catalog = loadCatalog();
const providers: readonly ProviderFacts[] = PROVIDERS;

describe("every registered provider has all of its parts", () => {
  for (const p of providers) {
    it(`${p.id} (${p.kind})`, () => {
      const binding = hostBinding(p.id as never);
      assert.ok(binding, `${p.id}: no host binding; add registerHostBinding("${p.id}", ...) in components/index.ts`);
      assert.equal(typeof binding.deploy, "function", `${p.id}: the binding has no deploy`);
      if (p.kind !== "hosts")
        assert.ok(catalog.providers.has(p.id as never), `${p.id}: no catalog/providers/${p.id}.yaml`);
      if (p.kind === "cloud") {
        assert.ok(Object.keys(p.resources).length > 0, `${p.id}: a cloud reads its machines (resources)`);
        assert.equal(typeof p.regionOf, "function", `${p.id}: a cloud says where a resource stands (regionOf)`);
        assert.equal(typeof binding.gatewaySite, "function", `${p.id}: a cloud can hold gateways (gatewaySite)`);
        const file = catalog.providers.get(p.id as never)!;
        assert.ok(file.shapes.length > 0 && file.regions.length > 0, `${p.id}: catalog shapes and regions`);
        for (const r of file.regions)
          assert.ok(file.computePrices[r.id]?.length, `${p.id}: no compute prices for region ${r.id}`);
      }
      assert.ok(p.adminPortFix.length > 20, `${p.id}: the policy pack's fix for its firewall rules (adminPortFix)`);
    });
  }

  it("no resource type belongs to two providers, and every binding has a provider folder", () => {
    const owner = new Map<string, string>();
    for (const p of providers)
      for (const type of new Set([...Object.keys(p.resources), ...p.freeTypes])) {
        assert.equal(owner.get(type), undefined, `${type}: claimed by ${owner.get(type)} and ${p.id}`);
        owner.set(type, p.id);
      }
    const ids = new Set(providers.map((p) => p.id));
    for (const id of registeredProviders())
      assert.ok(ids.has(id), `components registers ${id}, but core/providers has no folder for it`);
  });
});
