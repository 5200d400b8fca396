/**
 * Resource policy `no-public-admin-ports`: nothing opens the engine API (8551), admin RPC, metrics
 * or SSH to the whole internet (0.0.0.0/0, ::/0, Azure's `*`/`Internet`). Covers AWS security
 * groups and their separate rule resources, GCP firewalls, Azure NSGs and security rules. Which
 * ports are closed comes from the catalog: every client port of exposure internal or private,
 * for the clients the resource's sovereign:* tags name, or for any client when it has none.
 */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import type { Catalog } from "../../core/catalog/load";
import type { Ingress } from "../../core/resources";
import { readerOf } from "../../core/providers";
import { layerOfTagKey } from "../../core/workload/tags";
import { catalog, message, readOne } from "../lib";

const WORLD = new Set(["0.0.0.0/0", "::/0", "0.0.0.0", "*", "internet", "any"]);
const SSH = { port: 22, protocol: "tcp", name: "ssh" };

export interface ClosedPort {
  port: number;
  protocol: string;
  name: string;
}

/** Ports that must never face the internet: the clients' internal/private ports and SSH. */
export function closedPorts(cat: Catalog, clients?: string[]): ClosedPort[] {
  const all = [...cat.clients.values()];
  const chosen = clients?.length ? all.filter((c) => clients.includes(c.id)) : all;
  // With no client known, a port some client serves publicly (P2P, RPC) is not judged.
  const open = new Set(
    clients?.length
      ? []
      : all.flatMap((c) =>
          c.ports.filter((p) => p.exposure === "public" || p.exposure === "rpc").map((p) => `${p.port}/${p.protocol}`),
        ),
  );
  const closed = new Map<string, ClosedPort>([["22/tcp", SSH]]);
  for (const c of chosen) {
    for (const p of c.ports) {
      const key = `${p.port}/${p.protocol}`;
      if ((p.exposure === "internal" || p.exposure === "private") && !open.has(key) && !closed.has(key)) {
        closed.set(key, { port: p.port, protocol: p.protocol, name: `${c.id} ${p.name}` });
      }
    }
  }
  return [...closed.values()].sort((a, b) => a.port - b.port);
}

const covers = (rule: Ingress, p: ClosedPort) =>
  (rule.protocol === "all" || rule.protocol === p.protocol) &&
  (rule.ports.length === 0 || rule.ports.some(([a, b]) => a <= p.port && p.port <= b));

/** The world-open rules of a resource and the closed ports each exposes. */
export function publicAdminPorts(
  rules: Ingress[],
  closed: ClosedPort[],
): Array<{ rule: Ingress; source: string; ports: ClosedPort[] }> {
  return rules.flatMap((rule) => {
    const source = rule.sources.find((s) => WORLD.has(s.toLowerCase()));
    const ports = source ? closed.filter((p) => covers(rule, p)) : [];
    return source && ports.length ? [{ rule, source, ports }] : [];
  });
}

export const noPublicAdminPorts: ResourceValidationPolicy = {
  name: "no-public-admin-ports",
  description: "No ingress from 0.0.0.0/0 or ::/0 to the engine API (8551), admin RPC, metrics or SSH.",
  enforcementLevel: "mandatory",
  severity: "critical",
  remediationSteps:
    "Open these ports only to named CIDRs (admin hosts, a VPN, the fleet's own network). The engine API needs no " +
    "ingress at all: the consensus client reaches it on the same host.",
  validateResource: (args, report) => {
    const read = readOne(args);
    if (!read.ingress.length) return;
    const clients = Object.entries(tagsOf(args.props))
      .filter(([k]) => layerOfTagKey(k))
      .map(([, v]) => v);
    const fix =
      readerOf(args.type)?.provider.adminPortFix ?? "open these ports only to named CIDRs, or delete the rule";
    for (const hit of publicAdminPorts(read.ingress, closedPorts(catalog(), clients))) {
      const where = hit.rule.path ? `${args.name} ${hit.rule.path}` : args.name;
      report(
        message(
          "Public ingress to closed ports",
          `${where} (${args.type})`,
          `${hit.source} may reach ${hit.ports.map((p) => `${p.port}/${p.protocol} (${p.name})`).join(", ")}`,
          fix,
        ),
      );
    }
  },
};

function tagsOf(props: Record<string, any>): Record<string, string> {
  try {
    const tags = props.tags;
    return tags && typeof tags === "object" ? tags : {};
  } catch {
    return {};
  }
}
