/** How Azure resources read: VMs (OS disk, empty data disks), managed disks, public IPs, security rules. */
import type { Ingress, ReaderKit, ResourceReader } from "../types";

/** An inbound allow rule of a security group (older API versions nest its fields under properties). */
function azureRule(kit: ReaderKit, rule: unknown, path?: string): Ingress | undefined {
  const props = kit.get(rule, "properties") ?? rule;
  if (String(kit.get(props, "direction") ?? "Inbound").toLowerCase() !== "inbound") return undefined;
  if (String(kit.get(props, "access") ?? "Allow").toLowerCase() !== "allow") return undefined;
  const sources = [
    kit.str(kit.get(props, "sourceAddressPrefix")),
    ...kit.list(kit.get(props, "sourceAddressPrefixes")),
  ];
  const ports = [kit.str(kit.get(props, "destinationPortRange")), ...kit.list(kit.get(props, "destinationPortRanges"))];
  const given = ports.filter((s) => s !== undefined);
  return kit.ingress({
    path,
    protocol: kit.protocolOf(kit.get(props, "protocol")),
    ports: given.length ? kit.portRanges(given) : [],
    sources: sources.filter((s): s is string => !!kit.str(s)),
  });
}

const vm: ResourceReader = (p, kit) => {
  const os = kit.get(p, "storageProfile", "osDisk");
  const disks = [
    kit.disk({
      suffix: "/osDisk",
      role: "root",
      storageClass: kit.str(kit.get(os, "managedDisk", "storageAccountType")),
      sizeGb: kit.qty(kit.get(os, "diskSizeGB")),
      alwaysEncrypted: true,
    }),
  ];
  kit.list(kit.get(p, "storageProfile", "dataDisks")).forEach((d, i) => {
    // Attached disks are their own resources (priced there); Empty ones are created by the VM.
    if (String(kit.get(d, "createOption") ?? "").toLowerCase() !== "empty") return;
    disks.push(
      kit.disk({
        suffix: `/dataDisks[${i}]`,
        role: "data",
        storageClass: kit.str(kit.get(d, "managedDisk", "storageAccountType")),
        sizeGb: kit.qty(kit.get(d, "diskSizeGB")),
        alwaysEncrypted: true,
      }),
    );
  });
  return { machines: [kit.machine(kit.str(kit.get(p, "hardwareProfile", "vmSize")))], disks };
};

export const AZURE_RESOURCES: Record<string, ResourceReader> = {
  "azure-native:compute:VirtualMachine": vm,
  "azure-native:compute:Disk": (p, kit) => ({
    disks: [
      kit.disk({
        role: "data",
        storageClass: kit.str(kit.get(p, "sku", "name")),
        sizeGb: kit.qty(kit.get(p, "diskSizeGB")),
        alwaysEncrypted: true,
        // Premium SSD v2 (and Ultra) provision performance on the disk.
        iops: kit.qty(kit.get(p, "diskIOPSReadWrite")),
        throughputMBps: kit.qty(kit.get(p, "diskMBpsReadWrite")),
      }),
    ],
  }),
  "azure-native:network:PublicIPAddress": (_p, kit) => ({ publicIps: [kit.ip()] }),
  "azure-native:network:NetworkSecurityGroup": (p, kit) => ({
    ingress: kit
      .list(kit.get(p, "securityRules"))
      .map((rule, i) => azureRule(kit, rule, `securityRules[${i}]`))
      .filter((r): r is Ingress => !!r),
  }),
  "azure-native:network:SecurityRule": (p, kit) => {
    const rule = azureRule(kit, p);
    return rule ? { ingress: [rule] } : {};
  },
};
