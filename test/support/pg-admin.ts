/**
 * Admin operations on the real-PostgreSQL lane's server (`TEST_DATABASE_URL`): create and drop the
 * run's databases. No vitest import, so global-setup can use it too.
 */
import { randomBytes } from "node:crypto";
import postgres, { type Sql } from "postgres";

export const TEST_DATABASE_URL: string | undefined = process.env.TEST_DATABASE_URL || undefined;
export const REAL_PG = TEST_DATABASE_URL !== undefined;
export const REAL_PG_ONLY =
  "TEST_DATABASE_URL is unset: this suite needs a real PostgreSQL server (README: pointing the tests at your own PostgreSQL)";

/** A new prefix for one run's databases. */
export const newRunPrefix = (): string => `flightly_t_${randomBytes(4).toString("hex")}`;

/** `TEST_DATABASE_URL` with another database name. */
export function databaseUrl(name: string, base = TEST_DATABASE_URL): string {
  if (!base) throw new Error("TEST_DATABASE_URL is unset");
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}

/** A short-lived admin connection (CREATE / DROP DATABASE, roles). */
export function adminSql(): Sql {
  if (!TEST_DATABASE_URL) throw new Error("TEST_DATABASE_URL is unset");
  return postgres(TEST_DATABASE_URL, { max: 1, onnotice: () => {} });
}

async function withAdmin<T>(fn: (sql: Sql) => Promise<T>): Promise<T> {
  const sql = adminSql();
  try {
    return await fn(sql);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

export async function createDatabase(name: string, template?: string): Promise<string> {
  await withAdmin(async (sql) => {
    // A template copy fails while anyone else is connected to the template: retry briefly.
    for (let attempt = 0; ; attempt++) {
      try {
        await sql.unsafe(`CREATE DATABASE ${name}${template ? ` TEMPLATE ${template}` : ""}`);
        return;
      } catch (err) {
        if (attempt >= 20 || (err as { code?: string }).code !== "55006") throw err;
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  });
  return databaseUrl(name);
}

export async function dropDatabase(name: string): Promise<void> {
  await withAdmin((sql) => sql.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
}

/** Drops every database whose name starts with `prefix` (the run's teardown). */
export async function dropDatabasesLike(prefix: string): Promise<string[]> {
  return withAdmin(async (sql) => {
    const rows = await sql<{ datname: string }[]>`
      SELECT datname::text FROM pg_database WHERE starts_with(datname, ${`${prefix}_`})`;
    for (const { datname } of rows) await sql.unsafe(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
    return rows.map((r) => r.datname);
  });
}

/** Drops every login role whose name starts with `prefix` (after the run's databases are gone). */
export async function dropRolesLike(prefix: string): Promise<string[]> {
  return withAdmin(async (sql) => {
    const rows = await sql<{ rolname: string }[]>`
      SELECT rolname::text FROM pg_roles WHERE starts_with(rolname, ${`${prefix}_`})`;
    for (const { rolname } of rows) await sql.unsafe(`DROP ROLE IF EXISTS ${rolname}`);
    return rows.map((r) => r.rolname);
  });
}
