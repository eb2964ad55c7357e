/**
 * Shared set-up for the MCP server tests: a fresh database (embedded PGlite over the wire protocol,
 * or a private one on TEST_DATABASE_URL's server), migrated with an 8-dimension test embedder and a few rows in every kind of table, a
 * state snapshot that must not change under attack, and an MCP client wired to a server in-process.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { Sql } from "postgres";
import { createLogger } from "../../core/logger.js";
import { connectPostgres } from "../../memory/db/index.js";
import { migrate } from "../../memory/db/migrate.js";
import { openTestPostgres, type TestPostgres } from "../support/pg.js";

export const silentLogger = createLogger({ level: "silent" });

export interface TestDatabase {
  readonly sql: Sql;
  readonly url: string;
  /** The DATA_DIR whose embedded server this process runs (an empty one in the real-PG lane). */
  readonly dir: string;
  /** Points a config at this database: DATA_DIR, and DATABASE_URL in the real-PG lane. */
  readonly env: { DATA_DIR: string; DATABASE_URL?: string };
  readonly real: boolean;
  close(): Promise<void>;
}

const vec = (i: number): string => `[${Array.from({ length: 8 }, (_, k) => (k === i ? 1 : 0)).join(",")}]`;

/** A fresh, migrated database with a few rows in catalogue and private tables alike. */
export async function openTestDatabase(prefix = "mcp"): Promise<TestDatabase> {
  let pg: TestPostgres | undefined;
  try {
    pg = await openTestPostgres({ label: prefix });
    const sql = connectPostgres(pg.url, { max: 4, onnotice: () => {} });
    await migrate(sql, { modelId: "test", dimensions: 8 });
    await sql.unsafe(`
      INSERT INTO airports VALUES
        ('HNL', 'Daniel K. Inouye International', 'Honolulu', 'US', 21.3187, -157.9225, 'Pacific/Honolulu'),
        ('LAX', 'Los Angeles International', 'Los Angeles', 'US', 33.9416, -118.4085, 'America/Los_Angeles'),
        ('SEA', 'Seattle-Tacoma International', 'Seattle', 'US', 47.4502, -122.3088, 'America/Los_Angeles');
      INSERT INTO airlines VALUES ('HA', 'Hawaiian Airlines'), ('AS', 'Alaska Airlines');
      INSERT INTO flights VALUES
        (1, 'HA', 'HA1', 'LAX', 'HNL', now() + interval '1 day', now() + interval '1 day 6 hours', 31900, 180, 40),
        (2, 'AS', 'AS843', 'SEA', 'HNL', now() + interval '2 days', now() + interval '2 days 6 hours', 28900, 160, 12),
        (3, 'HA', 'HA2', 'HNL', 'LAX', now() + interval '3 days', now() + interval '3 days 5 hours', 30900, 180, 0);
      INSERT INTO hotels VALUES
        (1, 'Waikiki Surf', 'HNL', 'Honolulu', 4, 28900, 4.5, true, '{pool,wifi}'),
        (2, 'Pike Place Inn', 'SEA', 'Seattle', 3, 18900, 4.1, false, '{wifi}');
      INSERT INTO knowledge_documents (slug, title, body, kind, embedding)
        VALUES ('baggage', 'Baggage policy', 'One carry-on bag.', 'policy', '${vec(0)}');
      INSERT INTO customers (id, name, email, card_last4) VALUES (1, 'Ana Lima', 'ana@example.com', '4242');
      INSERT INTO bookings (ref, customer_id, flight_id, passengers, status, total_cents)
        VALUES ('FLY123', 1, 1, 1, 'confirmed', 31900);
      INSERT INTO payments (booking_id, amount_cents, status, idempotency_key, card_last4)
        VALUES (1, 31900, 'succeeded', 'pay-1', '4242');
      INSERT INTO memories (actor_id, namespace, kind, content, embedding)
        VALUES ('1', 'preferences', 'preference', 'Prefers aisle seats', '${vec(1)}');
      -- This small world is complete: service logins need not wait for a seed.
      INSERT INTO flightly_meta (key, value) VALUES ('seed_anchor', now()::text);
    `);
    const owned = pg;
    return {
      sql,
      url: pg.url,
      dir: pg.dir,
      env: pg.env,
      real: pg.real,
      close: async () => {
        await sql.end({ timeout: 5 });
        await owned.close();
      },
    };
  } catch (err) {
    await pg?.close();
    throw err;
  }
}

/**
 * Everything an attack could change: row counts of every table, the schema's relations and
 * functions, the run_query role's grants and attributes, and the shared session's state (PGlite
 * serves every connection from one backend, so session state is global there). An unset custom
 * setting reads as '' once any transaction has touched it, even one rolled back, so null and ''
 * count as the same (no value).
 */
export async function snapshot(sql: Sql): Promise<Record<string, unknown>> {
  const tables = await sql<{ name: string }[]>`
    SELECT c.relname::text AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') ORDER BY 1`;
  const counts: Record<string, number> = {};
  for (const { name } of tables) {
    const [row] = await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM ${sql(name)}`;
    counts[name] = row?.n ?? -1;
  }
  const relations = await sql`
    SELECT c.relname::text AS name, c.relkind::text AS kind FROM pg_class c
      JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
     ORDER BY 1`;
  const functions = await sql`
    SELECT count(*)::int AS n FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public'`;
  const grants = await sql`
    SELECT table_name::text, privilege_type::text FROM information_schema.role_table_grants
     WHERE grantee = 'flightly_readonly' ORDER BY 1, 2`;
  const roles = await sql`
    SELECT rolname::text, rolsuper, rolcanlogin, rolcreaterole, rolcreatedb, rolbypassrls FROM pg_roles
     WHERE rolname IN ('postgres', 'flightly_readonly', 'flightly_app') ORDER BY 1`;
  const [session] = await sql`
    SELECT current_user::text AS current_user, session_user::text AS session_user,
           coalesce(current_setting('flightly.actor_id', true), '') AS actor_id,
           current_setting('statement_timeout') AS statement_timeout,
           current_setting('search_path') AS search_path,
           current_setting('default_transaction_read_only') AS default_read_only,
           current_setting('transaction_read_only') AS read_only,
           (SELECT count(*)::int FROM pg_locks WHERE locktype = 'advisory') AS advisory_locks,
           (SELECT count(*)::int FROM pg_listening_channels()) AS listening,
           (SELECT count(*)::int FROM pg_cursors) AS cursors`;
  return {
    counts,
    relations: [...relations],
    functions: [...functions],
    grants: [...grants],
    roles: [...roles],
    session,
  };
}

/** An SDK client connected to `server` over a linked in-memory transport pair. */
export async function connectInMemory(server: McpServer): Promise<Client> {
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: "flightly-test", version: "0.0.0" });
  await Promise.all([server.connect(serverTransport), client.connect(clientTransport)]);
  return client;
}

/** The text of a tool result's first content block. */
function textOf(result: unknown): string {
  const [first] = (result as CallToolResult).content ?? [];
  return first?.type === "text" ? first.text : "";
}

export async function callTool(
  client: Client,
  name: string,
  args: Record<string, unknown>,
): Promise<CallToolResult & { text: string; json: unknown }> {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  const text = textOf(result);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { ...result, text, json };
}
