/**
 * Seeds one embedded database per test run into a template directory; tests that need the full
 * Flightly world copy it (`worldDir()` in support/world.ts) instead of seeding again. With
 * `TEST_DATABASE_URL` set (the real-PostgreSQL lane, support/pg.ts) the world is also seeded into
 * a database of this run's own on that server, the template of the tests' private copies, and
 * teardown drops every database (and login) the run created.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../core/config.js";
import { createLogger } from "../core/logger.js";
import { seed } from "../memory/db/seed.js";
import { openServices } from "../orchestrator/runtime/services.js";
import {
  createDatabase,
  dropDatabasesLike,
  dropRolesLike,
  newRunPrefix,
  TEST_DATABASE_URL,
} from "./support/pg-admin.js";

let template: string | undefined;
let runPrefix: string | undefined;

async function seedWorld(env: Record<string, string>): Promise<void> {
  const logger = createLogger({ level: "warn" });
  const services = await openServices(loadConfig({ LOG_LEVEL: "warn", ...env }), logger);
  try {
    await seed(services.db.sql, services.embedder, logger);
  } finally {
    await services.close();
  }
}

export async function setup({ provide }: { provide: (key: string, value: string) => void }): Promise<void> {
  template = mkdtempSync(join(tmpdir(), "flightly-world-"));
  const seeding = [seedWorld({ DATA_DIR: template })];
  provide("worldTemplate", template);
  provide("pgRunPrefix", "");
  provide("pgWorldDatabase", "");
  if (TEST_DATABASE_URL) {
    runPrefix = newRunPrefix();
    const world = `${runPrefix}_world`;
    const dir = mkdtempSync(join(tmpdir(), "flightly-world-pg-"));
    const url = await createDatabase(world);
    seeding.push(
      seedWorld({ DATA_DIR: dir, DATABASE_URL: url }).finally(() => rmSync(dir, { recursive: true })),
    );
    provide("pgRunPrefix", runPrefix);
    provide("pgWorldDatabase", world);
    console.info(`real-PostgreSQL lane: databases ${runPrefix}_* on ${new URL(TEST_DATABASE_URL).host}`);
  }
  try {
    await Promise.all(seeding);
  } catch (err) {
    await teardown();
    throw err;
  }
}

export async function teardown(): Promise<void> {
  if (template) rmSync(template, { recursive: true, force: true });
  if (runPrefix) {
    await dropDatabasesLike(runPrefix);
    await dropRolesLike(runPrefix);
  }
}

declare module "vitest" {
  export interface ProvidedContext {
    worldTemplate: string;
    /** Prefix of every database this run creates on the real server ('' without TEST_DATABASE_URL). */
    pgRunPrefix: string;
    /** The seeded world on the real server, the template of private copies. */
    pgWorldDatabase: string;
  }
}
