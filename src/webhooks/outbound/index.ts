export { DEFAULT_RETRY_SCHEDULE_MS, retryDelay } from "./backoff.ts";
export { type AttemptOutcome, sendAttempt, WebhookAgents } from "./send.ts";
export { generateWebhookSecret, signatureHeader, signWebhook, standardWebhookHeaders } from "./signature.ts";
export { createDeliveryWorker, type DeliveryWorker, type DeliveryWorkerOptions } from "./worker.ts";
