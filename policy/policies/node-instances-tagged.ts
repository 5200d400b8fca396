/**
 * Resource policy `node-instances-tagged`: every machine (EC2 instance, GCP instance, Azure VM)
 * says which node it is and what it serves, with Sovereign's tags (core/workload/tags.ts), or with
 * the user's own tag keys when `tagMapping` is configured. Without them the diversity policy cannot
 * count the machine, and an outage cannot be traced to the chains it takes down.
 */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import type { TagMapping } from "../../core/resources";
import { providerFacts } from "../../core/providers";
import { NODE_TAG_KEYS } from "../../core/workload/tags";
import { message, readOne, TAG_MAPPING_SCHEMA } from "../lib";

export const nodeInstancesTagged: ResourceValidationPolicy = {
  name: "node-instances-tagged",
  description:
    "Node machines carry the sovereign:* tags (or your configured tag keys) naming node, chain, network, role and clients.",
  enforcementLevel: "advisory",
  severity: "medium",
  remediationSteps:
    "Deploy with Sovereign's components (they tag every resource), or add the tags yourself: " +
    "sovereign:node, sovereign:chain, sovereign:network, sovereign:role, sovereign:<layer> per client (GCP labels: sovereign-node ...). " +
    "Stacks with their own scheme set the policy's tagMapping config.",
  configSchema: { properties: { tagMapping: TAG_MAPPING_SCHEMA } },
  validateResource: (args, report) => {
    const { tagMapping } = args.getConfig<{ tagMapping?: TagMapping }>();
    for (const m of readOne(args, tagMapping).machines) {
      const provider = providerFacts(m.provider);
      if (provider?.kind !== "cloud") continue;
      if (m.served && Object.keys(m.served.clients).length) continue;
      const missing = tagMapping?.chain
        ? [tagMapping.chain, ...Object.values(tagMapping.clients ?? {})].filter((k) => !m.tags[k])
        : NODE_TAG_KEYS.filter((k) => !m.tags[k]);
      report(
        message(
          "Untagged node machine",
          `${m.name} (${m.type})`,
          `missing ${missing.length ? missing.join(", ") : "client tags (sovereign:<layer>)"}`,
          provider.tagFix ?? "add the tags to the resource's tags",
        ),
      );
    }
  },
};
