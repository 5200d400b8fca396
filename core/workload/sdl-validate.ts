/**
 * Offline validation of an SDL with Akash's own library (@akashnetwork/chain-sdk, pinned), before
 * any network call: its JSON Schema and semantic checks (`validateSDL`), then the manifest and
 * group specs the chain and the provider receive (`generateManifest`). On top, what the library
 * leaves to providers: persistent volumes must name a storage class the catalog knows.
 */
import type { Catalog } from "../catalog/load";
import { akashProvider, SdlError, type SdlDocument } from "./sdl";

export interface ValidatedSdl {
  /** The manifest as the Console sends it to providers (chain-sdk's `manifestToSortedJSON`). */
  manifest: string;
  /** Placement groups of the deployment (one per node). */
  groups: string[];
}

/** What we use of the library (its types need moduleResolution node16; tsconfig keeps node). */
interface SdlValidationError {
  instancePath: string;
  message: string;
}
interface ChainSdk {
  validateSDL(sdl: unknown, network: string): SdlValidationError[] | undefined;
  generateManifest(
    sdl: unknown,
    network: string,
  ): { ok?: false; value: SdlValidationError[] } | { ok: true; value: { groups: Array<{ name: string }> } };
  manifestToSortedJSON(groups: unknown): string;
}
let sdk: ChainSdk | undefined;
/** Loaded on first use: the library takes about a second to load. */
function chainSdk(): ChainSdk {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use (see above)
  sdk ??= require("@akashnetwork/chain-sdk") as ChainSdk;
  return sdk;
}

/** Validates one SDL document; throws SdlError naming every problem with its place in the SDL. */
export function validateSdl(
  node: string,
  doc: SdlDocument | Record<string, unknown>,
  catalog: Catalog,
  network: "mainnet" | "testnet" | "sandbox" = "mainnet",
): ValidatedSdl {
  const problems = storageProblems(doc, catalog);
  const { validateSDL, generateManifest, manifestToSortedJSON } = chainSdk();
  const input: unknown = doc;
  const errors = validateSDL(input, network) ?? [];
  problems.push(...errors.map((e) => `${e.instancePath || "/"}: ${e.message}`));
  if (problems.length) throw new SdlError(node, problems);
  const result = generateManifest(input, network);
  if (!result.ok)
    throw new SdlError(
      node,
      result.value.map((e) => `${e.instancePath || "/"}: ${e.message}`),
    );
  return { manifest: manifestToSortedJSON(result.value.groups), groups: result.value.groups.map((g) => g.name) };
}

function storageProblems(doc: Record<string, unknown> | SdlDocument, catalog: Catalog): string[] {
  const classes = akashProvider(catalog).storageClasses.map((c) => c.id);
  const compute = ((doc as SdlDocument).profiles?.compute ?? {}) as Record<
    string,
    { resources?: { storage?: unknown } }
  >;
  const problems: string[] = [];
  for (const [profile, p] of Object.entries(compute)) {
    const volumes = p?.resources?.storage;
    for (const [i, v] of (Array.isArray(volumes) ? volumes : volumes ? [volumes] : []).entries()) {
      const attrs = (v as { attributes?: { persistent?: unknown; class?: unknown } }).attributes;
      const persistent = attrs?.persistent === true || attrs?.persistent === "true";
      if (persistent && !classes.includes(String(attrs?.class))) {
        problems.push(
          `/profiles/compute/${profile}/resources/storage/${i}/attributes/class: '${attrs?.class ?? ""}' is not a persistent storage class of Akash providers; use one of ${classes.join(", ")}`,
        );
      }
    }
  }
  return problems;
}
