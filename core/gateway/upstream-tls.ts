/**
 * mTLS between the gateways and nodes outside the fleet's WireGuard overlay (an Akash lease runs no
 * WireGuard: no NET_ADMIN, no tun device). The node gets a small HAProxy beside it that accepts only
 * the gateways' client certificates (the fleet's upstream CA) and forwards to the node's RPC; the
 * gateways dial it with their client certificate and check the node's name. Pure: the names and the
 * gateway's side of it (the terminator is part of the node's workload, core/workload/upstream-terminator);
 * the certificates are made by the components (UpstreamCa).
 */
import { OUTSIDE_OVERLAY } from "../catalog/schema";
import type { Plan, PlannedNode } from "../plan";
import { fill, readTemplate } from "../workload/templates";

/** Nodes the plan's gateways dial over mTLS: nodes of their chains that cannot join the overlay (Akash). */
export function mtlsNodes(plan: Pick<Plan, "nodes" | "gateways">): PlannedNode[] {
  const served = new Set(plan.gateways.flatMap((g) => g.chains));
  return plan.nodes.filter((n) => OUTSIDE_OVERLAY.has(n.provider) && served.has(n.chainKey));
}

/** The name in a node's server certificate, which the gateways check: `<node>.<fleet>.upstream.sovereign`. */
export function upstreamServerName(fleet: string, node: string): string {
  return `${node}.${fleet}.upstream.sovereign`;
}

/** What a certificate of the upstream CA is for. */
export type UpstreamCertificateUsage = "server" | "client";

/** The shell script that draws the fleet's upstream CA (run by the UpstreamCa component, and by tests). */
export function upstreamCaScript(fleet: string, templateDir?: string): string {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(fleet)) throw new Error(`fleet '${fleet}' must be a DNS label`);
  return fill(
    readTemplate("gateway/upstream-ca.sh", templateDir),
    { name: `${fleet} upstream CA` },
    "templates/gateway/upstream-ca.sh",
  );
}

/** The shell script that issues one certificate of the upstream CA (the CA's PEM on its stdin). */
export function upstreamCertificateScript(name: string, usage: UpstreamCertificateUsage, templateDir?: string): string {
  if (!/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/.test(name)) throw new Error(`certificate name '${name}' must be a DNS name`);
  return fill(
    readTemplate("gateway/upstream-cert.sh", templateDir),
    // A CN holds at most 64 characters; peers check the DNS name, which has no such limit.
    { name, cn: name.slice(0, 64), usage: usage === "server" ? "serverAuth" : "clientAuth" },
    "templates/gateway/upstream-cert.sh",
  );
}

/** Splits the scripts' output (certificate PEM, then key PEM). */
export function splitCertificateAndKey(pem: string): { certificate: string; privateKey: string } {
  const certificate = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pem)?.[0];
  const privateKey = /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]+?-----END [A-Z ]*PRIVATE KEY-----/.exec(pem)?.[0];
  if (!certificate || !privateKey) throw new Error("expected a PEM certificate followed by its private key");
  return { certificate: `${certificate}\n`, privateKey: `${privateKey}\n` };
}
