import { z } from "zod";
import { siteList } from "./gateways";

const seconds = (min: number, max: number, what: string) =>
  z
    .number()
    .int("must be a whole number of seconds")
    .min(min, `must be at least ${min} s`)
    .max(max, `at most ${max.toLocaleString("en-US")} s ${what}`);

/**
 * The fleet's monitors: Prometheus, Alertmanager and the blackbox exporter (core/monitoring renders
 * what they run), placed by the planner like gateways: never all on one operator or in one region,
 * and one left after the loss of any one operator. Their Alertmanagers form one cluster, so an
 * alert is notified once however many monitors see it.
 */
export const Monitoring = z
  .strictObject({
    count: z
      .number()
      .int("must be a whole number")
      .min(2, "must be at least 2: one monitor is switched off with its operator, and nobody is told")
      .max(100, "at most 100 monitors")
      .default(2)
      .describe("Monitors, each scraping the whole fleet. @default 2"),
    sites: siteList("sites")
      .optional()
      .describe(
        "Sites monitors may go to: site ids (aws/us-east-1, baremetal/fra-1) or a provider (aws, baremetal). @default every site of the fleet inside the overlay",
      ),
    size: z
      .string()
      .default("small")
      .describe("Machine size from catalog/gateways.yaml (small, medium, large): vCPU and memory. @default small"),
    diskGb: z
      .number()
      .int("must be a whole number")
      .min(10, "must be at least 10 GB")
      .max(16_000, "at most 16,000 GB")
      .default(50)
      .describe(
        "Disk for Prometheus' time series, priced with the machine. Size it from retention: about 2 bytes per sample (prometheus.io/docs/prometheus/latest/storage). @default 50",
      ),
    retention: z
      .string()
      .regex(/^[1-9][0-9]{0,4}(h|d|w|y)$/, "a duration like 15d, 4w or 1y (Prometheus' --storage.tsdb.retention.time)")
      .default("15d")
      .describe("How long Prometheus keeps samples. @default 15d"),
    scrapeIntervalSeconds: seconds(1, 3600, "between scrapes")
      .default(15)
      .describe("Seconds between scrapes and between rule evaluations. @default 15"),
    downAfterSeconds: seconds(1, 86_400, "before a node, endpoint or DNS server counts as down")
      .default(120)
      .describe(
        "Seconds a node, a gateway endpoint or a DNS server must be unseen before SovereignNodeDown, SovereignEndpointDown or SovereignDnsNotAnswering fires. @default 120",
      ),
    groupWaitSeconds: seconds(0, 3600, "before a first notification")
      .default(30)
      .describe("Seconds Alertmanager waits for more alerts of a group before its first notification. @default 30"),
    groupIntervalSeconds: seconds(1, 86_400, "between notifications of a group")
      .default(300)
      .describe(
        "Seconds Alertmanager waits before it notifies a group's changes (a resolved alert among them). @default 300",
      ),
  })
  .describe("Monitors of the fleet (Prometheus + Alertmanager), placed like gateways on more than one operator.");
export type Monitoring = z.infer<typeof Monitoring>;
