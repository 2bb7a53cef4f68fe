/**
 * The hosted Connect page: `GET /connect` and its stylesheet and script, served from `web/connect/` (plain
 * files, no CDN, so it works offline).
 */
import { readFile } from "node:fs/promises";
import type { FastifyInstance } from "fastify";
import { connectPageHeaders } from "./security-headers.ts";

const WEB_DIRECTORY = new URL("../../../web/connect/", import.meta.url);

const ASSETS: Record<string, { file: string; type: string }> = {
  "/connect": { file: "index.html", type: "text/html; charset=utf-8" },
  "/connect/connect.css": { file: "connect.css", type: "text/css; charset=utf-8" },
  "/connect/connect.js": { file: "connect.js", type: "application/javascript; charset=utf-8" },
};

/** Registers the page and its assets (public: the page authenticates its API calls with the session token). */
export function registerConnectAssets(app: FastifyInstance): void {
  const cache = new Map<string, Buffer>();
  for (const [path, asset] of Object.entries(ASSETS)) {
    app.get(path, async (_request, reply) => {
      let content = cache.get(asset.file);
      if (!content) {
        content = await readFile(new URL(asset.file, WEB_DIRECTORY));
        cache.set(asset.file, content);
      }
      return connectPageHeaders(reply, asset.file.endsWith(".html")).type(asset.type).send(content);
    });
  }
}
