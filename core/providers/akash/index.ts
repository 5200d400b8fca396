/**
 * Akash: leases bought on the marketplace (catalog/providers/akash.yaml prices them); the Pulumi
 * side is components/akash/ (a dynamic resource that carries the node's tags). A lease is a
 * container without NET_ADMIN or a tun device, so it runs no WireGuard: gateways reach its nodes
 * over mTLS instead (core/gateway/upstream-tls).
 */
import type { ProviderFacts } from "../types";

export const akash = {
  id: "akash",
  kind: "market",
  outsideOverlay: true,
  resources: {},
  freeTypes: [],
  adminPortFix:
    "in the deployment's SDL, expose the port to no one globally (drop `global: true`); Sovereign's SDL exposes RPC only through its mTLS terminator",
} as const satisfies ProviderFacts;
