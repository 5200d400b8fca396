/**
 * alertmanager.yml for every monitor of the fleet. The Alertmanagers run as one gossip cluster
 * (--cluster.peer, flags from alertmanagerPeerFlags), so each alert is notified once even when a
 * monitor is down. Secrets (webhook URLs, SMTP passwords, Slack URLs, PagerDuty keys) are written as
 * placeholders; the component fills them from Pulumi secrets (fillSecrets) inside the secret output,
 * so the rendered text here never holds one.
 */
import { parse, stringify } from "yaml";
import { z } from "zod";

const name = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "a receiver name: lower-case letters, digits, -");

/** Receivers as stack config gives them (`sovereign:alerts`); the secret values are separate config secrets. */
export const AlertReceiver = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("webhook"), name }),
  z.strictObject({
    type: z.literal("email"),
    name,
    to: z.string().email(),
    from: z.string().email(),
    smarthost: z.string().regex(/^[\w.-]+:\d{1,5}$/, "host:port of the SMTP server"),
    username: z.string().optional(),
  }),
  z.strictObject({ type: z.literal("slack"), name, channel: z.string().regex(/^#?[\w-]{1,80}$/, "a Slack channel") }),
  z.strictObject({ type: z.literal("pagerduty"), name }),
]);
export type AlertReceiver = z.infer<typeof AlertReceiver>;

/** The secret each receiver needs, by placeholder name. */
export function receiverSecrets(r: AlertReceiver): string {
  return `${r.name}-${{ webhook: "url", email: "password", slack: "url", pagerduty: "routing-key" }[r.type]}`;
}

const placeholder = (secret: string) => `<secret:${secret}>`;

function receiverConfig(r: AlertReceiver): Record<string, unknown> {
  const secret = placeholder(receiverSecrets(r));
  switch (r.type) {
    case "webhook":
      return { name: r.name, webhook_configs: [{ url: secret, send_resolved: true }] };
    case "email":
      return {
        name: r.name,
        email_configs: [
          {
            to: r.to,
            from: r.from,
            smarthost: r.smarthost,
            ...(r.username ? { auth_username: r.username } : {}),
            auth_password: secret,
            send_resolved: true,
          },
        ],
      };
    case "slack":
      return { name: r.name, slack_configs: [{ api_url: secret, channel: r.channel, send_resolved: true }] };
    case "pagerduty":
      return { name: r.name, pagerduty_configs: [{ routing_key: secret, send_resolved: true }] };
  }
}

/** Every alert goes to every receiver, grouped per alert and chain; sovereignty breaches repeat hourly. */
export function renderAlertmanagerConfig(
  receivers: readonly AlertReceiver[],
  /** How long a new group waits for more alerts before its first notification. @default "30s" */
  groupWait = "30s",
  /** How long a group waits before it notifies its changes (resolved alerts too). @default "5m" */
  groupInterval = "5m",
): string {
  if (!receivers.length)
    throw new Error("alerts.receivers: list at least one receiver (webhook, email, slack, pagerduty)");
  const names = receivers.map((r) => r.name);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice) throw new Error(`alerts.receivers: two receivers named ${twice}`);
  // One route per receiver (continue: on to the next receiver); inside it, sovereignty breaches
  // repeat hourly. A nested route ends the match within its receiver, so each gets an alert once.
  const fanOut = receivers.map((r) => ({
    receiver: r.name,
    continue: true,
    routes: [{ matchers: ['group="sovereignty"'], repeat_interval: "1h" }],
  }));
  return stringify(
    {
      route: {
        receiver: "none",
        group_by: ["alertname", "chain", "rule"],
        group_wait: groupWait,
        group_interval: groupInterval,
        repeat_interval: "4h",
        routes: fanOut,
      },
      receivers: [{ name: "none" }, ...receivers.map(receiverConfig)],
      // A node that is down explains its chain's other alerts; do not page for both at once.
      inhibit_rules: [
        {
          source_matchers: ['alertname="SovereignNodeDown"'],
          target_matchers: ['alertname=~"SovereignNode(Behind|HeadStuck|PeersLow)"'],
          equal: ["node"],
        },
      ],
    },
    { lineWidth: 0 },
  );
}

/** The rendered config with its placeholders replaced by secret values; an unfilled one is an error naming it. */
export function fillSecrets(text: string, secrets: Readonly<Record<string, string>>): string {
  // Replaced in the parsed document, so a secret holding `:` or `#` stays one YAML string.
  const fill = (value: unknown): unknown => {
    if (typeof value === "string") {
      const secret = /^<secret:([a-z0-9-]+)>$/.exec(value)?.[1];
      if (secret === undefined) return value;
      if (!Object.hasOwn(secrets, secret)) {
        throw new Error(`alerts: no value for secret ${secret}; set it with \`pulumi config set --secret\``);
      }
      return secrets[secret];
    }
    if (Array.isArray(value)) return value.map(fill);
    if (value && typeof value === "object")
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v)]));
    return value;
  };
  return stringify(fill(parse(text)), { lineWidth: 0 });
}

/** Alertmanager flags that make the fleet's monitors one cluster (each lists the others as peers). */
export function alertmanagerPeerFlags(self: string, monitors: readonly string[], port = 9094): string[] {
  return [
    `--cluster.listen-address=${self}:${port}`,
    ...monitors.filter((m) => m !== self).map((m) => `--cluster.peer=${m}:${port}`),
  ];
}
