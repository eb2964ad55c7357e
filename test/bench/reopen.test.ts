/**
 * The recall bench reconnects after its build so that a new embedded host starts on the grown
 * data dir: `reopenServices` stops the host with its last client, and the next host sizes
 * `shared_buffers` to the data it finds. PGlite-only by nature.
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { benchConfig, reopenServices } from "../../bench/setup.js";
import { createLogger } from "../../core/logger.js";
import { directoryBytes } from "../../memory/db/embedded-common.js";
import type { Sql } from "../../memory/db/index.js";
import { openServices, type Services } from "../../orchestrator/runtime/services.js";
import { TEST_VALKEY_URL } from "../support/env.js";
import { worldDir } from "../support/world.js";

const buffers = async (sql: Sql): Promise<string> =>
  (await sql<{ v: string }[]>`SELECT current_setting('shared_buffers') AS v`)[0]!.v;

describe("reopening the bench's services on a grown embedded data dir", () => {
  const dir = worldDir();
  const config = benchConfig(TEST_VALKEY_URL, dir);
  const logger = createLogger({ level: "warn" });
  let services: Services | undefined;
  afterAll(async () => {
    await services?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("starts a new host whose shared_buffers fit the data", async () => {
    services = await openServices(config, logger);
    expect(services.db.embedded).toBe(true);
    expect(await buffers(services.db.sql)).toBe("8MB");
    const first = services.db.embeddedHost?.pid;
    // ~80MB of rows that do not compress (md5 text), in statements well below the host's limit.
    await services.db.sql`CREATE TABLE bench_filler (t text)`;
    for (let i = 0; i < 8; i++) {
      await services.db.sql`
        INSERT INTO bench_filler
        SELECT (SELECT string_agg(md5(g::text || ':' || j::text || ':' || ${i}::text), '') FROM generate_series(1, 30) j)
        FROM generate_series(1, 10000) g`;
    }
    await services.db.sql`CHECKPOINT`;
    expect(await buffers(services.db.sql)).toBe("8MB");

    const next = await reopenServices(services, config, logger);
    services = next.services;
    expect(next.restarted).toBe(true);
    expect(services.db.embeddedHost?.pid).not.toBe(first);
    // Half the data (sharedBuffersFor): at least 32MB for the 64MB and more it holds now.
    expect(directoryBytes(join(dir, "pgdata", "base"))).toBeGreaterThan(64 * 2 ** 20);
    expect(Number.parseInt(await buffers(services.db.sql), 10)).toBeGreaterThanOrEqual(32);
  });
});
