/**
 * The README's production set-up on a real server (real-PostgreSQL lane only): a login that owns
 * a fresh database but is not a superuser. Before the superuser step `migrate` and `serve` refuse
 * to start and name the SQL; after exactly the README's `superuser-setup` block, `migrate`, `seed`
 * and `serve` work as that login, long-term memory is written and recalled through the service,
 * and row-level security binds the owner: it reads only the actor's own memories.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import postgres, { type Sql } from "postgres";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { ROOT } from "../../core/paths.js";
import { CLI, freePort, runCli, type Served, startServe } from "../support/cli.js";
import { sleep } from "../support/env.js";
import { adminSql, databaseUrl, REAL_PG, REAL_PG_ONLY } from "../support/pg.js";

if (!REAL_PG) console.info(`skipped test/db/production-setup.test.ts: ${REAL_PG_ONLY}`);

/** The README's superuser statements: [statements on the admin database, statements in the new one]. */
function readmeSuperuserSteps(login: string): [string[], string[]] {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const block = /```sql superuser-setup\n([\s\S]*?)```/.exec(readme)?.[1];
  if (!block) throw new Error("README has no superuser-setup block");
  const cluster: string[] = [];
  const inDb: string[] = [];
  let target = cluster;
  for (const line of block.split("\n").map((l) => l.trim())) {
    if (line === "") continue;
    if (line === "\\c flightly") target = inDb;
    else target.push(line.replace(/\bTO flightly;$/, `TO ${login};`));
  }
  expect(cluster.length).toBeGreaterThan(0);
  expect(inDb).toEqual(["CREATE EXTENSION vector;"]);
  return [cluster, inDb];
}

describe.skipIf(!REAL_PG)("production set-up: a non-superuser login that owns the database", () => {
  const tag = randomBytes(3).toString("hex");
  let login: string;
  let database: string;
  let env: Record<string, string>;
  let dir: string;
  let admin: Sql;
  let served: Served | undefined;

  beforeAll(async () => {
    login = `${inject("pgRunPrefix")}_owner_${tag}`;
    database = `${inject("pgRunPrefix")}_prod_${tag}`;
    dir = mkdtempSync(join(tmpdir(), "flightly-prod-"));
    admin = adminSql();
    await admin.unsafe(`CREATE ROLE ${login} LOGIN NOSUPERUSER NOCREATEROLE NOCREATEDB`);
    await admin.unsafe(`CREATE DATABASE ${database} OWNER ${login}`);
    const url = new URL(databaseUrl(database));
    url.username = login;
    url.password = "";
    // No VALKEY_URL: the in-process store, so no other suite's events reach this service's worker.
    env = { DATABASE_URL: url.toString(), DATA_DIR: dir, LOG_LEVEL: "warn" };
  });
  afterAll(async () => {
    await served?.stop("SIGKILL");
    await admin.unsafe(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.unsafe(`DROP ROLE IF EXISTS ${login}`);
    await admin.end({ timeout: 5 });
    rmSync(dir, { recursive: true, force: true });
  });

  it("before the superuser step, migrate and serve refuse to start and name the SQL to run", async () => {
    const migrate = await runCli(["migrate"], env);
    expect(migrate.code).toBe(1);
    expect(migrate.stderr).toContain(`login "${login}", which is not a superuser`);
    expect(migrate.stderr).toContain(`GRANT flightly_app, flightly_readonly TO ${login};`);
    expect(migrate.stderr).toContain(`\\c ${database}\n  CREATE EXTENSION vector;`);
    // Nothing was half-applied.
    const db = postgres(databaseUrl(database), { max: 1, onnotice: () => {} });
    try {
      const [row] = await db<{ n: number }[]>`
        SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'`;
      expect(row?.n).toBe(0);
    } finally {
      await db.end();
    }
    const serve = await runCli(["serve"], { ...env, PORT: String(await freePort()) }, 60_000);
    expect(serve.code).toBe(78);
    expect(serve.stderr).toContain("CREATE EXTENSION vector;");
  });

  it("after exactly the README's superuser step, migrate and seed work as the owner", async () => {
    const [cluster, inDb] = readmeSuperuserSteps(login);
    for (const statement of cluster) {
      // CREATE ROLE is skipped where the role exists (the README says so): roles are per cluster.
      await admin.unsafe(statement).catch((err: { code?: string }) => {
        if (!(err.code === "42710" && statement.startsWith("CREATE ROLE"))) throw err;
      });
    }
    const db = postgres(databaseUrl(database), { max: 1, onnotice: () => {} });
    try {
      for (const statement of inDb) await db.unsafe(statement);
    } finally {
      await db.end();
    }

    const migrate = await runCli(["migrate"], env);
    expect(migrate.code, migrate.stderr).toBe(0);
    expect(JSON.parse(migrate.stdout)).toMatchObject({ migrated: true });
    const seed = await runCli(["seed"], env);
    expect(seed.code, seed.stderr).toBe(0);
    expect(JSON.parse(seed.stdout)).toMatchObject({ seeded: true });

    const owner = postgres(env.DATABASE_URL!, { max: 1, onnotice: () => {} });
    try {
      const [who] = await owner<{ who: string; superuser: boolean }[]>`
        SELECT current_user::text AS who, rolsuper AS superuser FROM pg_roles WHERE rolname = current_user`;
      expect(who).toEqual({ who: login, superuser: false });
      const forced = await owner<{ name: string; forced: boolean }[]>`
        SELECT relname::text AS name, relforcerowsecurity AS forced FROM pg_class
         WHERE relname IN ('memories', 'memory_events') ORDER BY 1`;
      expect(forced).toEqual([
        { name: "memories", forced: true },
        { name: "memory_events", forced: true },
      ]);
    } finally {
      await owner.end();
    }
  });

  it("the service writes and recalls long-term memory as the owner, which reads only the actor's rows", async () => {
    served = await startServe(env);
    let status = 0;
    // /ping answers before the stores are open; invocations answer 503 until then.
    for (let i = 0; i < 600 && (status === 0 || status === 503); i++) {
      if (status === 503) await sleep(100);
      const answer = await fetch(`${served.url}/invocations`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ prompt: "For every flight I always prefer aisle seats", actor_id: "1" }),
      });
      status = answer.status;
      await answer.arrayBuffer();
    }
    expect(status, served.stderr()).toBe(200);

    // The tiering worker inside `serve` extracts the preference (as flightly_app, under RLS).
    const db = postgres(databaseUrl(database), { max: 1, onnotice: () => {} }); // superuser: sees all
    let stored: Array<{ actor_id: string; content: string }> = [];
    try {
      for (let i = 0; i < 150 && stored.length === 0; i++) {
        stored = await db`SELECT actor_id, content FROM memories WHERE kind = 'preference'`;
        if (stored.length === 0) await sleep(100);
      }
    } finally {
      await db.end();
    }
    expect(stored).toEqual([{ actor_id: "1", content: expect.stringMatching(/aisle/i) }]);

    // Read back through the orchestrator's MCP server, as the owner login, for actor 1 and actor 2.
    const recall = async (actor: string): Promise<string> => {
      const client = new Client({ name: "prod-test", version: "1.0.0" });
      await client.connect(
        new StdioClientTransport({
          command: process.execPath,
          args: [CLI, "mcp", "orchestrator"],
          env: { ...(process.env as Record<string, string>), ...env, FLIGHTLY_ACTOR_ID: actor },
          stderr: "ignore",
        }),
        { timeout: 90_000 },
      );
      try {
        const res = (await client.callTool({
          name: "recall_memories",
          arguments: { query: "seat preference" },
        })) as CallToolResult;
        expect(res.isError).toBeFalsy();
        const [first] = res.content ?? [];
        return first?.type === "text" ? first.text : "";
      } finally {
        await client.close();
      }
    };
    expect(await recall("1")).toMatch(/aisle/i);
    expect(await recall("2")).not.toMatch(/aisle/i);

    // Row-level security is forced on the owner: no actor, no rows; another actor, not actor 1's.
    const owner = postgres(env.DATABASE_URL!, { max: 1, onnotice: () => {} });
    try {
      const [none] = await owner<{ n: number }[]>`SELECT count(*)::int AS n FROM memories`;
      expect(none?.n).toBe(0);
      const asActor = (actor: string) =>
        owner.begin(async (tx) => {
          await tx`SELECT set_config('flightly.actor_id', ${actor}, true)`;
          const [row] = await tx<
            { n: number }[]
          >`SELECT count(*)::int AS n FROM memories WHERE actor_id = '1'`;
          return row?.n;
        });
      expect(await asActor("2")).toBe(0);
      expect(await asActor("1")).toBeGreaterThan(0);
      const write = owner.begin(async (tx) => {
        await tx`SELECT set_config('flightly.actor_id', '2', true)`;
        await tx`INSERT INTO memories (actor_id, namespace, kind, content, embedding)
          SELECT '1', '/actors/1/facts', 'fact', 'planted', embedding FROM knowledge_documents LIMIT 1`;
      });
      await expect(write).rejects.toMatchObject({ code: "42501" });
    } finally {
      await owner.end();
    }
    expect(served.stderr()).not.toMatch(/permission denied/);
  });
});
