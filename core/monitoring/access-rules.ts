/** Access-layer alerts: what a user of the fleet's RPC sees (gateway errors, endpoints, certificates, DNS). */
import type { AlertingRule } from "./rule-types";
import { JOBS } from "./targets";

export interface AccessAlertOptions {
  /** Share of a gateway's responses that may be 5xx over 5 minutes. */
  max5xxRatio: number;
  /** Days before a certificate expires from which it alerts. */
  certificateDays: number;
  /** Seconds an endpoint or DNS server fails its probe before its alert fires (the spec's monitoring.downAfterSeconds). */
  unreachableSeconds: number;
}

const responses = (code?: string) =>
  `sum by (gateway) (rate(haproxy_frontend_http_responses_total{job="${JOBS.haproxy}"${code ? `, code="${code}"` : ""}}[5m]))`;

export function accessAlerts(opts: AccessAlertOptions): AlertingRule[] {
  return [
    {
      alert: "SovereignGateway5xx",
      expr: `${responses("5xx")} / ${responses()} > ${opts.max5xxRatio}`,
      for: "5m",
      labels: { severity: "critical", group: "access" },
      annotations: {
        summary: "{{ $labels.gateway }} answers {{ $value | humanizePercentage }} of requests with 5xx",
        description: `Above ${opts.max5xxRatio * 100}% for 5 minutes: its upstreams fail or none is healthy.`,
        action: "Look at the gateway's /stats page for upstreams marked down, then at those nodes' alerts.",
      },
    },
    {
      // eRPC counts each answer of a node that differs from the agreed one (integrity reads).
      alert: "SovereignIntegrityDispute",
      expr: `sum by (gateway, upstream) (increase(erpc_consensus_misbehavior_detected_total{job="${JOBS.erpc}"}[5m])) > 0`,
      labels: { severity: "critical", group: "access" },
      annotations: {
        summary:
          "{{ $labels.upstream }} answered integrity reads on {{ $labels.gateway }} unlike the nodes of other operators",
        description:
          "A node returned state the quorum did not confirm: forged, corrupted or on another fork. The gateway cordoned it and never passed its answer on.",
        action:
          "Take the node out of the fleet and inspect its binary and data (KelpDAO, April 2026: replaced binaries); the eRPC log on the gateway has the request and the answers' hashes.",
      },
    },
    {
      alert: "SovereignIntegrityNoQuorum",
      expr: `sum by (gateway) (increase(erpc_consensus_errors_total{job="${JOBS.erpc}", error=~"low_participants|dispute"}[5m])) > 0`,
      labels: { severity: "critical", group: "access" },
      annotations: {
        summary: "{{ $labels.gateway }} refused integrity reads: no quorum across operators",
        description:
          "Too few operators' nodes answered, or they disagreed: clients got a JSON-RPC error instead of one operator's word.",
        action:
          "Find which operators' nodes are down or cordoned (`sovereign status`, the gateway's /stats); do not lower gateways.integrity.minOperators to get answers back.",
      },
    },
    {
      alert: "SovereignEndpointDown",
      expr: `probe_success{job="${JOBS.rpcProbe}"} == 0`,
      for: `${opts.unreachableSeconds}s`,
      labels: { severity: "critical", group: "access" },
      annotations: {
        summary: "{{ $labels.endpoint }} does not answer eth_blockNumber",
        description: `A real RPC request through this endpoint has failed for ${opts.unreachableSeconds} seconds, as seen from a monitor.`,
        action:
          "Check DNS for the hostname, the gateway behind it and its certificate; `sovereign status` shows which nodes are up.",
      },
    },
    {
      alert: "SovereignCertificateExpiring",
      expr: `probe_ssl_earliest_cert_expiry{job="${JOBS.rpcProbe}"} - time() < ${opts.certificateDays * 86400}`,
      labels: { severity: "warning", group: "access" },
      annotations: {
        summary: "The certificate of {{ $labels.endpoint }} expires in {{ $value | humanizeDuration }}",
        description: `Less than ${opts.certificateDays} days left: renewal has not happened.`,
        action: "Check the gateway's certificate renewal (ACME logs) or install a new certificate.",
      },
    },
    {
      alert: "SovereignDnsNotAnswering",
      expr: `probe_success{job="${JOBS.dnsProbe}"} == 0`,
      for: `${opts.unreachableSeconds}s`,
      labels: { severity: "critical", group: "access" },
      annotations: {
        summary: "DNS server {{ $labels.server }} does not answer for the fleet's zone",
        description: `The SOA query has failed for ${opts.unreachableSeconds} seconds; resolvers that reach this server get no answer.`,
        action: "Check the DNS provider's status and the zone's delegation (NS records at the parent).",
      },
    },
  ];
}
