/**
 * The workload layer: what runs on a node and how it is exposed, rendered once (pure, no Pulumi)
 * and delivered per provider — cloud-init on AWS/GCP/Azure, SSH on bare metal, SDL on Akash.
 */
export * from "./tags";
export * from "./firewall";
export * from "./clients";
export * from "./render";
export * from "./cloud-init";
export * from "./upstream-terminator";
export { DEFAULT_TEMPLATE_DIR, readTemplate, fill, fillDeep } from "./templates";
