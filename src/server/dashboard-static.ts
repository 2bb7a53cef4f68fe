/**
 * The dashboard at `/`: the files `npm run build:ui` writes to `web/dashboard/dist/` (Vite's output), with
 * every other page address a browser asks for answered by its `index.html` (the app routes in the browser).
 * API paths, and requests that do not ask for HTML, keep the API's own 404/405 problems.
 */
import { readFile, stat } from "node:fs/promises";
import { extname, normalize, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

/** Same depth from src/server/ and dist/server/, like the Connect page's web/connect/. */
const DEFAULT_DIRECTORY = fileURLToPath(new URL("../../web/dashboard/dist/", import.meta.url));

/** Prefixes that belong to the API and other pages, never to the dashboard's fallback. */
const NOT_DASHBOARD = /^\/(v1|api|connect|docs|openapi\.json|metrics|ready|health|webhooks|_)(\/|$|\?)/;

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "application/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json",
  ".woff2": "font/woff2",
};

const MISSING_BUILD = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Switchyard dashboard not built</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto; line-height: 1.5">
<h1>The dashboard is not built yet</h1>
<p>Run <code>npm run build:ui</code> (it runs on <code>npm install</code> and <code>npm start</code>), then reload.</p>
<p>The API is at <a href="/v1">/v1</a> and its reference at <a href="/docs">/docs</a>.</p>
</body></html>
`;

/**
 * Headers for the dashboard: our own scripts only, inline style attributes allowed (charts set them), API
 * calls to this origin only, never framed. HTML is never cached; hashed assets are cached for good.
 */
function dashboardHeaders(reply: FastifyReply, file: string): FastifyReply {
  return reply.headers({
    "content-security-policy":
      "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
      "connect-src 'self'; font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "referrer-policy": "no-referrer",
    "x-content-type-options": "nosniff",
    "cache-control": file.endsWith(".html")
      ? "no-store"
      : file.startsWith(`assets${sep}`)
        ? "public, max-age=31536000, immutable"
        : "public, max-age=300",
  });
}

/** The file (relative to the build directory) a URL path names, or undefined when it would leave it. */
function fileOf(urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes("\0")) return undefined;
  const relative = normalize(decoded).replace(/^[/\\]+/, "");
  if (relative.startsWith("..") || relative.includes(`${sep}..${sep}`)) return undefined;
  return relative;
}

async function readIfFile(path: string): Promise<Buffer | undefined> {
  try {
    if (!(await stat(path)).isFile()) return undefined;
    return await readFile(path);
  } catch {
    return undefined;
  }
}

/** Answers a request with the dashboard when it is one of its files or a page a browser loads; false if not. */
export type DashboardPages = (request: FastifyRequest, reply: FastifyReply) => Promise<boolean>;

/**
 * Registers `GET /` (public: the app signs in with an API key) and returns the answer for every other path,
 * for the server's not-found handler to try first. No wildcard route: a route table entry for `/*` would
 * swallow the API's own 404, 405 and 414 answers and the unified API's scoped not-found handler.
 */
export function registerDashboard(
  app: FastifyInstance,
  directory: string = DEFAULT_DIRECTORY,
): DashboardPages {
  const root = directory.endsWith(sep) ? directory : `${directory}${sep}`;
  const cache = new Map<string, Buffer>();

  async function load(relative: string): Promise<Buffer | undefined> {
    const cached = cache.get(relative);
    if (cached) return cached;
    const content = await readIfFile(`${root}${relative}`);
    // Hashed assets never change under their name; index.html may be rebuilt while the server runs.
    if (content && relative.startsWith(`assets${sep}`)) cache.set(relative, content);
    return content;
  }

  async function answer(request: FastifyRequest, reply: FastifyReply): Promise<boolean> {
    if (request.method !== "GET" && request.method !== "HEAD") return false;
    const path = request.url.split("?")[0] ?? "/";
    if (NOT_DASHBOARD.test(path)) return false;
    const relative = fileOf(path);
    if (relative && relative !== "" && relative !== "index.html") {
      const content = await load(relative);
      if (content) {
        const type = TYPES[extname(relative)] ?? "application/octet-stream";
        await dashboardHeaders(reply, relative).type(type).send(content);
        return true;
      }
    }
    // Only a browser's page load gets the app; anything else keeps the API's problem reply.
    const wantsHtml = (request.headers.accept ?? "").includes("text/html");
    if (!wantsHtml && path !== "/") return false;
    const index = await load("index.html");
    if (!index) await reply.status(503).type("text/html; charset=utf-8").send(MISSING_BUILD);
    else await dashboardHeaders(reply, "index.html").type("text/html; charset=utf-8").send(index);
    return true;
  }

  app.get("/", async (request, reply) => {
    await answer(request, reply);
    return reply;
  });
  return answer;
}
