/**
 * Child process: the load generator, apart from the server it measures. Runs autocannon against one
 * server: `connections` keep-alive connections, after a warm-up, for `duration` seconds, each request
 * taking the next path of the list in turn (one path: the same page again and again; many: pages spread
 * over the list).
 *
 * Prints `{p50_ms, p99_ms, rps, requests, non2xx, errors}`. Usage: load.mjs <plan.json>, the plan being
 * `{url, headers, paths, connections, duration, warmup}`.
 */
import { readFileSync } from "node:fs";
import autocannon from "autocannon";

const [planFile] = process.argv.slice(2);
if (!planFile) throw new Error("usage: load.mjs <plan.json>");
const plan = JSON.parse(readFileSync(planFile, "utf8"));

let next = 0;
const result = await autocannon({
  url: plan.url,
  connections: plan.connections,
  duration: plan.duration,
  headers: plan.headers,
  warmup: { connections: plan.connections, duration: plan.warmup },
  requests: [
    {
      method: "GET",
      setupRequest(request) {
        request.path = plan.paths[next++ % plan.paths.length];
        return request;
      },
    },
  ],
});
process.stdout.write(
  `${JSON.stringify({
    p50_ms: result.latency.p50,
    p99_ms: result.latency.p99,
    rps: result.requests.average,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  })}\n`,
);
