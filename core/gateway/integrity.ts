/**
 * The gateway's integrity layer, pure: HAProxy sends a chain's integrity reads (state and history
 * methods) to an eRPC sidecar on loopback, whose consensus policy answers only when nodes on enough
 * operators agree (the quorum of core/diversity/quorum.ts); head reads, writes and WebSocket stay on
 * HAProxy. This module writes the HAProxy rule and backend (templates/gateway/integrity.cfg) and
 * erpc.yaml.
 */
import { stringify } from "yaml";
import { operatorQuorum, type OperatorQuorum } from "../diversity/quorum";
import type { RpcKind } from "../rpc-kinds";
import { fill, readTemplate } from "../workload/templates";
import type { GatewayConfig } from "./types";
import { present } from "../present";

/** eRPC's project id in erpc.yaml and its request paths (`/<project>/evm/<chain id>`). */
const PROJECT = "sovereign";

type Chain = GatewayConfig["chains"][number];

/** A chain's integrity layer, as rendered: its quorum and methods. */
export interface ChainIntegrity extends OperatorQuorum {
  methods: string[];
  chainId: number;
}

/** The quorum and methods of `chain`'s integrity reads; throws naming the field when none is possible. */
export function chainIntegrity(chain: Chain, kind: RpcKind, where: string): ChainIntegrity {
  const spec = present(chain.integrity, `${where}.integrity`);
  const methods = spec.methods ?? kind.integrityMethods;
  if (!methods?.length)
    throw new Error(
      `${where}.integrity: the ${kind.id} RPC kind has no integrity methods (core/rpc-kinds/${kind.id}); name them in methods or leave the chain without integrity`,
    );
  if (kind.auth !== "none")
    throw new Error(`${where}.integrity: nodes of the ${kind.id} kind want credentials, which eRPC is not given`);
  const tls = chain.upstreams.find((u) => u.mtls);
  if (tls)
    throw new Error(
      `${where}.integrity: upstream ${tls.node} is dialled over mTLS, which the eRPC sidecar cannot do; leave ${chain.chain} without integrity`,
    );
  const q = operatorQuorum(
    chain.upstreams.map((u) => u.operator),
    spec.minOperators,
  );
  if ("problem" in q) throw new Error(`${where}.integrity.minOperators: ${chain.chain}: ${q.problem}`);
  return { ...q, methods: [...methods], chainId: spec.chainId };
}

/** The frontend rule that sends `chain`'s integrity reads (never a WebSocket upgrade) to `backend`. */
export function integrityRoute(integrity: ChainIntegrity, pathAcl: string, backend: string): string {
  const names = integrity.methods.join("|");
  return `    http-request set-var(txn.backend) str(${backend}) if ${pathAcl} !websocket { req.body -m reg "\\"method\\"[[:space:]]*:[[:space:]]*\\"(${names})\\"" }`;
}

/** The HAProxy backend in front of eRPC for `chain`. */
export function integrityBackend(
  c: GatewayConfig,
  chain: Chain,
  integrity: ChainIntegrity,
  backend: string,
  templateDir?: string,
): string {
  return fill(
    readTemplate("gateway/integrity.cfg", templateDir),
    {
      chain: chain.chain,
      backend,
      methods: integrity.methods.join(", "),
      agreement: String(integrity.agreement),
      participants: String(integrity.participants),
      minOperators: String(integrity.minOperators),
      // eRPC's own budget, plus the time to send its error back.
      timeout: `${c.erpc.timeoutMs + 1000}ms`,
      chainId: String(integrity.chainId),
      port: String(c.erpc.port),
      checkInterval: `${c.timeouts.checkIntervalMs}ms`,
    },
    "templates/gateway/integrity.cfg",
  );
}

/**
 * erpc.yaml: one network per chain with integrity, every upstream of the chain a participant, a
 * consensus policy on its integrity methods (agreement = the quorum, a dispute or too few
 * participants = a JSON-RPC error), and a node that disagrees with an agreed answer cordoned for
 * `sitOutSeconds` (eRPC's punishMisbehavior), the dispute logged with the answers' hashes.
 */
export function renderErpcConfig(
  c: GatewayConfig,
  chains: ReadonlyArray<{ chain: Chain; integrity: ChainIntegrity }>,
): string {
  const metricsHost = c.metrics.split(/:(?=\d+$)/)[0].replace(/^\[|\]$/g, "");
  const config = {
    logLevel: "warn",
    server: { httpHostV4: "127.0.0.1", httpPortV4: c.erpc.port, listenV6: false },
    metrics: { enabled: true, hostV4: metricsHost, port: c.erpc.metricsPort, listenV6: false },
    projects: [
      {
        id: PROJECT,
        networks: chains.map(({ integrity: q }) => ({
          architecture: "evm",
          evm: { chainId: q.chainId },
          failsafe: [
            {
              matchMethod: q.methods.join("|"),
              timeout: { duration: `${c.erpc.timeoutMs}ms` },
              consensus: {
                maxParticipants: q.participants,
                agreementThreshold: q.agreement,
                disputeBehavior: "returnError",
                lowParticipantsBehavior: "returnError",
                disputeLogLevel: "warn",
                punishMisbehavior: {
                  disputeThreshold: 1,
                  disputeWindow: "10m",
                  sitOutPenalty: `${c.erpc.sitOutSeconds}s`,
                },
              },
            },
          ],
        })),
        upstreams: chains.flatMap(({ chain, integrity: q }) =>
          chain.upstreams.map((u) => ({ id: u.node, endpoint: u.url, evm: { chainId: q.chainId } })),
        ),
      },
    ],
  };
  return `# eRPC of Sovereign RPC gateway ${c.gateway}: integrity reads confirmed across operators; rendered by core/gateway/integrity.ts.\n${stringify(config, { lineWidth: 0 })}`;
}
