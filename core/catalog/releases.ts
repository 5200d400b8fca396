/**
 * What `sovereign catalog refresh` found upstream, kept as a dated overlay beside the catalog
 * (catalog/releases/<date>.yaml): per pinned client, the newer releases and the image tag each has in
 * the client's registry. It never changes a pin: `--accept client@tag` does, one at a time.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse, parseDocument, stringify } from "yaml";
import { z } from "zod";
import { compareVersions, tagVersion } from "./upgrades";
import type { Client } from "./schema";
import { present } from "../present";

export const RELEASES_DIR = "releases";
const OVERLAY_NAME = /^\d{4}-\d{2}-\d{2}\.yaml$/;

const NewerRelease = z.strictObject({
  version: z.string().regex(/^\d+(\.\d+)*$/),
  /** The release's git tag, as GitHub names it. */
  release: z.string().min(1).max(200),
  publishedAt: z.iso.datetime(),
  url: z.url({ protocol: /^https?$/ }),
  /** The image tag of this version in the client's registry, when the registry lists one. */
  imageTag: z.string().regex(/^[\w][\w.-]{0,127}$/).optional(),
});
export type NewerRelease = z.infer<typeof NewerRelease>;

const ClientReleases = z.strictObject({
  client: z.string(),
  pinned: z.string(),
  /** Why nothing could be said of this client (no feed, the feed failed); absent when it was checked. */
  unchecked: z.string().optional(),
  newer: z.array(NewerRelease).max(20),
});
export type ClientReleases = z.infer<typeof ClientReleases>;

export const ReleasesOverlay = z.strictObject({
  source: z.string().min(3),
  asOf: z.iso.date(),
  clients: z.array(ClientReleases),
});
export type ReleasesOverlay = z.infer<typeof ReleasesOverlay>;

/** The newest overlay in `<catalog>/releases/`, validated; undefined when there is none. */
export function newestReleases(catalogDir: string): ReleasesOverlay | undefined {
  let names: string[];
  try {
    names = readdirSync(join(catalogDir, RELEASES_DIR)).filter((f) => OVERLAY_NAME.test(f));
  } catch {
    return undefined;
  }
  const newest = names.sort().at(-1);
  if (!newest) return undefined;
  const file = join(catalogDir, RELEASES_DIR, newest);
  const parsed = ReleasesOverlay.safeParse(parse(readFileSync(file, "utf8")));
  if (!parsed.success) throw new Error(`${file}: not a releases overlay (${parsed.error.issues[0]?.message}): delete it or run catalog refresh again`);
  return parsed.data;
}

/** A release as a GitHub releases API answer lists it (only the fields read). */
export const GithubRelease = z.object({
  tag_name: z.string().min(1).max(200),
  published_at: z.iso.datetime().nullable(),
  html_url: z.url({ protocol: /^https?$/ }),
  draft: z.boolean(),
  prerelease: z.boolean(),
});
export type GithubRelease = z.infer<typeof GithubRelease>;

/** `{prefix}{version}{suffix}` of an image tag, the suffix a commit hash or not: `v{v}-{hash}` for nitro. */
export function tagShape(tag: string): string | undefined {
  const version = tagVersion(tag);
  if (!version) return undefined;
  const at = tag.indexOf(version);
  const suffix = tag.slice(at + version.length).replace(/^-[0-9a-f]{7,40}$/, "-{hash}");
  return `${tag.slice(0, at)}{v}${suffix}`;
}

/**
 * The releases newer than the client's pin (stable ones, of the client's tag prefix), newest first,
 * each with the registry tag of the same version and the same shape as the pin, when there is one.
 */
export function newerReleases(client: Client, releases: readonly GithubRelease[], registryTags: readonly string[]): NewerRelease[] {
  const prefix = client.releases?.tagPrefix ?? "";
  const pinned = tagVersion(client.image.tag);
  const shape = tagShape(client.image.tag);
  if (!pinned) return [];
  return releases
    .filter((r) => !r.draft && !r.prerelease && r.published_at && r.tag_name.startsWith(prefix))
    .flatMap((r) => {
      const version = tagVersion(r.tag_name.slice(prefix.length));
      if (!version || compareVersions(version, pinned) <= 0) return [];
      const imageTag = registryTags.find((t) => tagVersion(t) === version && tagShape(t) === shape);
      return [{ version, release: r.tag_name, publishedAt: present(r.published_at, `${r.tag_name}'s published_at`), url: r.html_url, ...(imageTag ? { imageTag } : {}) }];
    })
    .sort((a, b) => compareVersions(b.version, a.version))
    .slice(0, 5);
}

export function overlayYaml(overlay: ReleasesOverlay): string {
  return `# Written by \`sovereign catalog refresh\`: releases newer than each pin. Pins change only with --accept.\n${stringify(overlay)}`;
}

/**
 * clients.yaml with each `client@tag` of `wanted` pinned, when the overlay lists that image tag for
 * the client; the file's comments, anchors and layout are kept. Problems name each refused entry.
 */
export function raisePins(clientsYaml: string, overlay: ReleasesOverlay, wanted: readonly string[]): { text: string; problems: string[] } {
  const doc = parseDocument(clientsYaml);
  const ids = (doc.toJS() as { clients: Array<{ id: string }> }).clients.map((c) => c.id);
  const problems: string[] = [];
  for (const entry of wanted) {
    const [client, tag] = entry.split("@");
    const found = overlay.clients.find((c) => c.client === client)?.newer.find((n) => n.imageTag === tag);
    const index = ids.indexOf(client);
    if (!found || index < 0) {
      problems.push(`${entry}: the overlay of ${overlay.asOf} lists no image tag ${tag ?? "(none given)"} for ${client}; give client@tag as \`catalog images\` shows it`);
      continue;
    }
    doc.setIn(["clients", index, "image", "tag"], tag);
    doc.setIn(["clients", index, "image", "source"], `GitHub release ${found.release} (${found.url}, ${found.publishedAt.slice(0, 10)}); image tag seen by catalog refresh`);
    doc.setIn(["clients", index, "image", "asOf"], overlay.asOf);
  }
  return { text: doc.toString({ lineWidth: 0 }), problems };
}
