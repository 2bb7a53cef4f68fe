import type { FastifyReply } from "fastify";

/**
 * Headers for every Connect page and asset: only our own scripts and styles, never framed, no referrer (the
 * page URL carries the session token), and HTML never cached.
 */
export function connectPageHeaders(reply: FastifyReply, html: boolean): FastifyReply {
  reply.headers({
    "content-security-policy":
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
      "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "referrer-policy": "no-referrer",
    "x-content-type-options": "nosniff",
    "cache-control": html ? "no-store" : "public, max-age=300",
  });
  return reply;
}
