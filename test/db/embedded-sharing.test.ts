/**
 * Only one process can open a PGlite directory: the first Flightly process starts a host for it
 * and later ones connect to that host; a record left by a killed host is detected and replaced.
 * PGlite-only by nature, also in the real-PostgreSQL lane.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli, type Served, startServe } from "../support/cli.js";
import { alive } from "../support/processes.js";

describe("embedded Postgres shared through DATA_DIR", () => {
  const dir = mkdtempSync(join(tmpdir(), "flightly-share-"));
  const env = { DATA_DIR: dir, LOG_LEVEL: "warn" };
  let owner: Served | undefined;
  let hostPid = 0;

  afterAll(async () => {
    await owner?.stop("SIGKILL");
    if (hostPid && alive(hostPid)) process.kill(hostPid, "SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  });

  it("a second process connects to the host the first one started instead of opening the directory", async () => {
    owner = await startServe(env);
    // /ping answers before the stores open; the record appears once the host serves PGlite.
    const path = join(dir, "pglite-server.json");
    for (let i = 0; i < 600 && !existsSync(path); i++) await new Promise((r) => setTimeout(r, 100));
    const record = JSON.parse(readFileSync(path, "utf8"));
    hostPid = record.pid;
    expect(hostPid).not.toBe(owner.proc.pid);
    expect(readFileSync(join(dir, "pglite.lock"), "utf8")).toBe(String(hostPid));

    const second = await runCli(["migrate"], env);
    expect(second.code, second.stderr).toBe(0);
    const out = JSON.parse(second.stdout);
    expect(out).toMatchObject({
      migrated: true,
      database: "embedded",
      embeddedHost: { started: false, pid: hostPid },
    });
    // The owner kept serving throughout.
    expect((await fetch(`${owner.url}/ping`)).status).toBe(200);
  });

  it("a record left by a killed host is replaced by the next process", async () => {
    await owner!.stop("SIGKILL");
    owner = undefined;
    process.kill(hostPid, "SIGKILL");
    for (let i = 0; i < 100 && alive(hostPid); i++) await new Promise((r) => setTimeout(r, 50));
    const stale = JSON.parse(readFileSync(join(dir, "pglite-server.json"), "utf8"));
    expect(stale.pid).toBe(hostPid);

    const next = await runCli(["migrate"], env);
    expect(next.code, next.stderr).toBe(0);
    const out = JSON.parse(next.stdout);
    expect(out).toMatchObject({ database: "embedded", embeddedHost: { started: true } });
    expect(out.embeddedHost.pid).not.toBe(hostPid);
  });
});
