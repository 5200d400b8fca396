/**
 * The RPC gateway's data plane, pure: HAProxy configuration (routes, health and lag checks,
 * retries, API keys, TLS, metrics) and the gateway's workload (compose project + files).
 */
export * from "./types";
export * from "./haproxy";
export * from "./workload";
export * from "./upstreams";
export * from "./upstream-tls";
