/**
 * GCP: Compute Engine VMs in catalog regions (catalog/providers/gcp.yaml); the Pulumi side is
 * components/gcp/. Its resources carry labels, not tags (core/workload/tags: toGcpLabels).
 */
import type { ProviderFacts } from "../types";
import { GCP_RESOURCES } from "./resources";

const zoneToRegion = (zone: string | undefined) => zone?.replace(/-[a-z]$/, "");

export const gcp = {
  id: "gcp",
  kind: "cloud",
  resources: GCP_RESOURCES,
  freeTypes: [
    "gcp:compute/address:Address",
    "gcp:compute/network:Network",
    "gcp:compute/subnetwork:Subnetwork",
    "gcp:compute/firewall:Firewall",
  ],
  regionOf: (p, pp, config, kit) =>
    kit.str(kit.get(p, "region"))?.split("/").pop() ??
    zoneToRegion(kit.lastSegment(kit.get(p, "zone"))) ??
    kit.str(kit.get(pp, "region")) ??
    zoneToRegion(kit.str(kit.get(pp, "zone"))) ??
    config["gcp:region"] ??
    zoneToRegion(config["gcp:zone"]),
  tagsOf: (p, kit) => kit.fromLabels(kit.record(kit.get(p, "labels"))),
  adminPortFix: "set the firewall's sourceRanges to your admin CIDRs, or remove these ports from allows",
  tagFix: "add the labels in GCP form (sovereign-node, sovereign-chain, ...)",
} as const satisfies ProviderFacts;
