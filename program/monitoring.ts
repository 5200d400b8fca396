/**
 * The monitors' stack config, checked in one place with every problem named by its key:
 * `sovereign:alerts` (the receivers: webhook, email, Slack, PagerDuty) with one secret each,
 * `sovereign:alert-<name>-url` (webhook, Slack), `sovereign:alert-<name>-password` (email) or
 * `sovereign:alert-<name>-routing-key` (PagerDuty); `sovereign:monitorAllowCidrs` (who may read
 * Prometheus' API and Grafana on the monitors' hosts), `sovereign:monitorImage` (one image for
 * Prometheus' programs, the lab's; default the official images) and `sovereign:grafana` (Grafana
 * with the dashboards on every monitor; default true).
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import type { FleetMonitorOptions } from "../components/monitoring/fleet-monitors";
import { AlertReceiver, receiverSecrets } from "../core/monitoring/alertmanager";
import { normalizeCidrs } from "../core/workload/firewall";
import { parsedConfig, secretText } from "./access";

export type MonitoringConfig = Omit<FleetMonitorOptions, "policy">;

const Receivers = z.array(AlertReceiver).min(1, "list at least one receiver").max(20);

/** What each receiver's secret must look like, by the key it is set under. */
function secretProblem(r: AlertReceiver, text: string): string | undefined {
  if (r.type === "webhook" || r.type === "slack")
    return /^https?:\/\/[^\s/]+\S*$/.test(text) ? undefined : "is not an http(s) URL";
  return text.length >= 1 && text.length <= 1000 && !/[\r\n]/.test(text) ? undefined : "must be one line";
}

export function readMonitoringConfig(config: pulumi.Config, problems: string[]): MonitoringConfig | undefined {
  const receivers = parsedConfig(config, "alerts", Receivers, "a YAML list of receivers", problems);
  const allow = (() => {
    let value: unknown;
    try {
      value = config.getObject<unknown>("monitorAllowCidrs");
    } catch {
      problems.push("sovereign:monitorAllowCidrs must be a YAML list of CIDR strings");
      return [];
    }
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) {
      problems.push("sovereign:monitorAllowCidrs must be a list of CIDRs, e.g. [203.0.113.0/24]");
      return [];
    }
    const checked = normalizeCidrs("sovereign:monitorAllowCidrs", value);
    problems.push(...checked.problems);
    return checked.cidrs;
  })();
  const image = config.get("monitorImage")?.trim();
  const grafana = config.get("grafana")?.trim();
  if (grafana !== undefined && grafana !== "true" && grafana !== "false")
    problems.push(
      `sovereign:grafana must be true or false (got ${JSON.stringify(grafana)}): false where hosts cannot pull grafana/grafana`,
    );
  if (!receivers) return undefined;
  const names = receivers.map((r) => r.name);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice) problems.push(`sovereign:alerts: two receivers are named ${twice}`);
  const secrets: Record<string, pulumi.Output<string>> = {};
  for (const r of receivers) {
    const secret = receiverSecrets(r);
    const key = `alert-${secret}`;
    const value = config.getSecret(key);
    const text = secretText(key);
    const problem = text === undefined ? "is not set" : secretProblem(r, text);
    if (!value || problem) {
      problems.push(
        `sovereign:${key} ${problem ?? "is not set"} (the ${r.type} receiver ${r.name} of sovereign:alerts): pulumi config set --secret sovereign:${key} <value>`,
      );
      continue;
    }
    secrets[secret] = value;
  }
  return {
    receivers,
    receiverSecrets: secrets,
    allowCidrs: allow,
    grafana: grafana !== "false",
    ...(image ? { images: { prometheus: image, alertmanager: image, blackbox: image, nodeExporter: image } } : {}),
  };
}
