/**
 * Versioned SQL migrations (`migrations/NNNN_name.sql`), applied in order inside transactions,
 * recorded in `flightly_migrations`, safe to run again. Vector columns take their dimension
 * from the configured embedder; a database built with another embedder is refused. What a
 * non-superuser login cannot set up itself is checked first (`prerequisites.ts`). A version may
 * also have a data step (`DATA_STEPS`), run in its transaction after its SQL.
 */
import { createHash, randomUUID } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Sql, TransactionSql } from "postgres";
import { FlightlyError } from "../../core/errors.js";
import { ROOT } from "../../core/paths.js";
import { redactJson, redactText } from "../../core/redact.js";
import { ensurePrerequisites } from "./prerequisites.js";

const DIR = join(ROOT, "memory", "db", "migrations");

export interface EmbedderIdentity {
  modelId: string;
  dimensions: number;
}

export interface MigrationResult {
  applied: string[];
  current: number;
  /** A random id fixed when the database was created: separates deployments sharing one Valkey. */
  instanceId: string;
}

interface MigrationFile {
  version: number;
  name: string;
  text: string;
}

function migrationFiles(): MigrationFile[] {
  return readdirSync(DIR)
    .filter((f) => /^\d{4}_[\w-]+\.sql$/.test(f))
    .sort()
    .map((f) => ({ version: Number(f.slice(0, 4)), name: f, text: readFileSync(join(DIR, f), "utf8") }));
}

/**
 * Redacts every memory written before redaction at the write. Row-level security binds a
 * non-superuser owner too, so each actor's rows are read and written under its own id.
 */
async function scrubMemories(tx: TransactionSql): Promise<void> {
  const actors = await tx<{ id: string }[]>`
    SELECT id::text AS id FROM customers UNION SELECT DISTINCT actor_id FROM memories`;
  for (const { id } of actors) {
    await tx`SELECT set_config('flightly.actor_id', ${id}, true)`;
    const rows = await tx<{ id: string; content: string; history: unknown; metadata: unknown }[]>`
      SELECT id::text AS id, content, history, metadata FROM memories WHERE actor_id = ${id}`;
    for (const r of rows) {
      const content = redactText(r.content);
      const history = redactJson(r.history);
      const metadata = redactJson(r.metadata);
      if (
        content === r.content &&
        JSON.stringify([history, metadata]) === JSON.stringify([r.history, r.metadata])
      )
        continue;
      await tx`UPDATE memories SET content = ${content}, history = ${tx.json(history as never)},
        metadata = ${tx.json(metadata as never)} WHERE id = ${r.id}`;
    }
  }
  await tx`SELECT set_config('flightly.actor_id', '', true)`;
}

const DATA_STEPS: Record<number, (tx: TransactionSql) => Promise<void>> = { 7: scrubMemories };

/**
 * The result without a write when the database is already current (every migration applied with
 * its checksum, built for this embedder): one read, so a start on a current data dir skips the DDL.
 */
async function current(
  sql: Sql,
  files: MigrationFile[],
  embedder: EmbedderIdentity,
): Promise<MigrationResult | undefined> {
  let state: { migrations: Record<string, string> | null; meta: Record<string, string> | null } | undefined;
  try {
    [state] = await sql<NonNullable<typeof state>[]>`
      SELECT (SELECT json_object_agg(version, checksum) FROM flightly_migrations) AS migrations,
             (SELECT json_object_agg(key, value) FROM flightly_meta) AS meta`;
  } catch (err) {
    if ((err as { code?: unknown }).code === "42P01") return undefined; // a new database
    throw err;
  }
  const { migrations, meta } = state ?? {};
  if (!migrations || !meta?.instance_id) return undefined;
  if (meta.embedding_model !== embedder.modelId || meta.embedding_dim !== String(embedder.dimensions))
    return undefined; // the full path reports the mismatch
  if (Object.keys(migrations).length !== files.length) return undefined;
  for (const m of files) if (migrations[String(m.version)] !== checksumOf(m)) return undefined;
  return { applied: [], current: Math.max(0, ...files.map((m) => m.version)), instanceId: meta.instance_id };
}

const checksumOf = (m: MigrationFile): string =>
  createHash("sha256").update(m.text).digest("hex").slice(0, 16);

export async function migrate(sql: Sql, embedder: EmbedderIdentity): Promise<MigrationResult> {
  const files = migrationFiles();
  const [ready] = await Promise.all([current(sql, files, embedder), ensurePrerequisites(sql)]);
  if (ready) return ready;
  await sql`CREATE TABLE IF NOT EXISTS flightly_migrations (
    version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now())`;
  await sql`CREATE TABLE IF NOT EXISTS flightly_meta (key text PRIMARY KEY, value text NOT NULL)`;

  const meta = Object.fromEntries(
    (await sql<{ key: string; value: string }[]>`SELECT key, value FROM flightly_meta`).map((r) => [
      r.key,
      r.value,
    ]),
  );
  const want = { embedding_model: embedder.modelId, embedding_dim: String(embedder.dimensions) };
  if (
    meta.embedding_dim &&
    (meta.embedding_dim !== want.embedding_dim || meta.embedding_model !== want.embedding_model)
  ) {
    throw new FlightlyError(
      "EMBEDDER_MISMATCH",
      `the database holds vectors from ${meta.embedding_model} (${meta.embedding_dim} dimensions) but the configured ` +
        `embedder is ${want.embedding_model} (${want.embedding_dim} dimensions); mixing them would corrupt search. ` +
        "Point DATA_DIR / DATABASE_URL at a database for this embedder, or rebuild with `flightly seed --reset`.",
    );
  }

  const done = new Map(
    (
      await sql<{ version: number; checksum: string }[]>`SELECT version, checksum FROM flightly_migrations`
    ).map((r) => [r.version, r.checksum]),
  );
  const applied: string[] = [];
  for (const m of files) {
    const text = m.text.replaceAll("{{EMBEDDING_DIM}}", String(embedder.dimensions));
    const checksum = checksumOf(m);
    const seen = done.get(m.version);
    if (seen !== undefined) {
      if (seen !== checksum) {
        throw new FlightlyError(
          "CONFIG_INVALID",
          `migration ${m.name} changed after it was applied; add a new one instead`,
        );
      }
      continue;
    }
    await sql.begin(async (tx) => {
      await tx`SELECT pg_advisory_xact_lock(7318001)`;
      const [again] = await tx`SELECT 1 FROM flightly_migrations WHERE version = ${m.version}`;
      if (again) return;
      await tx.unsafe(text);
      await DATA_STEPS[m.version]?.(tx);
      await tx`INSERT INTO flightly_migrations (version, name, checksum) VALUES (${m.version}, ${m.name}, ${checksum})`;
      applied.push(m.name);
    });
  }
  await sql`INSERT INTO flightly_meta (key, value) VALUES
    ('embedding_model', ${want.embedding_model}), ('embedding_dim', ${want.embedding_dim})
    ON CONFLICT (key) DO NOTHING`;
  await sql`INSERT INTO flightly_meta (key, value) VALUES ('instance_id', ${randomUUID()}) ON CONFLICT (key) DO NOTHING`;
  const [instance] = await sql<
    { value: string }[]
  >`SELECT value FROM flightly_meta WHERE key = 'instance_id'`;
  const [{ max } = { max: 0 }] = await sql<
    { max: number }[]
  >`SELECT coalesce(max(version), 0)::int AS max FROM flightly_migrations`;
  return { applied, current: max, instanceId: instance!.value };
}
