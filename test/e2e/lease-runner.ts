/**
 * A STAND-IN FOR AN AKASH PROVIDER in the lab: it runs a lease's SDL services as containers on one
 * lab host's own dockerd, the way a provider's Kubernetes runs them: one network per lease where
 * each service is reachable by its name, `command` replacing the image entrypoint, `$(VAR)` in args
 * expanded from the service's env, `global` exposes published on the host's address, persistent
 * volumes as named volumes. No chain, no bids (the Console contract server scripts those): only
 * what the lease runs, so the gateways can reach a leased node for real.
 */
import { execFileSync } from "node:child_process";

interface SdlService {
  image: string;
  command?: string[];
  args?: string[];
  env?: string[];
  expose?: Array<{ port: number; as?: number; proto?: string; to?: Array<{ global?: boolean; service?: string }> }>;
  params?: { storage?: Record<string, { mount: string }> };
}

export interface LeaseRunner {
  run(dseq: string, sdl: Record<string, unknown>): Promise<void>;
  close(dseq: string): Promise<void>;
  /** Containers of every lease still running (names). */
  containers(): string[];
}

/** Runs leases on the dockerd at `dockerSocket`, publishing global ports on `address`. */
export function leaseRunner(dockerSocket: string, address: string): LeaseRunner {
  const docker = (...args: string[]) =>
    execFileSync("docker", ["-H", `unix://${dockerSocket}`, ...args], { encoding: "utf8", timeout: 120_000 }).trim();
  const name = (dseq: string, service?: string) => `lease-${dseq}${service ? `-${service}` : ""}`;
  return {
    async run(dseq, sdl) {
      const services = sdl.services as Record<string, SdlService>;
      docker("network", "create", name(dseq));
      for (const [service, s] of Object.entries(services)) {
        const env = Object.fromEntries(
          (s.env ?? []).map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]),
        );
        // Kubernetes expands $(VAR) in command and args from the container's env.
        const expand = (a: string) => a.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, v: string) => env[v] ?? m);
        const publish = (s.expose ?? [])
          .filter((e) => e.to?.some((t) => t.global))
          .flatMap((e) => ["-p", `${address}:${e.as ?? e.port}:${e.port}/${e.proto ?? "tcp"}`]);
        const volumes = Object.entries(s.params?.storage ?? {}).flatMap(([v, m]) => [
          "-v",
          `${name(dseq, `${service}-${v}`)}:${m.mount}`,
        ]);
        const [entrypoint, ...commandArgs] = s.command ?? [];
        docker(
          "run",
          "-d",
          "--name",
          name(dseq, service),
          "--network",
          name(dseq),
          "--network-alias",
          service,
          "--label",
          `sovereign.lease=${dseq}`,
          ...Object.keys(env).flatMap((k) => ["-e", `${k}=${env[k]}`]),
          ...publish,
          ...volumes,
          ...(entrypoint ? ["--entrypoint", entrypoint] : []),
          s.image,
          ...commandArgs.map(expand),
          ...(s.args ?? []).map(expand),
        );
      }
    },
    async close(dseq) {
      const ids = docker("ps", "-aq", "--filter", `label=sovereign.lease=${dseq}`);
      if (ids) docker("rm", "-f", "-v", ...ids.split("\n"));
      const volumes = docker("volume", "ls", "-q", "--filter", `name=${name(dseq)}`);
      if (volumes) docker("volume", "rm", ...volumes.split("\n"));
      docker("network", "rm", name(dseq));
    },
    containers() {
      const out = docker("ps", "-a", "--filter", "label=sovereign.lease", "--format", "{{.Names}}");
      return out ? out.split("\n") : [];
    },
  };
}
