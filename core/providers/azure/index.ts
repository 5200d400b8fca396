/** Azure: VMs in catalog locations (catalog/providers/azure.yaml); the Pulumi side is components/azure/. */
import type { ProviderFacts } from "../types";
import { AZURE_RESOURCES } from "./resources";

export const azure = {
  id: "azure",
  kind: "cloud",
  resources: AZURE_RESOURCES,
  freeTypes: [
    "azure-native:resources:ResourceGroup",
    "azure-native:network:VirtualNetwork",
    "azure-native:network:Subnet",
    "azure-native:network:NetworkSecurityGroup",
    "azure-native:network:SecurityRule",
    "azure-native:network:NetworkInterface",
  ],
  // "East US" -> "eastus" (Azure accepts both; the catalog uses the short form).
  regionOf: (p, pp, config, kit) =>
    (kit.str(kit.get(p, "location")) ?? kit.str(kit.get(pp, "location")) ?? config["azure-native:location"])
      ?.toLowerCase()
      .replace(/\s+/g, ""),
  adminPortFix:
    "set the security rule's sourceAddressPrefix(es) to your admin CIDRs instead of */Internet, or delete the rule",
} as const satisfies ProviderFacts;
