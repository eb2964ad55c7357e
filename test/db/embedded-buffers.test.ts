/** The embedded host's `shared_buffers`: 8MB for a world-sized database, larger for a larger one. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { directoryBytes, hostSettings, sharedBuffersFor } from "../../memory/db/embedded-common.js";

const MB = 1024 * 1024;

describe("embedded shared_buffers", () => {
  const dir = mkdtempSync(join(tmpdir(), "flightly-buffers-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("stays at 8MB below 64MB of data and grows with a larger database, up to 512MB", () => {
    expect(sharedBuffersFor(0)).toBe("8MB");
    expect(sharedBuffersFor(40 * MB)).toBe("8MB");
    expect(sharedBuffersFor(400 * MB)).toBe("200MB");
    expect(sharedBuffersFor(4096 * MB)).toBe("512MB");
  });

  it("sizes from the data unless EMBEDDED_PG_SHARED_BUFFERS is set", () => {
    expect(hostSettings({}, 300 * MB).postgres.shared_buffers).toBe("150MB");
    expect(hostSettings({ EMBEDDED_PG_SHARED_BUFFERS: "16MB" }, 300 * MB).postgres.shared_buffers).toBe(
      "16MB",
    );
    expect(hostSettings({}).postgres.shared_buffers).toBe("8MB");
  });

  it("measures the files below a directory", () => {
    mkdirSync(join(dir, "base", "5"), { recursive: true });
    writeFileSync(join(dir, "base", "1"), Buffer.alloc(1000));
    writeFileSync(join(dir, "base", "5", "2"), Buffer.alloc(2500));
    expect(directoryBytes(join(dir, "base"))).toBe(3500);
    expect(directoryBytes(join(dir, "missing"))).toBe(0);
  });
});
