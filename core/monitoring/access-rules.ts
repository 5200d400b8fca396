/** Access-layer alerts: what a user of the fleet's RPC sees (gateway errors, endpoints, certificates, DNS). */
import type { AlertingRule } from "./rule-types";
import { JOBS } from "./targets";

export interface AccessAlertOptions {
  /** Share of a gateway's responses that may be 5xx over 5 minutes. */
  max5xxRatio: number;
  /** Days before a certificate expires from which it alerts. */
  certificateDays: number;
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
      alert: "SovereignEndpointDown",
      expr: `probe_success{job="${JOBS.rpcProbe}"} == 0`,
      for: "2m",
      labels: { severity: "critical", group: "access" },
      annotations: {
        summary: "{{ $labels.endpoint }} does not answer eth_blockNumber",
        description: "A real RPC request through this endpoint has failed for 2 minutes, as seen from a monitor.",
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
      for: "2m",
      labels: { severity: "critical", group: "access" },
      annotations: {
        summary: "DNS server {{ $labels.server }} does not answer for the fleet's zone",
        description: "The SOA query has failed for 2 minutes; resolvers that reach this server get no answer.",
        action: "Check the DNS provider's status and the zone's delegation (NS records at the parent).",
      },
    },
  ];
}
