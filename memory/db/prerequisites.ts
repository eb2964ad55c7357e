/**
 * What the schema needs from the server beyond the database itself: the `vector` extension, the
 * `flightly_app` / `flightly_readonly` roles, and the login's membership in both (long-term
 * memory runs every transaction `SET ROLE flightly_app` so row-level security applies; run_query
 * runs as `flightly_readonly`). A superuser login has all of it. Otherwise each step is tried
 * (a trusted extension, a login with CREATEROLE) and what the login cannot do stops `migrate`
 * with the exact SQL a superuser runs once, rather than failing memory writes at run time.
 */
import type { Sql } from "postgres";
import { FlightlyError } from "../../core/errors.js";

export const APP_ROLES = ["flightly_app", "flightly_readonly"] as const;

interface Login {
  user: string;
  ident: string;
  database: string;
  database_ident: string;
  superuser: boolean;
  createrole: boolean;
  has_vector: boolean;
  vector_available: boolean;
}

const code = (err: unknown): string | undefined =>
  (err as { code?: unknown } | null)?.code as string | undefined;

/** Runs `statement`; false when the login lacks the privilege (42501). */
async function tryAs(sql: Sql, statement: string): Promise<boolean> {
  try {
    await sql.unsafe(statement);
    return true;
  } catch (err) {
    if (code(err) === "42501") return false;
    if (code(err) === "42710") return true; // created meanwhile by another process
    throw err;
  }
}

/** Makes sure the server side is in place, or throws naming the SQL a superuser must run. */
export async function ensurePrerequisites(sql: Sql): Promise<void> {
  const [login] = await sql<Login[]>`
    SELECT current_user::text AS user, quote_ident(current_user) AS ident,
           current_database()::text AS database, quote_ident(current_database()) AS database_ident,
           r.rolsuper AS superuser, r.rolcreaterole AS createrole,
           EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'vector') AS has_vector,
           EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'vector') AS vector_available
      FROM pg_roles r WHERE r.rolname = current_user`;
  if (!login || login.superuser) return;

  const inCluster: string[] = [];
  const inDatabase: string[] = [];
  if (!login.has_vector) {
    if (!login.vector_available) {
      throw new FlightlyError(
        "CONFIG_INVALID",
        `the PostgreSQL server has no pgvector extension to create in database "${login.database}": install pgvector on the server (Aurora and RDS ship it)`,
      );
    }
    if (!(await tryAs(sql, "CREATE EXTENSION IF NOT EXISTS vector")))
      inDatabase.push("CREATE EXTENSION vector;");
  }
  const existing = new Set(
    (
      await sql<
        { name: string }[]
      >`SELECT rolname::text AS name FROM pg_roles WHERE rolname IN ${sql([...APP_ROLES])}`
    ).map((r) => r.name),
  );
  const grants: string[] = [];
  for (const role of APP_ROLES) {
    if (!existing.has(role) && !(login.createrole && (await tryAs(sql, `CREATE ROLE ${role} NOLOGIN`)))) {
      inCluster.push(`CREATE ROLE ${role} NOLOGIN;`);
      grants.push(role);
      continue;
    }
    const [{ member } = { member: false }] = await sql<{ member: boolean }[]>`
      SELECT pg_has_role(current_user, ${role}, 'MEMBER') AS member`;
    if (!member && !(login.createrole && (await tryAs(sql, `GRANT ${role} TO ${login.ident}`))))
      grants.push(role);
  }
  if (grants.length > 0) inCluster.push(`GRANT ${grants.join(", ")} TO ${login.ident};`);
  if (inCluster.length === 0 && inDatabase.length === 0) return;

  const steps = [
    ...inCluster,
    ...(inDatabase.length > 0 ? [`\\c ${login.database_ident}`, ...inDatabase] : []),
  ];
  throw new FlightlyError(
    "CONFIG_INVALID",
    `database "${login.database}" is not ready for the login "${login.user}", which is not a superuser. ` +
      `Run this once as a superuser, then \`flightly migrate\` again:\n\n  ${steps.join("\n  ")}\n`,
  );
}
