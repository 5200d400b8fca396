/**
 * Bare metal: SSH-reachable hosts the spec lists (`sites.baremetal.hosts`), priced by the spec, not
 * the catalog; the Pulumi side is components/baremetal/ (remote commands). A node is found by the
 * tags on its command resource; its host firewall is an nftables ruleset a command loads.
 */
import type { Ingress, ProviderFacts, ReaderKit } from "../types";

/**
 * A bare-metal host firewall: an nftables ruleset a command resource loads (`nft -f -` with the
 * ruleset in stdin, as the bare-metal host component does). An `accept` for destination ports with
 * no source address match opens them to everyone; accepts limited by `saddr` and drops are not
 * ingress from the world. Ports a ruleset leaves unmentioned are not judged.
 */
function nftIngress(p: Record<string, unknown>, kit: ReaderKit): Ingress[] {
  const run = [kit.str(kit.get(p, "create")), kit.str(kit.get(p, "update"))].join(" ");
  const ruleset = kit.str(kit.get(p, "stdin"));
  if (!ruleset || !/\bnft\b/.test(run)) return [];
  const out: Ingress[] = [];
  ruleset.split("\n").forEach((line, i) => {
    const rule = line.replace(/#.*$/, "").trim();
    if (!/\baccept\b/.test(rule) || /\bsaddr\b/.test(rule) || /\biifname\b/.test(rule)) return;
    const m =
      /\b(tcp|udp)\s+dport\s+(\{[^}]*\}|\d+(?:-\d+)?)/.exec(rule) ??
      /l4proto\s+(tcp|udp)\s+ct original proto-dst\s+(\{[^}]*\}|\d+(?:-\d+)?)/.exec(rule);
    if (!m) return;
    const ports = kit.portRanges(
      m[2]
        .replace(/[{}]/g, "")
        .split(",")
        .map((x) => x.trim())
        .filter(Boolean),
    );
    out.push(kit.ingress({ path: `stdin line ${i + 1}`, protocol: m[1], ports, sources: ["0.0.0.0/0", "::/0"] }));
  });
  return out;
}

export const baremetal = {
  id: "baremetal",
  kind: "hosts",
  resources: { "command:remote:Command": (p, kit) => ({ ingress: nftIngress(p, kit) }) },
  freeTypes: ["command:remote:Command", "command:remote:CopyToRemote"],
  adminPortFix:
    "restrict the nftables accept with `ip saddr { <admin CIDRs> }`, or drop these ports (Sovereign's BareMetalHost does)",
} as const satisfies ProviderFacts;
