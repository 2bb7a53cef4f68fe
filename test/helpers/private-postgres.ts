/**
 * Test helper: a throwaway Postgres cluster of the test's own (initdb into a temp directory, listening on
 * 127.0.0.1 at a free port, its unix socket in that directory), so a test may restart or stop it without
 * touching the shared server other tests use. As root, initdb and pg_ctl run as the `postgres` user.
 */
import { execFileSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface PrivatePostgres {
  /** postgres://postgres@127.0.0.1:<port>/postgres */
  readonly url: string;
  /** Stops it and starts it again (`pg_ctl restart -m fast`: open sessions are ended). */
  restart(): void;
  stop(): void;
  /** Starts it again after `stop()`. */
  start(): void;
  /** Stops it (if running) and deletes its directory. */
  destroy(): void;
}

/** The newest installed server's bin directory (Debian's layout), or undefined when none is installed. */
export function postgresBinDir(): string | undefined {
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((version) => existsSync(join(root, version, "bin", "initdb")))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], "bin") : undefined;
}

export const PRIVATE_POSTGRES_SKIP_MESSAGE =
  "Private Postgres tests skipped: no initdb under /usr/lib/postgresql/*/bin. Install the postgresql server " +
  "package to run them. On CI (CI=true) they never skip.";

/** Whether a private cluster can be made here; on CI missing binaries are an error, not a skip. */
export function privatePostgresAvailable(): boolean {
  if (postgresBinDir()) return true;
  if (process.env.CI)
    throw new Error(`CI must run the private Postgres tests: ${PRIVATE_POSTGRES_SKIP_MESSAGE}`);
  console.warn(PRIVATE_POSTGRES_SKIP_MESSAGE);
  return false;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

/** initdb refuses root: as root, run the server's tools as the `postgres` user. */
function asServerUser(): { command: (tool: string, args: string[]) => [string, string[]]; uid?: number } {
  if (process.getuid?.() !== 0) return { command: (tool, args) => [tool, args] };
  const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
  return { command: (tool, args) => ["runuser", ["-u", "postgres", "--", tool, ...args]], uid };
}

/** Makes and starts a cluster; `destroy()` it after. */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = postgresBinDir();
  if (!bin) throw new Error(PRIVATE_POSTGRES_SKIP_MESSAGE);
  const user = asServerUser();
  const dir = mkdtempSync(join(tmpdir(), "switchyard-private-pg-"));
  if (user.uid !== undefined) chownSync(dir, user.uid, user.uid);
  const data = join(dir, "data");
  const port = await freePort();
  const run = (tool: string, args: string[]) => {
    const [command, argv] = user.command(join(bin, tool), args);
    execFileSync(command, argv, { stdio: ["ignore", "pipe", "pipe"], cwd: dir });
  };
  const pgCtl = (...args: string[]) =>
    run("pg_ctl", ["-D", data, "-l", join(dir, "server.log"), "-w", ...args]);
  run("initdb", ["-D", data, "-A", "trust", "-U", "postgres", "--no-sync"]);
  // Only loopback, its socket in its own directory, no fsync (throwaway data).
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
  pgCtl("-o", options, "start");
  let running = true;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    restart() {
      pgCtl("-m", "fast", "restart");
      running = true;
    },
    stop() {
      pgCtl("-m", "fast", "stop");
      running = false;
    },
    start() {
      pgCtl("-o", options, "start");
      running = true;
    },
    destroy() {
      try {
        if (running) pgCtl("-m", "immediate", "stop");
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
