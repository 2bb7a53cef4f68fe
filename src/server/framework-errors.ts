/**
 * Errors Fastify and Node answer before any route runs — a malformed URL, an over-long path segment,
 * oversized headers — as RFC 9457 problems like every other error, never echoing the request's path.
 */
import { STATUS_CODES } from "node:http";
import type { Socket } from "node:net";
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { PROBLEM_CONTENT_TYPE, type Problem, problem } from "./problem.ts";

/** Fastify's `frameworkErrors` option: a bad URL encoding (400) or a too-long path parameter (414). */
export function frameworkErrorHandler(error: FastifyError, _request: FastifyRequest, reply: FastifyReply) {
  const answer =
    error.code === "FST_ERR_MAX_PARAM_LENGTH"
      ? problem("uri_too_long", "A segment of the request path is too long (over 100 characters).", {
          hint: "Ids in paths are short: check that the path holds the id you meant, not a whole value.",
        })
      : error.code === "FST_ERR_BAD_URL"
        ? problem("request_invalid", "The request path is not a valid URL: it has a malformed %-escape.", {
            hint: "Percent-encode path segments (e.g. with encodeURIComponent) before sending them.",
          })
        : problem("request_invalid", "The request could not be routed.", {
            hint: "Check the path against the API reference at /docs.",
          });
  return reply.status(answer.status).type(PROBLEM_CONTENT_TYPE).send(answer);
}

/** The problem for an HTTP parse error Node reports on the socket, before there is a request. */
function clientErrorProblem(code: string | undefined): Problem {
  if (code === "HPE_HEADER_OVERFLOW") {
    return problem("headers_too_large", "The request line and headers are larger than this server accepts.", {
      hint: "Send shorter headers and a shorter URL (at most 16 KiB together); put large data in the body.",
    });
  }
  if (code === "ERR_HTTP_REQUEST_TIMEOUT") {
    return { ...problem("request_invalid", "The request took too long to arrive."), status: 408 };
  }
  return problem("request_invalid", "The request is not valid HTTP.", {
    hint: "Use an HTTP/1.1 client; check the request line and headers.",
  });
}

/** Fastify's `clientErrorHandler`: answers with a problem when the socket can still take one. */
export function clientErrorHandler(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === "ECONNRESET" || socket.destroyed) return;
  if (socket.writable) {
    const answer = clientErrorProblem(error.code);
    const body = JSON.stringify(answer);
    socket.write(
      `HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status]}\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
