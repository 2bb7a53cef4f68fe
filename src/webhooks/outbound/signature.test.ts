import { Webhook, WebhookVerificationError } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { retryDelay } from "./backoff.ts";
import { generateWebhookSecret, signWebhook, standardWebhookHeaders } from "./signature.ts";

const body = JSON.stringify({ id: "evt_1", type: "sync.completed", data: { run_id: "run_1" } });

describe("Standard Webhooks signatures, checked with the standardwebhooks package", () => {
  it("verifies our headers with the endpoint's secret", () => {
    const secret = generateWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    const headers = standardWebhookHeaders([secret], "evt_1", body, new Date());
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
  });

  it("signs exactly as the package does for the same id, time and body", () => {
    const secret = generateWebhookSecret();
    const at = new Date("2026-01-02T03:04:05.678Z");
    const ours = signWebhook(secret, "evt_9", Math.floor(at.getTime() / 1000), body);
    expect(ours).toBe(new Webhook(secret).sign("evt_9", at, body));
  });

  it("during a rotation, carries two signatures: either secret verifies", () => {
    const [current, previous] = [generateWebhookSecret(), generateWebhookSecret()];
    const headers = standardWebhookHeaders([current, previous], "evt_2", body, new Date());
    expect(headers["webhook-signature"].split(" ")).toHaveLength(2);
    expect(new Webhook(current).verify(body, headers)).toBeTruthy();
    expect(new Webhook(previous).verify(body, headers)).toBeTruthy();
    expect(() => new Webhook(generateWebhookSecret()).verify(body, headers)).toThrow(
      WebhookVerificationError,
    );
  });

  it("is rejected when the body, the id or the timestamp is tampered with, or too old", () => {
    const secret = generateWebhookSecret();
    const wh = new Webhook(secret);
    const headers = standardWebhookHeaders([secret], "evt_3", body, new Date());
    expect(() => wh.verify(`${body} `, headers)).toThrow(WebhookVerificationError);
    expect(() => wh.verify(body, { ...headers, "webhook-id": "evt_4" })).toThrow(WebhookVerificationError);
    const later = String(Number(headers["webhook-timestamp"]) + 1);
    expect(() => wh.verify(body, { ...headers, "webhook-timestamp": later })).toThrow(
      WebhookVerificationError,
    );
    const old = standardWebhookHeaders([secret], "evt_3", body, new Date(Date.now() - 3_600_000));
    expect(() => wh.verify(body, old)).toThrow(WebhookVerificationError);
  });
});

describe("retryDelay", () => {
  it("follows the schedule, spread by the jitter, and ends after it", () => {
    const schedule = [1_000, 60_000];
    expect(retryDelay(schedule, 1, 0)).toBe(1_000);
    expect(retryDelay(schedule, 2, 0.1, () => 1)).toBe(66_000);
    expect(retryDelay(schedule, 2, 0.1, () => 0)).toBe(54_000);
    expect(retryDelay(schedule, 3, 0.1)).toBeUndefined();
  });
});
