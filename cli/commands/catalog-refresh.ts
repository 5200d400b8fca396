import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Command, Option } from "commander";
import { DEFAULT_CATALOG_DIR, loadCatalog, type Catalog } from "../../core/catalog/load";
import { githubReleases, redactUrl, registryTags, type FeedOptions } from "../../core/catalog/release-feed";
import {
  newerReleases,
  newestReleases,
  overlayYaml,
  raisePins,
  RELEASES_DIR,
  type ClientReleases,
  type ReleasesOverlay,
} from "../../core/catalog/releases";
import { SourceError } from "../../core/errors";
import { UsageError } from "../errors";
import { withExamples } from "../options";
import { emit } from "../output";

const DEFAULT_GITHUB_API = "https://api.github.com";

interface RefreshOptions {
  catalog: string;
  githubApi: string;
  registry?: string;
  timeout: number;
  accept?: string[];
}

/** `sovereign catalog refresh`: what upstream released since each pin, as a dated overlay; `--accept` raises a pin. */
export function catalogRefreshCommand(): Command {
  const command = new Command("refresh")
    .description(
      "read each pinned client's releases (GitHub) and image tags (its registry) into catalog/releases/<today>.yaml; pins change only with --accept",
    )
    .option("--catalog <dir>", "catalog directory", DEFAULT_CATALOG_DIR)
    .option("--github-api <url>", "GitHub API base URL (a mirror or GitHub Enterprise)", DEFAULT_GITHUB_API)
    .option("--registry <url>", "send every registry request to this base URL instead of each image's registry")
    .addOption(new Option("--timeout <seconds>", "per request").default(10).argParser(parseSeconds))
    .option("--accept <client@tag...>", "raise these pins to a tag the newest overlay lists (no network)")
    .action(async (opts: RefreshOptions) => {
      if (opts.accept) return acceptPins(opts.catalog, opts.accept);
      const catalog = loadCatalog(opts.catalog);
      const feed: FeedOptions = {
        githubApi: opts.githubApi,
        registryOverride: opts.registry,
        githubToken: process.env.GITHUB_TOKEN,
        timeoutMs: opts.timeout * 1000,
      };
      const overlay = await refresh(catalog, feed);
      const dir = join(opts.catalog, RELEASES_DIR);
      mkdirSync(dir, { recursive: true });
      emit(overlayYaml(overlay), join(dir, `${overlay.asOf}.yaml`));
      process.stdout.write(summary(overlay));
    });
  return withExamples(command, [
    [
      "sovereign catalog refresh",
      "write catalog/releases/<today>.yaml; `catalog images` and `plan` show what it found",
    ],
    [
      "sovereign catalog refresh --accept reth@v2.11.0",
      "raise reth's pin in catalog/clients.yaml to a tag the refresh found",
    ],
    ["GITHUB_TOKEN=... sovereign catalog refresh", "the same with GitHub's higher rate limit"],
  ]);
}

function parseSeconds(value: string): number {
  const n = Number(value);
  if (!/^\d{1,3}$/.test(value.trim()) || n < 1 || n > 300)
    throw new UsageError([{ path: "--timeout", message: `must be whole seconds from 1 to 300, not '${value}'` }]);
  return n;
}

/**
 * Every client with a release feed, asked in turn (a few dozen small requests). Any answer that is
 * late, an error or malformed stops the refresh with nothing written: an overlay is whole or absent.
 */
async function refresh(catalog: Catalog, feed: FeedOptions): Promise<ReleasesOverlay> {
  const clients: ClientReleases[] = [];
  for (const client of catalog.clients.values()) {
    const base = { client: client.id, pinned: client.image.tag, newer: [] };
    if (!client.releases) {
      clients.push({ ...base, unchecked: "no release feed in catalog/clients.yaml" });
      continue;
    }
    try {
      const releases = await githubReleases(client.releases.github, feed);
      const tags = await registryTags(client.image.repository, feed);
      clients.push({ ...base, newer: newerReleases(client, releases, tags) });
    } catch (e) {
      if (e instanceof SourceError) throw new SourceError(`${client.id}: ${e.message}; nothing was written`);
      throw e;
    }
  }
  return {
    source: `GitHub releases API (${redactUrl(feed.githubApi)}) and the image registries' tags lists${feed.registryOverride ? ` (via ${redactUrl(feed.registryOverride)})` : ""}`,
    asOf: new Date().toISOString().slice(0, 10),
    clients,
  };
}

function summary(overlay: ReleasesOverlay): string {
  const lines = overlay.clients.map((c) => {
    if (c.unchecked) return `  ${c.client}: not checked (${c.unchecked})`;
    const newest = c.newer[0];
    if (!newest) return `  ${c.client} ${c.pinned}: newest`;
    const tag = newest.imageTag ? `image tag ${newest.imageTag}` : "no image tag yet";
    return `  ${c.client} ${c.pinned}: ${newest.version} released ${newest.publishedAt.slice(0, 10)} (${tag}) ${newest.url}`;
  });
  return `catalog/${RELEASES_DIR}/${overlay.asOf}.yaml:\n${lines.join("\n")}\n`;
}

/** Raises pins in clients.yaml (comments kept) to image tags the newest overlay found, or refuses each that it did not. */
function acceptPins(catalogDir: string, wanted: string[]) {
  const overlay = newestReleases(catalogDir);
  if (!overlay)
    throw new UsageError([
      { path: "--accept", message: "no releases overlay yet: run `sovereign catalog refresh` first" },
    ]);
  const file = join(catalogDir, "clients.yaml");
  const { text, problems } = raisePins(readFileSync(file, "utf8"), overlay, wanted);
  if (problems.length) throw new UsageError(problems.map((message) => ({ path: "--accept", message })));
  emit(text, file);
  process.stdout.write(`${file}: ${wanted.join(", ")} accepted; run \`sovereign plan\` to see their readiness\n`);
}
