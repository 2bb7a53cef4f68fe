/**
 * Receiving Switchyard's outbound webhooks in your product (docs/webhooks.md): verify the signature on the
 * raw body before trusting anything in it, skip a `webhook-id` already handled, answer 2xx quickly.
 *
 * Run it: `npx tsx docs/examples/webhook-receiver.ts`. It starts a receiver on 127.0.0.1, sends it one
 * event signed as Switchyard signs it, and one with a tampered body, and prints what the receiver did.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";

/** What every event looks like; `data` depends on `type` (docs/webhooks.md#event-types). */
interface SwitchyardEvent {
  id: string;
  type: string;
  timestamp: string;
  data: Record<string, unknown>;
}

/** With the `standardwebhooks` package: it checks the signature and the timestamp (5 minutes). */
function verifyWithPackage(secret: string, body: string, headers: IncomingHttpHeaders): SwitchyardEvent {
  return new Webhook(secret).verify(body, {
    "webhook-id": String(headers["webhook-id"]),
    "webhook-timestamp": String(headers["webhook-timestamp"]),
    "webhook-signature": String(headers["webhook-signature"]),
  }) as SwitchyardEvent;
}

/** With node:crypto only: the same checks, written out. */
function verifyWithCrypto(secret: string, body: string, headers: IncomingHttpHeaders): SwitchyardEvent {
  const id = headers["webhook-id"];
  const timestamp = headers["webhook-timestamp"];
  const signatures = headers["webhook-signature"];
  if (typeof id !== "string" || typeof timestamp !== "string" || typeof signatures !== "string")
    throw new Error("Missing webhook-id, webhook-timestamp or webhook-signature.");
  // Refuse old (replayed) and future messages: 5 minutes either way.
  if (Math.abs(Date.now() / 1000 - Number(timestamp)) > 300) throw new Error("Timestamp too far from now.");
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  const expected = createHmac("sha256", key).update(`${id}.${timestamp}.${body}`).digest();
  // One `v1,<base64>` per secret, space-separated (two while a secret rotation overlaps): one must match.
  const matches = signatures.split(" ").some((entry) => {
    const [version, signature] = entry.split(",");
    const given = Buffer.from(signature ?? "", "base64");
    return version === "v1" && given.length === expected.length && timingSafeEqual(given, expected);
  });
  if (!matches) throw new Error("No valid signature.");
  return JSON.parse(body) as SwitchyardEvent;
}

/** The receiver: raw body in, verified, de-duplicated by webhook-id (deliveries are at least once). */
function startReceiver(secret: string, handle: (event: SwitchyardEvent) => void) {
  const handled = new Set<string>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      let event: SwitchyardEvent;
      try {
        event = verifyWithCrypto(secret, body, req.headers);
        verifyWithPackage(secret, body, req.headers);
      } catch {
        res.writeHead(400).end();
        return;
      }
      if (!handled.has(event.id)) {
        handled.add(event.id);
        handle(event);
      }
      res.writeHead(204).end();
    });
  });
  return new Promise<{ url: string; close: () => void }>((resolve) =>
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      resolve({ url: `http://127.0.0.1:${port}`, close: () => server.close() });
    }),
  );
}

// The demo: the secret is what POST /v1/webhook-endpoints returned; here, one made up for the run.
const secret = `whsec_${Buffer.from("a demo secret, 24 bytes!").toString("base64")}`;
const received: string[] = [];
const receiver = await startReceiver(secret, (event) => received.push(`${event.type} ${event.id}`));
const body = JSON.stringify({
  id: "evt_demo",
  type: "sync.completed",
  timestamp: new Date().toISOString(),
  data: { connection_id: "conn_demo", counts: { added: 3, updated: 1, unchanged: 0, deleted: 0 } },
});
const send = async (payload: string) => {
  const at = new Date();
  const response = await fetch(receiver.url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "webhook-id": "evt_demo",
      "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
      // Signed as Switchyard signs (the package's signer is an independent implementation of the spec).
      "webhook-signature": new Webhook(secret).sign("evt_demo", at, body),
    },
    body: payload,
  });
  return response.status;
};
const statuses = [await send(body), await send(body), await send(body.replace("3", "4"))];
receiver.close();
console.log(`statuses ${statuses.join(" ")}; handled: ${received.join(", ")}`);
