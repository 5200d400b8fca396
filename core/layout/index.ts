/** Deploy-time layout, pure: port offsets and paths on shared hosts, network CIDRs, node labels. */
export * from "./ports";
export * from "./baremetal";
export * from "./node-labels";
export * from "./cidrs";
