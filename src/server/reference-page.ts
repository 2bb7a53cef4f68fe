/**
 * `GET /openapi.json` and the interactive reference at `GET /docs`. The page is Swagger UI served from the
 * installed swagger-ui-dist package — no CDN, so it works offline — reading the document from /openapi.json.
 */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { FastifyInstance } from "fastify";
import type { OpenApiDocument } from "./openapi.ts";

const ASSETS: Record<string, string> = {
  "swagger-ui.css": "text/css; charset=utf-8",
  "swagger-ui-bundle.js": "application/javascript; charset=utf-8",
  "favicon-32x32.png": "image/png",
};

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Switchyard API reference</title>
  <link rel="icon" type="image/png" href="/docs/favicon-32x32.png">
  <link rel="stylesheet" href="/docs/swagger-ui.css">
</head>
<body>
  <div id="reference"></div>
  <script src="/docs/swagger-ui-bundle.js"></script>
  <script src="/docs/init.js"></script>
</body>
</html>
`;

// Authorisation is kept in the page only; validatorUrl null keeps the page from calling out to a validator.
const INIT = `window.ui = SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#reference",
  deepLinking: true,
  validatorUrl: null,
  persistAuthorization: false,
  tryItOutEnabled: true
});
`;

function assetDirectory(): string {
  return dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));
}

/** Registers the document and the reference page (public, outside the contract registry). */
export function registerReferencePage(app: FastifyInstance, document: OpenApiDocument): void {
  const directory = assetDirectory();
  const cache = new Map<string, Buffer>();
  app.get("/openapi.json", async (_request, reply) => reply.type("application/json").send(document));
  app.get("/docs", async (_request, reply) => reply.type("text/html; charset=utf-8").send(PAGE));
  app.get("/docs/init.js", async (_request, reply) =>
    reply.type("application/javascript; charset=utf-8").send(INIT),
  );
  for (const [file, type] of Object.entries(ASSETS)) {
    app.get(`/docs/${file}`, async (_request, reply) => {
      let content = cache.get(file);
      if (!content) {
        content = await readFile(join(directory, file));
        cache.set(file, content);
      }
      return reply.type(type).header("cache-control", "public, max-age=3600").send(content);
    });
  }
}
