/**
 * A migrated test database holding `docs` as help-centre documents, embedded with a
 * `HashEmbedder(512)`, for the suite it is called in (opened before its tests, closed after).
 */
import type { Sql } from "postgres";
import { afterAll, beforeAll } from "vitest";
import { connectPostgres } from "../../memory/db/index.js";
import { migrate } from "../../memory/db/migrate.js";
import { type KnowledgeDocumentInput, upsertKnowledgeDocument } from "../../memory/knowledge.js";
import { HashEmbedder } from "./hash-embedder.js";
import { openTestPostgres, type TestPostgres } from "./pg.js";

export function knowledgeDb(
  label: string,
  docs: readonly KnowledgeDocumentInput[],
): { readonly sql: Sql; readonly embedder: HashEmbedder } {
  const embedder = new HashEmbedder(512);
  let pg: TestPostgres | undefined;
  let sql: Sql | undefined;
  beforeAll(async () => {
    pg = await openTestPostgres({ label });
    sql = connectPostgres(pg.url, { max: 2, onnotice: () => {} });
    await migrate(sql, { modelId: embedder.modelId, dimensions: embedder.dimensions });
    for (const doc of docs) await upsertKnowledgeDocument(sql, embedder, doc);
  });
  afterAll(async () => {
    await sql?.end();
    await pg?.close();
  });
  return {
    get sql(): Sql {
      if (!sql) throw new Error("the knowledge database is opened before the suite's tests");
      return sql;
    },
    embedder,
  };
}
