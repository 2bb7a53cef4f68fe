import { createServer, type Server } from "node:net";

/**
 * Ports free on 127.0.0.1 for child processes to listen on, all different: each is held open until every
 * one is picked, since two picks one after the other may be given the same port (a test's API and its
 * emulator then collided with EADDRINUSE).
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    const ports: number[] = [];
    for (let n = 0; n < count; n++) {
      const server = createServer();
      servers.push(server);
      ports.push(
        await new Promise<number>((resolve, reject) => {
          server.once("error", reject);
          server.listen(0, "127.0.0.1", () => {
            const address = server.address();
            resolve(typeof address === "object" && address ? address.port : 0);
          });
        }),
      );
    }
    return ports;
  } finally {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  }
}

/** One free port (see freePorts). */
export async function freePort(): Promise<number> {
  return (await freePorts(1))[0]!;
}
