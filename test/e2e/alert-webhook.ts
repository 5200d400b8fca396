// The lab's alert receiver: a webhook on the lab bridge that the monitors' Alertmanagers notify
// (stack config sovereign:alerts + sovereign:alert-<name>-url), shared by the monitoring e2e and
// the drill.
import { createServer, type Server } from "node:http";
import { z } from "zod";

/** The lab's bridge address: what the hosts reach the root namespace at (the receiver listens there). */
export const BRIDGE = "10.77.0.1";

/** What an Alertmanager posts to a webhook (the fields the tests read). */
const Notification = z.object({
  status: z.string(),
  groupKey: z.string(),
  alerts: z.array(z.object({ status: z.string(), fingerprint: z.string(), labels: z.record(z.string(), z.string()) })),
});
export type Notification = z.infer<typeof Notification> & {
  /** Date.now() when it arrived. */
  receivedAt: number;
  /** The sending Alertmanager's address. */
  from: string;
};

/**
 * What a notification says: its group and the alerts firing in it. Two monitors that failed to
 * deduplicate send the same statement twice; a group that changed (another alert joined it, as a
 * node flapping under load does) is a new statement, rightly sent again.
 */
export const statement = (n: Notification) =>
  `${n.groupKey} ${n.alerts
    .filter((a) => a.status === "firing")
    .map((a) => a.fingerprint)
    .sort()
    .join(",")}`;

/** A webhook receiver on the bridge: every notification, in order of arrival; its URL. */
export async function alertWebhook(): Promise<{ server: Server; url: string; received: Notification[] }> {
  const received: Notification[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const parsed = Notification.safeParse(JSON.parse(body));
      if (parsed.success)
        received.push({ ...parsed.data, receivedAt: Date.now(), from: req.socket.remoteAddress ?? "" });
      res.statusCode = parsed.success ? 200 : 400;
      res.end(parsed.success ? "ok" : parsed.error.message);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, BRIDGE, resolve));
  const port = (server.address() as { port: number }).port;
  return { server, url: `http://${BRIDGE}:${port}/hook`, received };
}
