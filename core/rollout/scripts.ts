/**
 * The shell scripts of a rolling upgrade on bare metal, run over SSH on a gateway's host
 * (templates/rollout): a node drained or put back at the gateway, and the health bar it must pass.
 */
import { rpcKind } from "../rpc-kinds";
import { fill, readTemplate } from "../workload/templates";
import type { RolloutSettings } from "../plan/types";

/**
 * sed programs that print a node's head from the answer to its kind's `head.body` (the shell's
 * reading of the Lua parsers in core/rpc-kinds; an EVM head stays hex and the script converts it).
 */
const HEAD_SED: Record<string, string> = {
  evm: 's/.*"result"[[:space:]]*:[[:space:]]*"\\(0x[0-9a-fA-F]*\\)".*/\\1/p',
  bitcoin: 's/.*"blocks"[[:space:]]*:[[:space:]]*\\([0-9]*\\).*/\\1/p',
  cometbft: 's/.*"latest_block_height"[[:space:]]*:[[:space:]]*"\\([0-9]*\\)".*/\\1/p',
  xrpl: 's/.*"validated_ledger"[^}]*"seq"[[:space:]]*:[[:space:]]*\\([0-9]*\\).*/\\1/p',
};

/** Where a rollout script reaches a gateway on its host. */
export interface RolloutGateway {
  id: string;
  /** The gateway's compose container (`<project>-gateway`). */
  container: string;
  /** Its stats page, `address:port` on loopback (gateways.metrics). */
  metrics: string;
  /** HAProxy backend of the chain's JSON-RPC (`rpc_<chain>.<network>`): its health check is the bar's. */
  backend: string;
  /** Every backend of the chain the node may be in (JSON-RPC, WebSocket): all of them drain. */
  backends: readonly string[];
  /** The gateway's upstream credentials map, for chains whose nodes want them; "" when none. */
  authFile: string;
}

/** `set server <backend>/<node> state drain|ready` at one gateway; a drain waits for in-flight requests. */
export function gatewayStateScript(
  gateway: RolloutGateway,
  node: string,
  action: "drain" | "ready",
  drainSeconds = 30,
): string {
  return fill(
    readTemplate("rollout/gateway-state.sh"),
    {
      gateway: gateway.id,
      container: gateway.container,
      metrics: gateway.metrics,
      backends: gateway.backends.join(" "),
      node,
      action,
      drainSeconds: String(drainSeconds),
    },
    "templates/rollout/gateway-state.sh",
  );
}

/** The health bar of `node` (at `url`) against its chain's other nodes (`peers`), from a gateway's host. */
export function healthScript(args: {
  gateway: RolloutGateway;
  node: string;
  chain: string;
  kind: string;
  url: string;
  peers: readonly string[];
  settings: RolloutSettings;
}): string {
  const sed = HEAD_SED[args.kind];
  if (!sed) throw new Error(`${args.node}: no head reader for RPC kind ${args.kind}; rollouts need one (core/rollout)`);
  const quoted = (s: string) => `'${s.replace(/'/g, "'\\''")}'`;
  return fill(
    readTemplate("rollout/health.sh"),
    {
      gateway: args.gateway.id,
      container: args.gateway.container,
      metrics: args.gateway.metrics,
      backend: args.gateway.backend,
      authFile: args.gateway.authFile,
      node: args.node,
      chain: args.chain,
      kind: args.kind,
      url: args.url,
      peers: args.peers.map(quoted).join(" "),
      headBody: rpcKind(args.kind).head.body,
      headSed: sed,
      maxLagBlocks: String(args.settings.maxLagBlocks),
      soakSeconds: String(args.settings.soakSeconds),
      timeoutSeconds: String(args.settings.timeoutSeconds),
    },
    "templates/rollout/health.sh",
  );
}
