/**
 * Flightly's MCP servers: `flightly-postgres` (read-only run_query, get_table_schema, list_tables)
 * and `flightly-weather` (get_forecast, get_alerts), and `startMcpCommand`, which the CLI runs for
 * `flightly mcp postgres|weather [--http PORT]`.
 */
import { type Config, exposurePolicy } from "../core/config.js";
import type { Logger } from "../core/logger.js";
import { openDatabase } from "../memory/db/index.js";
import { openShortTermStore } from "../memory/store/index.js";
import { createToolCache } from "../tools/cache.js";
import type { McpServerName } from "./names.js";
import { createPostgresMcpServer } from "./postgres/server.js";
import { type McpHttpOptions, runHttp, runStdio } from "./transport.js";
import { createWeatherMcpServer } from "./weather/server.js";

export type { McpServerName } from "./names.js";
export {
  type McpHttpOptions,
  runHttp,
  runStdio,
} from "./transport.js";

export interface McpCommandHandle {
  /** The Streamable HTTP endpoint, when serving HTTP. */
  readonly url: string | undefined;
  /** Settles once the server has stopped and its resources are released. */
  readonly closed: Promise<void>;
  close(): Promise<void>;
}

export interface McpCommandOptions {
  /** Stop on SIGINT / SIGTERM (default true). */
  handleSignals?: boolean;
  /** HTTP options (allowed hosts, session limits). */
  http?: Omit<McpHttpOptions, "logger">;
}

async function openPostgres(config: Config, logger: Logger) {
  const readonlyUrl = config.database.readonlyUrl;
  if (readonlyUrl) {
    // Queries need only the least-privileged login; it is opened through memory/db like any pool.
    const readonly = await openDatabase(
      { ...config, database: { url: readonlyUrl, readonlyUrl: undefined } },
      logger,
    );
    const deps = { sql: readonly.sql, readonlySql: readonly.sql, embedded: false, logger };
    return { create: () => createPostgresMcpServer(deps), close: () => readonly.close() };
  }
  // On a fresh embedded DATA_DIR a service login waits for the first seed: say so, not silence.
  const waiting = setTimeout(
    () =>
      logger.warn(
        { dataDir: config.dataDir },
        "waiting for the Flightly world to be seeded: start `flightly serve` or run `flightly seed` with this DATA_DIR",
      ),
    3_000,
  );
  const db = await openDatabase(config, logger).finally(() => clearTimeout(waiting));
  try {
    const roles = await db.sql`SELECT 1 FROM pg_roles WHERE rolname = 'flightly_readonly'`;
    if (roles.length === 0) {
      logger.warn(
        "role flightly_readonly does not exist: run `flightly migrate`; run_query will fail until then",
      );
    }
  } catch (err) {
    await db.close().catch(() => {});
    throw err;
  }
  // A child of `flightly serve` reaches the embedded server by URL: recognise PGlite by its version.
  const [{ version } = { version: "" }] = await db.sql<{ version: string }[]>`SELECT version()`;
  const deps = { sql: db.sql, embedded: db.embedded || /PGlite|emscripten/i.test(version), logger };
  return { create: () => createPostgresMcpServer(deps), close: () => db.close() };
}

async function openWeather(config: Config, logger: Logger) {
  const store = await openShortTermStore(config);
  const cache = createToolCache(store, { logger });
  return {
    create: () => createWeatherMcpServer({ weather: config.weather, logger, cache }),
    close: () => store.close(),
  };
}

/**
 * Runs one MCP server until stopped: on stdio (stdout is the protocol channel; logs go to stderr),
 * or on Streamable HTTP at `http://HOST:PORT/mcp` when `httpPort` is given. For postgres it
 * connects with `openDatabase` (sharing embedded PGlite through DATA_DIR; migrations are the
 * composition root's job) and prefers `DATABASE_READONLY_URL` for queries.
 */
export async function startMcpCommand(
  name: McpServerName,
  httpPort: number | undefined,
  config: Config,
  logger: Logger,
  options: McpCommandOptions = {},
): Promise<McpCommandHandle> {
  const log = logger.child({ mcp: name });
  const resources = name === "postgres" ? await openPostgres(config, log) : await openWeather(config, log);
  let stopTransport: () => Promise<void>;
  let clientGone: Promise<void> | undefined;
  let url: string | undefined;
  try {
    if (httpPort !== undefined) {
      const exposure = exposurePolicy(config, config.host);
      if (exposure.warning) log.warn({ host: config.host }, exposure.warning);
      const http = await runHttp(resources.create, httpPort, config.host, {
        allowedHosts: exposure.allowedHosts,
        ...options.http,
        logger: log,
      });
      url = http.url;
      stopTransport = () => http.close();
    } else {
      const stdio = await runStdio(resources.create());
      stopTransport = () => stdio.close();
      clientGone = stdio.closed;
      log.info("MCP server ready on stdio");
    }
  } catch (err) {
    await resources.close().catch(() => {});
    throw err;
  }

  let resolveClosed!: () => void;
  const closed = new Promise<void>((resolve) => {
    resolveClosed = resolve;
  });
  let stopping: Promise<void> | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    log.info({ signal }, "stopping MCP server");
    void close();
  };
  const close = (): Promise<void> => {
    stopping ??= (async () => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      await stopTransport().catch((err) => log.warn({ err }, "closing the MCP transport failed"));
      await resources.close().catch((err) => log.warn({ err }, "closing MCP resources failed"));
      log.flush();
      resolveClosed();
    })();
    return stopping;
  };
  if (options.handleSignals !== false) {
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
  }
  // A stdio client that goes away ends the command.
  void clientGone?.then(() => close());
  return { url, closed, close };
}
