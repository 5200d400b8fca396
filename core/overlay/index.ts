/** The private WireGuard overlay between gateways and nodes: addresses, peers, configuration text. */
export * from "./addresses";
export * from "./plan";
export * from "./wg-config";
export * from "./keys";
