/**
 * A stand-alone embedded Postgres for the fault tests: a client of the PGlite host for DATA_DIR
 * (argv[2]) that exposes it on a fixed loopback port (argv[3], 0 for any) through a TCP relay, so
 * the test can kill this process (the database "drops every connection") and start it again at
 * the same address. Prints `ready <port>` on stdout once it accepts connections. Needs `npm run build`.
 */
import { connect, createServer } from "node:net";
import { createLogger } from "../../dist/core/logger.js";
import { openEmbeddedPostgres } from "../../dist/memory/db/embedded.js";
import { socketPath } from "../../dist/memory/db/embedded-common.js";

const [dir, portArg] = process.argv.slice(2);
if (!dir) throw new Error("usage: pglite-server.mjs DATA_DIR [PORT]");
const pg = await openEmbeddedPostgres(dir, createLogger({ level: "warn" }));
const sockets = new Set();

const relay = createServer((client) => {
  // Without it, Nagle's algorithm holds each small reply until the client's delayed ACK (~40 ms).
  client.setNoDelay(true);
  const server = connect({ path: socketPath(dir) });
  sockets.add(client).add(server);
  const drop = () => {
    client.destroy();
    server.destroy();
    sockets.delete(client);
    sockets.delete(server);
  };
  client.on("error", drop).on("close", drop);
  server.on("error", drop).on("close", drop);
  client.pipe(server);
  server.pipe(client);
});
relay.listen(Number(portArg ?? 0), "127.0.0.1", () => {
  process.stdout.write(`ready ${relay.address().port}\n`);
});

const stop = async () => {
  relay.close();
  for (const s of sockets) s.destroy();
  await pg.close();
  process.exit(0);
};
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
