/**
 * Only one process can open a PGlite directory: the first Flightly process serves it and later
 * ones connect; a record left by a killed owner is detected and replaced. PGlite-only by nature,
 * also in the real-PostgreSQL lane.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli, type Served, startServe } from "../support/cli.js";

describe("embedded Postgres shared through DATA_DIR", () => {
  const dir = mkdtempSync(join(tmpdir(), "flightly-share-"));
  const env = { DATA_DIR: dir, LOG_LEVEL: "warn" };
  let owner: Served | undefined;

  afterAll(async () => {
    await owner?.stop("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  });

  it("a second process connects to the first one's server instead of opening the directory", async () => {
    owner = await startServe(env);
    // /ping answers before the stores open; the record appears once PGlite is served.
    const path = join(dir, "pglite-server.json");
    for (let i = 0; i < 600 && !existsSync(path); i++) await new Promise((r) => setTimeout(r, 100));
    const record = JSON.parse(readFileSync(path, "utf8"));
    expect(record.pid).toBe(owner.proc.pid);

    const second = await runCli(["migrate"], env);
    expect(second.code, second.stderr).toBe(0);
    const out = JSON.parse(second.stdout);
    expect(out).toMatchObject({ migrated: true, database: "embedded", servesEmbedded: false });
    // The owner kept serving throughout.
    expect((await fetch(`${owner.url}/ping`)).status).toBe(200);
  });

  it("a record left by a killed owner is replaced by the next process", async () => {
    const killedPid = owner!.proc.pid;
    await owner!.stop("SIGKILL");
    owner = undefined;
    const stale = JSON.parse(readFileSync(join(dir, "pglite-server.json"), "utf8"));
    expect(stale.pid).toBe(killedPid);

    const next = await runCli(["migrate"], env);
    expect(next.code, next.stderr).toBe(0);
    const out = JSON.parse(next.stdout);
    expect(out).toMatchObject({ database: "embedded", servesEmbedded: true });
    expect(out.pid).not.toBe(killedPid);
  });
});
