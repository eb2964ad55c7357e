/** The embedded host is started before the CLI loads, only for commands that open the database. */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { prestartHost } from "../../bin/prestart.js";
import { lockHolder } from "../../memory/db/embedded-common.js";

describe("prestartHost", () => {
  const dirs: string[] = [];
  const dir = (): string => {
    const d = mkdtempSync(join(tmpdir(), "flightly-prestart-"));
    dirs.push(d);
    return d;
  };
  afterAll(async () => {
    for (const d of dirs) {
      const host = lockHolder(d);
      if (host !== undefined) process.kill(host, "SIGTERM");
    }
    await new Promise((r) => setTimeout(r, 200));
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it("starts nothing for a command without the database, for --help, or with DATABASE_URL", () => {
    const none = [
      [["eval", "--knowledge"], {}],
      [["serve", "--help"], {}],
      [["invoke", "hi"], { DATABASE_URL: "postgres://127.0.0.1/x" }],
    ] as const;
    for (const [argv, env] of none) {
      const d = dir();
      prestartHost(argv, { ...env, DATA_DIR: d });
      expect(existsSync(join(d, "run"))).toBe(false);
    }
  });

  it("registers this process and starts the host of DATA_DIR for serve", async () => {
    const d = dir();
    prestartHost(["serve"], { DATA_DIR: d });
    expect(existsSync(join(d, "run", "clients", String(process.pid)))).toBe(true);
    const deadline = Date.now() + 20_000;
    while (lockHolder(d) === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(lockHolder(d)).toBeGreaterThan(0);
  }, 30_000);
});
