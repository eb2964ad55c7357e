/**
 * The real-PostgreSQL lane. With `TEST_DATABASE_URL` set (an admin login, e.g.
 * `postgres://postgres@127.0.0.1:5432/postgres`), global-setup seeds the Flightly world into a
 * database of the run's own, and every test that needs a database gets a private one on that
 * server (a `TEMPLATE` copy of the world, or an empty one); every database the run creates is named
 * `<run prefix>_…` and dropped at teardown. Without it, tests use embedded PGlite as always.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inject } from "vitest";
import { createLogger } from "../../core/logger.js";
import { openEmbeddedPostgres } from "../../memory/db/embedded.js";
import { createDatabase, dropDatabase, REAL_PG } from "./pg-admin.js";

export { adminSql, databaseUrl, REAL_PG, REAL_PG_ONLY, TEST_DATABASE_URL } from "./pg-admin.js";

/** A private database on the real server for this test, named under the run's prefix. */
async function privateDatabase(label: string, world: boolean): Promise<{ name: string; url: string }> {
  const name = `${inject("pgRunPrefix")}_${label.replace(/\W+/g, "_").toLowerCase()}_${randomBytes(3).toString("hex")}`;
  const url = await createDatabase(name, world ? inject("pgWorldDatabase") : undefined);
  return { name, url };
}

export interface TestPostgres {
  /** postgres.js can connect here. */
  readonly url: string;
  /** A DATA_DIR for local state (and, on PGlite, the database itself). */
  readonly dir: string;
  /** Configuration that points a process at this database. */
  readonly env: { DATA_DIR: string; DATABASE_URL?: string };
  readonly real: boolean;
  close(): Promise<void>;
}

/**
 * A private database for one suite: an empty one (`world: false`, for the suite to migrate) or a
 * copy of the seeded world, on the real server in the real-PG lane, else an embedded PGlite in a
 * temp dir served by its host process.
 */
export async function openTestPostgres(
  options: { world?: boolean; label?: string; copyWorld?: () => string } = {},
): Promise<TestPostgres> {
  const label = options.label ?? "db";
  if (REAL_PG) {
    const dir = mkdtempSync(join(tmpdir(), `flightly-${label}-`));
    const db = await privateDatabase(label, options.world === true);
    return {
      url: db.url,
      dir,
      env: { DATA_DIR: dir, DATABASE_URL: db.url },
      real: true,
      close: async () => {
        await dropDatabase(db.name);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const dir =
    options.world && options.copyWorld
      ? options.copyWorld()
      : mkdtempSync(join(tmpdir(), `flightly-${label}-`));
  const pg = await openEmbeddedPostgres(dir, createLogger({ level: "silent" }));
  return {
    url: pg.url,
    dir,
    env: { DATA_DIR: dir },
    real: false,
    close: async () => {
      await pg.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Configuration for processes that open the world themselves (`flightly serve`, in-process
 * runtimes): a DATA_DIR holding a PGlite copy, or in the real-PG lane an empty DATA_DIR and a
 * DATABASE_URL to a private copy on the server.
 */
export async function worldEnvOn(
  copyWorld: () => string,
  label = "world",
): Promise<{ env: { DATA_DIR: string; DATABASE_URL?: string }; dir: string; close(): Promise<void> }> {
  if (!REAL_PG) {
    const dir = copyWorld();
    return { env: { DATA_DIR: dir }, dir, close: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const dir = mkdtempSync(join(tmpdir(), `flightly-${label}-`));
  const db = await privateDatabase(label, true);
  return {
    env: { DATA_DIR: dir, DATABASE_URL: db.url },
    dir,
    close: async () => {
      await dropDatabase(db.name);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
