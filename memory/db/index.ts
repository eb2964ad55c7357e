/**
 * The long-term store's connection: postgres.js against `DATABASE_URL` (Aurora in production)
 * or against the embedded PGlite host's Unix socket. Only `memory/` imports postgres.js.
 */
import type { Socket } from "node:net";
import postgres, { type Options, type PostgresType, type Sql } from "postgres";
import type { Config } from "../../core/config.js";
import type { Logger } from "../../core/logger.js";
import { connectToHost, dataDirOfSocketDir, openEmbeddedPostgres } from "./embedded.js";
import { GATED_APPLICATION, SETUP_APPLICATION } from "./embedded-common.js";

export type { Sql } from "postgres";
export { type EmbedderIdentity, migrate } from "./migrate.js";

export interface Database {
  readonly sql: Sql;
  /** Where `sql` connects (for child processes that must reach the same database). */
  readonly url: string;
  readonly embedded: boolean;
  /** The embedded database's host: its pid while alive, and whether this process started it. */
  readonly embeddedHost: { readonly pid: number | undefined; readonly started: boolean } | undefined;
  /** URL for the least-privileged run_query login, if separate from `sql`. */
  readonly readonlyUrl: string | undefined;
  /** Ends the pool; on the embedded database see `EmbeddedPostgres.close` for `waitForHost`. */
  close(options?: { waitForHost?: boolean }): Promise<void>;
}

type ConnectOptions = Options<Record<string, PostgresType>>;

/**
 * postgres.js for `url`. A Unix-socket URL in libpq's form (`?host=/dir`) connects to
 * `/dir/.s.PGSQL.<port>`; when the directory is an embedded host's, each new connection starts a
 * host if none is alive (takeover), and waits while one starts.
 */
export function connectPostgres(url: string, options: ConnectOptions = {}): Sql {
  const parsed = new URL(url);
  const dir = parsed.searchParams.get("host");
  if (!dir?.startsWith("/")) return postgres(url, options);
  parsed.searchParams.delete("host");
  const dataDir = dataDirOfSocketDir(dir);
  const socket = dataDir ? async (): Promise<Socket> => (await connectToHost(dataDir)).socket : undefined;
  return postgres(parsed.toString(), {
    connect_timeout: 120,
    ...options,
    host: dir,
    port: Number(parsed.port || 5432),
    ...(socket ? ({ socket } as object) : {}),
  });
}

/**
 * Opens the pool. `setup` marks the processes that migrate and seed: until the embedded world is
 * seeded, every other Flightly login waits for it (it never reads a half-built world).
 */
export async function openDatabase(
  config: Config,
  logger: Logger,
  options: { setup?: boolean } = {},
): Promise<Database> {
  const embedded = config.database.url ? undefined : await openEmbeddedPostgres(config.dataDir, logger);
  const url = config.database.url ?? embedded!.url;
  const sql = connectPostgres(url, {
    max: embedded ? 8 : 20,
    // A Unix-socket URL (the embedded host) waits out a host start and the first seed.
    ...(new URL(url).searchParams.has("host") ? {} : { connect_timeout: 10 }),
    idle_timeout: 30,
    onnotice: () => {},
    connection: { application_name: options.setup ? SETUP_APPLICATION : GATED_APPLICATION },
    transform: { undefined: null },
  });
  return {
    sql,
    url,
    embedded: embedded !== undefined,
    embeddedHost: embedded ? { pid: embedded.hostPid(), started: embedded.startedHost } : undefined,
    readonlyUrl: config.database.readonlyUrl,
    close: async (options) => {
      await sql.end({ timeout: 5 });
      await embedded?.close(options);
    },
  };
}

/**
 * postgres.js 3.4 can flush a buffered write from a `setImmediate` after its connection closed,
 * throwing `TypeError: Cannot read properties of null (reading 'write')` outside any caller
 * (porsager/postgres#1154, #1066; unfixed in 3.4.10). By then the connection's queries were
 * already rejected with CONNECTION_CLOSED, so the write is moot: the entry point may drop exactly
 * this error instead of letting it end the process.
 */
export function isDriverWriteAfterClose(err: unknown): boolean {
  return (
    err instanceof TypeError &&
    /reading 'write'/.test(err.message) &&
    /nextWrite[\s\S]*postgres[\\/](?:cjs[\\/])?src[\\/]connection\.js/.test(err.stack ?? "")
  );
}
