/**
 * Resource policy `shape-meets-profile`: a machine that serves a chain has at least the vCPU and
 * memory of the chain role's hardware profile in the catalog (catalog/chains.yaml). A smaller
 * machine falls behind the chain head; the catalog's minimums come with their sources.
 */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import type { TagMapping } from "../../core/resources";
import { catalog, message, readOne, TAG_MAPPING_SCHEMA } from "../lib";

export const shapeMeetsProfile: ResourceValidationPolicy = {
  name: "shape-meets-profile",
  description: "Node machines meet the vCPU and memory minimums of their chain's hardware profile in the catalog.",
  enforcementLevel: "mandatory",
  severity: "medium",
  remediationSteps:
    "Pick a larger instance type (`sovereign catalog prices` lists shapes with their vCPU and memory), " +
    "or let `sovereign plan` choose the cheapest shape that fits.",
  configSchema: { properties: { tagMapping: TAG_MAPPING_SCHEMA } },
  validateResource: (args, report) => {
    const { tagMapping } = args.getConfig<{ tagMapping?: TagMapping }>();
    for (const m of readOne(args, tagMapping).machines) {
      if (!m.served || m.vcpu === undefined || m.memoryGb === undefined) continue;
      const profile = catalog().chains.get(m.served.chain)?.roles[m.served.role || "full"];
      if (!profile) continue;
      const short = [
        m.vcpu < profile.vcpu ? `${m.vcpu} vCPU (needs ${profile.vcpu})` : "",
        m.memoryGb < profile.memoryGb ? `${m.memoryGb} GB memory (needs ${profile.memoryGb})` : "",
      ].filter(Boolean);
      if (!short.length) continue;
      report(
        message(
          "Undersized node machine",
          `${m.name} (${m.type})`,
          `${m.shape} has ${short.join(" and ")} for a ${m.served.chain} ${m.served.role || "full"} node (catalog: ${profile.source}, ${profile.asOf})`,
          "choose a shape with at least the profile's vCPU and memory",
        ),
      );
    }
  },
};
