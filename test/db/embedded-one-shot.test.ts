/**
 * A one-shot command (`invoke`, `chat`) closes the embedded database without waiting for the host
 * to exit: the host stops accepting connections first, so a client that comes at once never
 * reaches the stopping host and gets a new one. PGlite-only by nature, also in the real-PostgreSQL
 * lane.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createLogger } from "../../core/logger.js";
import { openEmbeddedPostgres } from "../../memory/db/embedded.js";
import { connectPostgres } from "../../memory/db/index.js";
import { alive } from "../support/processes.js";

describe("closing the embedded database without waiting for its host", () => {
  const dir = mkdtempSync(join(tmpdir(), "flightly-one-shot-"));
  const logger = createLogger({ level: "silent" });
  const hosts: number[] = [];

  afterAll(() => {
    for (const pid of hosts) if (alive(pid)) process.kill(pid, "SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  });

  it("returns before the host exits, and the next client gets a new host that answers", async () => {
    // Three commands in a row, each starting as soon as the last one returned.
    let current = await openEmbeddedPostgres(dir, logger);
    for (let round = 1; round <= 3; round++) {
      const host = current.hostPid()!;
      hosts.push(host);
      const sql = connectPostgres(current.url, { max: 1 });
      if (round === 1) await sql`CREATE TABLE one_shot (n int)`;
      await sql`INSERT INTO one_shot VALUES (${round})`;
      await sql.end();
      await current.close({ waitForHost: false });

      // At once, as the next command would: it must not reach the host that is stopping.
      current = await openEmbeddedPostgres(dir, logger);
      const next = connectPostgres(current.url, { max: 1 });
      const rows = await next<{ n: number }[]>`SELECT n FROM one_shot ORDER BY n`;
      await next.end();
      expect(rows.map((r) => r.n)).toEqual(Array.from({ length: round }, (_, i) => i + 1));
      expect(current.hostPid()).not.toBe(host);
      expect(alive(host)).toBe(false);
    }
    const last = current.hostPid()!;
    hosts.push(last);
    await current.close();
    expect(alive(last)).toBe(false);
  }, 120_000);
});
