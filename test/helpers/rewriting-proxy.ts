/**
 * Test helper: a loopback HTTP proxy in front of an emulator that can rewrite the bodies of its answers, to
 * feed a connector what no well-behaved emulator sends (wrong types, huge records, bytes that are not UTF-8).
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

/** Returns the body to send instead, or undefined to pass the emulator's answer through unchanged. */
export type BodyRewrite = (path: string, body: Buffer) => Buffer | undefined;

/** Hop-by-hop and length headers the proxy sets itself. */
const OWN_HEADERS = new Set([
  "host",
  "content-length",
  "connection",
  "transfer-encoding",
  "content-encoding",
]);

export async function startRewritingProxy(upstream: string): Promise<{
  url: string;
  /** The rewrite applied from now on (undefined: none). */
  rewrite: BodyRewrite | undefined;
  close(): Promise<void>;
}> {
  const state: { rewrite: BodyRewrite | undefined } = { rewrite: undefined };
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers = Object.fromEntries(
      Object.entries(req.headers).filter(([name]) => !OWN_HEADERS.has(name)),
    ) as Record<string, string>;
    const answer = await fetch(`${upstream}${req.url}`, {
      method: req.method ?? "GET",
      headers,
      ...(chunks.length ? { body: Buffer.concat(chunks) } : {}),
    });
    const body = Buffer.from(await answer.arrayBuffer());
    const sent = (answer.ok && state.rewrite?.(req.url ?? "/", body)) || body;
    const passed: Record<string, string> = {};
    answer.headers.forEach((value, name) => {
      if (!OWN_HEADERS.has(name)) passed[name] = value;
    });
    res.writeHead(answer.status, passed);
    res.end(sent);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get rewrite() {
      return state.rewrite;
    },
    set rewrite(value) {
      state.rewrite = value;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
