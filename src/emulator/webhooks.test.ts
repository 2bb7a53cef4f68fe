import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { SeededTable, type TableChange } from "./table.ts";
import { basicAuthHeaders, WebhookDispatcher, watchTables } from "./webhooks.ts";

/** A loopback receiver that answers each request with the next status (then 200). */
async function receiver(statuses: number[]) {
  const requests: { body: unknown; headers: Record<string, unknown> }[] = [];
  const server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => {
      body += chunk;
    });
    request.on("end", () => {
      requests.push({ body: JSON.parse(body), headers: request.headers });
      response.writeHead(statuses.shift() ?? 200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return { url, requests, close: () => new Promise((resolve) => server.close(resolve)) };
}

let close: (() => Promise<unknown>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

describe("WebhookDispatcher", () => {
  it("batches, signs each attempt, and retries a failed request in order", async () => {
    const target = await receiver([500]);
    close = target.close;
    const dispatcher = new WebhookDispatcher({ batchSize: 3, flushMs: 5, retryBaseMs: 1 });
    let signed = 0;
    const headers = () => ({ "x-signature": String(++signed) });
    for (let i = 1; i <= 5; i++) dispatcher.send({ url: target.url, headers }, { n: i });
    await dispatcher.idle();
    // The first batch was refused once and sent again, re-signed; the rest followed it.
    expect(target.requests.map((request) => request.body)).toEqual([
      [{ n: 1 }, { n: 2 }, { n: 3 }],
      [{ n: 1 }, { n: 2 }, { n: 3 }],
      [{ n: 4 }, { n: 5 }],
    ]);
    expect(target.requests.map((request) => request.headers["x-signature"])).toEqual(["1", "2", "3"]);
    expect(dispatcher.delivered).toBe(5);
    expect(dispatcher.deliveries.map((delivery) => delivery.status)).toEqual([500, 200, 200]);
  });

  it("sends one event per request as the body itself, with Basic credentials", async () => {
    const target = await receiver([]);
    close = target.close;
    const dispatcher = new WebhookDispatcher();
    dispatcher.send({ url: target.url, headers: basicAuthHeaders("user", "pass") }, { meta: { id: "a" } });
    await dispatcher.idle();
    expect(target.requests[0]?.body).toEqual({ meta: { id: "a" } });
    expect(target.requests[0]?.headers.authorization).toBe(
      `Basic ${Buffer.from("user:pass").toString("base64")}`,
    );
  });

  it("gives up after its attempts and counts what it dropped", async () => {
    const dispatcher = new WebhookDispatcher({ maxAttempts: 2, retryBaseMs: 1 });
    dispatcher.send({ url: "http://127.0.0.1:9/refused", headers: () => ({}) }, { n: 1 });
    await dispatcher.idle();
    expect(dispatcher.dropped).toBe(1);
    expect(dispatcher.deliveries).toHaveLength(2);
  });
});

describe("watchTables", () => {
  it("hears creations, updates with previous values, and archives, also after a reset", () => {
    const make = () =>
      new SeededTable<{ name: string }>({
        seededCount: 2,
        seededTimes: () => ({ createdAt: 0, updatedAt: 0 }),
        generate: (index) => ({ name: `seeded ${index}` }),
      });
    const dataset = {
      table: make(),
      reset() {
        this.table = make();
      },
    };
    const heard: TableChange<{ name: string }>[] = [];
    watchTables(
      dataset,
      () => ({ things: dataset.table }),
      (_name, change) => heard.push(change),
    );
    dataset.table.update(1, { name: "renamed" }, 10);
    dataset.reset();
    const id = dataset.table.create(20);
    dataset.table.archive(id, 30);
    expect(heard).toEqual([
      { kind: "updated", id: 1, at: 10, fields: { name: "renamed" }, previous: { name: "seeded 0" } },
      { kind: "created", id: 3, at: 20 },
      { kind: "archived", id: 3, at: 30 },
    ]);
  });
});
