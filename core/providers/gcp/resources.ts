/** How GCP resources read: instances (boot disk, local SSD), persistent disks, external addresses, firewalls. */
import type { ResourceReader } from "../types";

const instance: ResourceReader = (p, kit) => {
  const init = kit.get(p, "bootDisk", "initializeParams");
  const disks = [
    kit.disk({
      suffix: "/bootDisk",
      role: "root",
      storageClass: kit.lastSegment(kit.get(init, "type")) ?? "pd-standard",
      sizeGb: kit.qty(kit.get(init, "size")) ?? 10,
      alwaysEncrypted: true,
    }),
  ];
  // Local SSD partitions are billed per GB: one line for all of them.
  const scratch = kit.list(kit.get(p, "scratchDisks")).map((d) => kit.qty(kit.get(d, "size")) ?? 375);
  if (scratch.length) {
    disks.push(
      kit.disk({
        suffix: `/scratchDisks[${scratch.length}]`,
        role: "local",
        storageClass: "local-ssd",
        sizeGb: scratch.reduce((a, b) => a + b, 0),
        alwaysEncrypted: true,
      }),
    );
  }
  return { machines: [kit.machine(kit.lastSegment(kit.get(p, "machineType")))], disks };
};

export const GCP_RESOURCES: Record<string, ResourceReader> = {
  "gcp:compute/instance:Instance": instance,
  "gcp:compute/disk:Disk": (p, kit) => ({
    disks: [
      kit.disk({
        role: "data",
        storageClass: kit.lastSegment(kit.get(p, "type")) ?? "pd-standard",
        sizeGb: kit.qty(kit.get(p, "size")),
        iops: kit.qty(kit.get(p, "provisionedIops")),
        throughputMBps: kit.qty(kit.get(p, "provisionedThroughput")),
        alwaysEncrypted: true,
      }),
    ],
  }),
  "gcp:compute/address:Address": (p, kit) =>
    String(kit.get(p, "addressType") ?? "EXTERNAL").toUpperCase() === "EXTERNAL" ? { publicIps: [kit.ip()] } : {},
  "gcp:compute/firewall:Firewall": (p, kit) => {
    if (String(kit.get(p, "direction") ?? "INGRESS").toUpperCase() !== "INGRESS" || kit.get(p, "disabled") === true)
      return {};
    const sources = kit.list(kit.get(p, "sourceRanges")).filter((s) => !!kit.str(s));
    return {
      ingress: kit.list(kit.get(p, "allows")).map((a, i) =>
        kit.ingress({
          path: `allows[${i}]`,
          protocol: kit.protocolOf(kit.get(a, "protocol")),
          ports: kit.portRanges(kit.list(kit.get(a, "ports"))),
          sources,
        }),
      ),
    };
  },
};
