/**
 * One HTTP attempt of a webhook: a POST through an agent guarded like the proxy's (the address connected
 * to, after DNS, must be allowed), no redirects followed, the first bytes of the answer kept for the log.
 */
import { Agent, request } from "undici";
import { describeError } from "../../core/index.ts";
import { guardedConnector } from "../../http/address-guard.ts";

/** How much of a response body the delivery log keeps. */
const RESPONSE_EXCERPT_BYTES = 2_048;

export interface AttemptOutcome {
  /** A 2xx answer. */
  ok: boolean;
  status: number | null;
  /** The start of the response body. */
  body: string | null;
  /** Why it is not a success: a network error, a refused address, a timeout, a non-2xx status. */
  error: string | null;
  latencyMs: number;
}

/** The two agents a worker sends through: public addresses only, or private ones too (development). */
export class WebhookAgents {
  readonly #public = new Agent({ connect: guardedConnector({ allowPrivateAddresses: false }) });
  readonly #private = new Agent({ connect: guardedConnector({ allowPrivateAddresses: true }) });

  of(allowPrivateAddresses: boolean): Agent {
    return allowPrivateAddresses ? this.#private : this.#public;
  }

  async close(): Promise<void> {
    await Promise.all([this.#public.close(), this.#private.close()]);
  }
}

/** POSTs `body` to `url` with `headers`; never throws: every failure is an outcome. */
export async function sendAttempt(
  agent: Agent,
  url: string,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
): Promise<AttemptOutcome> {
  const started = performance.now();
  const latency = () => Math.round(performance.now() - started);
  try {
    const response = await request(url, {
      method: "POST",
      headers,
      body,
      dispatcher: agent,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const excerpt = await readExcerpt(response.body);
    const ok = response.statusCode >= 200 && response.statusCode < 300;
    return {
      ok,
      status: response.statusCode,
      body: excerpt,
      error: ok
        ? null
        : `The endpoint answered ${response.statusCode}; only a 2xx status counts as received.`,
      latencyMs: latency(),
    };
  } catch (error) {
    return { ok: false, status: null, body: null, error: describeError(error).message, latencyMs: latency() };
  }
}

async function readExcerpt(body: AsyncIterable<Buffer> & { destroy(): unknown }): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(chunk);
    size += chunk.length;
    if (size >= RESPONSE_EXCERPT_BYTES) {
      body.destroy();
      break;
    }
  }
  return Buffer.concat(chunks).subarray(0, RESPONSE_EXCERPT_BYTES).toString("utf8");
}
