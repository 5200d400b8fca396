/**
 * Reads a client's releases from the GitHub releases API and its image tags from its registry (the
 * OCI distribution API, with the anonymous bearer-token handshake Docker Hub, ghcr.io and gcr.io use).
 * Every request is bounded in time and size, every answer is validated before use, and credentials
 * never appear in a message.
 */
import { z } from "zod";
import { SourceError } from "../errors";
import { GithubRelease } from "./releases";

export interface FeedOptions {
  /** GitHub's API base. @default "https://api.github.com" */
  githubApi: string;
  /** Sends every registry request here instead of the image's own registry (a mirror, a test server). */
  registryOverride?: string;
  /** A GitHub token for the rate limit (GITHUB_TOKEN); sent only to githubApi. */
  githubToken?: string;
  /** Per request. @default 10000 */
  timeoutMs?: number;
}

const MAX_BYTES = 4 * 1024 * 1024;
const DEFAULT_TIMEOUT_MS = 10_000;

/** A URL fit for a message: no user or password. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = "";
    u.password = "";
    return u.toString();
  } catch {
    return "<not a URL>";
  }
}

async function getJson(url: string, opts: FeedOptions, headers: Record<string, string> = {}): Promise<{ status: number; body: unknown; auth?: string }> {
  const where = redactUrl(url);
  let res: Response;
  try {
    res = await fetch(url, { headers, signal: AbortSignal.timeout(opts.timeoutMs ?? DEFAULT_TIMEOUT_MS), redirect: "follow" });
  } catch (e) {
    const inner = (e as { cause?: { code?: string; errors?: Array<{ code?: string }> } }).cause;
    const cause = inner?.code ?? inner?.errors?.[0]?.code ?? (e as Error).name;
    throw new SourceError(
      cause === "TimeoutError"
        ? `${where} did not answer within ${(opts.timeoutMs ?? DEFAULT_TIMEOUT_MS) / 1000} s`
        : `${where} cannot be reached (${cause}): catalog refresh needs the internet (or --github-api/--registry to a mirror)`,
    );
  }
  const text = await res.text();
  if (text.length > MAX_BYTES) throw new SourceError(`${where} answered more than ${MAX_BYTES} bytes`);
  let body: unknown = undefined;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    if (res.ok) throw new SourceError(`${where} answered something that is not JSON`);
  }
  return { status: res.status, body, auth: res.headers.get("www-authenticate") ?? undefined };
}

/** The repository's newest releases (one page of up to 100). */
export async function githubReleases(repo: string, opts: FeedOptions): Promise<GithubRelease[]> {
  const url = `${opts.githubApi.replace(/\/+$/, "")}/repos/${repo}/releases?per_page=100`;
  const headers: Record<string, string> = { accept: "application/vnd.github+json", "user-agent": "sovereign-catalog-refresh" };
  if (opts.githubToken) headers.authorization = `Bearer ${opts.githubToken}`;
  const { status, body } = await getJson(url, opts, headers);
  if (status !== 200) throw new SourceError(`${redactUrl(url)} answered HTTP ${status}`);
  const parsed = z.array(GithubRelease).max(100).safeParse(body);
  if (!parsed.success) throw new SourceError(`${redactUrl(url)}: not a list of releases (${parsed.error.issues[0]?.path.join(".")}: ${parsed.error.issues[0]?.message})`);
  return parsed.data;
}

/** Where an image's registry is and what it calls the repository (`ethereum/client-go` is Docker Hub's). */
export function registryOf(repository: string): { host: string; name: string } {
  const [first, ...rest] = repository.split("/");
  if (rest.length && (first.includes(".") || first.includes(":") || first === "localhost")) return { host: first, name: rest.join("/") };
  return { host: "registry-1.docker.io", name: rest.length ? repository : `library/${repository}` };
}

const Tags = z.object({ name: z.string(), tags: z.array(z.string().max(128)).max(100_000).nullable() });
const Token = z.union([z.object({ token: z.string().min(1) }), z.object({ access_token: z.string().min(1) })]);

/** The tags the registry lists for an image, after an anonymous token handshake if it asks for one. */
export async function registryTags(repository: string, opts: FeedOptions): Promise<string[]> {
  const { host, name } = registryOf(repository);
  const base = opts.registryOverride ? opts.registryOverride.replace(/\/+$/, "") : `https://${host}`;
  const url = `${base}/v2/${name}/tags/list?n=10000`;
  let answer = await getJson(url, opts);
  if (answer.status === 401 && answer.auth?.toLowerCase().startsWith("bearer ")) {
    const token = await anonymousToken(answer.auth, opts);
    answer = await getJson(url, opts, { authorization: `Bearer ${token}` });
  }
  if (answer.status !== 200) throw new SourceError(`${redactUrl(url)} answered HTTP ${answer.status}`);
  const parsed = Tags.safeParse(answer.body);
  if (!parsed.success) throw new SourceError(`${redactUrl(url)}: not a tags list`);
  return parsed.data.tags ?? [];
}

/** `WWW-Authenticate: Bearer realm="…",service="…",scope="…"` → a token from the realm, anonymously. */
async function anonymousToken(challenge: string, opts: FeedOptions): Promise<string> {
  const params = Object.fromEntries([...challenge.slice(7).matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
  if (!params.realm || !/^https?:\/\//.test(params.realm)) throw new SourceError("the registry's token challenge names no realm");
  const realm = new URL(params.realm);
  for (const key of ["service", "scope"]) if (params[key]) realm.searchParams.set(key, params[key]);
  const { status, body } = await getJson(realm.toString(), opts);
  const parsed = Token.safeParse(body);
  if (status !== 200 || !parsed.success) throw new SourceError(`${redactUrl(params.realm)} gave no token (HTTP ${status})`);
  return "token" in parsed.data ? parsed.data.token : parsed.data.access_token;
}
