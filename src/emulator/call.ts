/**
 * Small helpers for tests that talk to an emulator over loopback with plain fetch.
 */
import type { HubSpotEmulator } from "./server.ts";

export interface RawResponse<T = unknown> {
  status: number;
  headers: Headers;
  text: string;
  /** Parsed JSON, or undefined when the body is not JSON. */
  json: T;
}

/** Sends one request to the emulator with its first token (or `token`), returning status, headers and body. */
export async function call<T = unknown>(
  emulator: HubSpotEmulator,
  method: string,
  path: string,
  options: { body?: unknown; token?: string | null } = {},
): Promise<RawResponse<T>> {
  const headers: Record<string, string> = {};
  const token = options.token === undefined ? emulator.tokens[0] : options.token;
  if (token !== null && token !== undefined) headers.authorization = `Bearer ${token}`;
  if (options.body !== undefined) headers["content-type"] = "application/json";
  const response = await fetch(`${emulator.url}${path}`, {
    method,
    headers,
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = text === "" ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json: json as T };
}
