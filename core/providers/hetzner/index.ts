/**
 * Hetzner Cloud: API-provisioned servers in catalog locations (catalog/providers/hetzner.yaml);
 * Hetzner Online GmbH is headquartered in Germany, outside the US CLOUD Act. The Pulumi side is
 * components/hetzner/. Hetzner label keys cannot hold `:`, so resources carry labels in the
 * restricted form (`sovereign-node`), like GCP.
 */
import type { ProviderFacts, ResourceReader } from "../types";

const server: ResourceReader = (p, kit) => {
  const nets = kit.list(kit.get(p, "publicNets"));
  const ipv4 = nets.length === 0 || nets.some((n) => kit.get(n, "ipv4Enabled") !== false);
  return {
    machines: [kit.machine(kit.str(kit.get(p, "serverType")))],
    // A server's primary IPv4 is billed with it unless public IPv4 is off.
    publicIps: ipv4 ? [kit.ip()] : [],
  };
};

export const hetzner = {
  id: "hetzner",
  kind: "cloud",
  resources: {
    "hcloud:index/server:Server": server,
    "hcloud:index/volume:Volume": (p, kit) => ({
      disks: [
        kit.disk({ role: "data", storageClass: "volume", sizeGb: kit.qty(kit.get(p, "size")), alwaysEncrypted: false }),
      ],
    }),
    "hcloud:index/primaryIp:PrimaryIp": (p, kit) =>
      String(kit.get(p, "type") ?? "ipv4") === "ipv4" ? { publicIps: [kit.ip()] } : {},
    "hcloud:index/firewall:Firewall": (p, kit) => ({
      ingress: kit
        .list(kit.get(p, "rules"))
        .map((rule, i) => ({ rule, i }))
        .filter(({ rule }) => String(kit.get(rule, "direction") ?? "in") === "in")
        .map(({ rule, i }) =>
          kit.ingress({
            path: `rules[${i}]`,
            protocol: kit.protocolOf(kit.get(rule, "protocol")),
            ports: kit.portRanges([kit.get(rule, "port") ?? "*"]),
            sources: kit.list(kit.get(rule, "sourceIps")).filter((s) => !!kit.str(s)),
          }),
        ),
    }),
  },
  freeTypes: [
    "hcloud:index/firewall:Firewall",
    "hcloud:index/firewallAttachment:FirewallAttachment",
    "hcloud:index/volumeAttachment:VolumeAttachment",
    "hcloud:index/sshKey:SshKey",
  ],
  regionOf: (p, _providerProps, config, kit) => kit.str(kit.get(p, "location")) ?? config["hcloud:location"],
  tagsOf: (p, kit) => kit.fromLabels(kit.record(kit.get(p, "labels"))),
  adminPortFix:
    "set the firewall rule's sourceIps to your admin CIDRs instead of 0.0.0.0/0 and ::/0, or delete the rule",
  tagFix: "add the labels in restricted form (sovereign-node, sovereign-chain, ...)",
} as const satisfies ProviderFacts;
