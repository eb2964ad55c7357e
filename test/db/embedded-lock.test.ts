/**
 * The embedded host's lock: one host per data directory. A lock whose process is gone is taken over
 * (and reported so, since two hosts may race for it); a lock file its creator has not written yet
 * counts as held.
 */
import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LOCK, tryLock } from "../../memory/db/embedded-common.js";

describe("tryLock", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "flightly-lock-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const lockFile = () => join(dir, LOCK);

  it("takes a free lock as fresh and writes its pid", () => {
    expect(tryLock(dir)).toBe("fresh");
    expect(readFileSync(lockFile(), "utf8")).toBe(String(process.pid));
  });

  it("refuses a lock a live process holds", () => {
    // The parent of this test process is alive and is not this process.
    writeFileSync(lockFile(), String(process.ppid));
    expect(tryLock(dir)).toBe(false);
    expect(readFileSync(lockFile(), "utf8")).toBe(String(process.ppid));
  });

  it("takes over the lock of a process that is gone, and says so", () => {
    writeFileSync(lockFile(), "2147483646");
    expect(tryLock(dir)).toBe("taken");
    expect(readFileSync(lockFile(), "utf8")).toBe(String(process.pid));
  });

  it("leaves a just-created empty lock to its creator, but not an old empty one", () => {
    writeFileSync(lockFile(), "");
    expect(tryLock(dir)).toBe(false);
    const old = new Date(Date.now() - 5_000);
    utimesSync(lockFile(), old, old);
    expect(tryLock(dir)).toBe("taken");
  });
});
