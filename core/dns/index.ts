/** The RPC hostname on several DNS providers: record sets, zone files, self-hosted server configs. */
export * from "./records";
export * from "./zone";
