/**
 * The long-term store's connection: postgres.js against `DATABASE_URL` (Aurora in production)
 * or against the embedded PGlite server. Only `memory/` imports postgres.js.
 */
import postgres, { type Sql } from "postgres";
import type { Config } from "../../core/config.js";
import type { Logger } from "../../core/logger.js";
import { openEmbeddedPostgres } from "./embedded.js";

export type { Sql } from "postgres";
export { type EmbedderIdentity, migrate } from "./migrate.js";

export interface Database {
  readonly sql: Sql;
  /** Where `sql` connects (for child processes that must reach the same database). */
  readonly url: string;
  readonly embedded: boolean;
  /** True when this process serves the embedded PGlite for `DATA_DIR` (others connect to it). */
  readonly servesEmbedded: boolean;
  /** URL for the least-privileged run_query login, if separate from `sql`. */
  readonly readonlyUrl: string | undefined;
  close(): Promise<void>;
}

export async function openDatabase(config: Config, logger: Logger): Promise<Database> {
  const embedded = config.database.url ? undefined : await openEmbeddedPostgres(config.dataDir, logger);
  const url = config.database.url ?? embedded!.url;
  const sql = postgres(url, {
    max: embedded ? 8 : 20,
    idle_timeout: 30,
    // PGlite serves one transaction at a time: a new connection waits out the seed's transaction.
    connect_timeout: embedded ? 120 : 10,
    onnotice: () => {},
    connection: { application_name: "flightly" },
    transform: { undefined: null },
  });
  return {
    sql,
    url,
    embedded: embedded !== undefined,
    servesEmbedded: embedded?.owner ?? false,
    readonlyUrl: config.database.readonlyUrl,
    close: async () => {
      await sql.end({ timeout: 5 });
      await embedded?.close();
    },
  };
}
