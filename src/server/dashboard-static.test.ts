import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Fastify, { type FastifyInstance } from "fastify";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { registerDashboard } from "./dashboard-static.ts";

const HTML = { accept: "text/html,application/xhtml+xml" };

describe("the dashboard's files at /", () => {
  let dir: string;
  let app: FastifyInstance;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "dashboard-"));
    app = Fastify();
    app.get("/v1/connections", async () => ({ data: [] }));
  });
  afterEach(async () => {
    await app.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** The dashboard as the server mounts it: `GET /`, then its pages before a plain 404. */
  function mount(directory: string) {
    const pages = registerDashboard(app, directory);
    app.setNotFoundHandler(async (request, reply) =>
      (await pages(request, reply)) ? reply : reply.code(404).send({ error: "not found" }),
    );
  }

  async function built() {
    await mkdir(join(dir, "assets"));
    await writeFile(join(dir, "index.html"), "<!doctype html><title>app</title>");
    await writeFile(join(dir, "assets", "index-abc.js"), "console.log(1)");
    await writeFile(join(dir, "secret.txt"), "not in the build");
  }

  it("serves index.html at / and for page addresses a browser loads, with a strict CSP", async () => {
    await built();
    mount(join(dir, "assets", ".."));
    const root = await app.inject({ url: "/" });
    expect(root.statusCode).toBe(200);
    expect(root.body).toContain("<title>app</title>");
    expect(root.headers["cache-control"]).toBe("no-store");
    expect(root.headers["content-security-policy"]).toContain("script-src 'self'");
    const page = await app.inject({ url: "/connections/conn_1", headers: HTML });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain("<title>app</title>");
  });

  it("serves hashed assets cached for good, with their type", async () => {
    await built();
    mount(dir);
    const asset = await app.inject({ url: "/assets/index-abc.js" });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers["content-type"]).toContain("application/javascript");
    expect(asset.headers["cache-control"]).toContain("immutable");
  });

  it("leaves API paths, non-browser requests and paths out of the directory to the 404 handler", async () => {
    await built();
    mount(join(dir, "assets"));
    expect((await app.inject({ url: "/v1/nothing", headers: HTML })).statusCode).toBe(404);
    expect((await app.inject({ url: "/nothing" })).statusCode).toBe(404);
    expect((await app.inject({ url: "/v1/connections" })).json()).toEqual({ data: [] });
    const outside = await app.inject({ url: "/..%2fsecret.txt" });
    expect(outside.statusCode).toBe(404);
    expect(outside.body).not.toContain("not in the build");
  });

  it("says how to build it when the build is missing", async () => {
    mount(join(dir, "missing"));
    const response = await app.inject({ url: "/", headers: HTML });
    expect(response.statusCode).toBe(503);
    expect(response.body).toContain("npm run build:ui");
  });
});
