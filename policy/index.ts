/**
 * The Sovereign policy pack: `pulumi preview --policy-pack ./policy [--policy-pack-config cfg.json]`
 * or `pulumi policy analyze --file state.json --policy-pack ./policy`. One policy per module in
 * policies/; see docs/policy.md for each one, its config and how to fix what it reports.
 */
import "./secrets";
import { PolicyPack } from "@pulumi/policy";
import { POLICIES } from "./policies";

new PolicyPack("sovereign", {
  description: "Diversity of blockchain node fleets and safe defaults, on any Pulumi stack.",
  policies: POLICIES,
});
