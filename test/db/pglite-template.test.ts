/** New embedded data directories start from a packed empty cluster instead of running initdb. */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { vector } from "@electric-sql/pglite-pgvector";
import { afterAll, describe, expect, it } from "vitest";
import { buildTemplate, initialData, pgliteVersion, templateFile } from "../../memory/db/pglite-template.js";

describe("the PGlite template", () => {
  const dir = mkdtempSync(join(tmpdir(), "flightly-template-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("is named after the installed PGlite, so another version's pack is never used", () => {
    expect(templateFile(dir)).toBe(join(dir, `initdb-${pgliteVersion()}.tar.gz`));
    expect(pgliteVersion()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it("is built once; a new data directory opens from it, takes the vector extension and keeps what it writes", async () => {
    const file = join(dir, "pack.tar.gz");
    const built = await buildTemplate(file);
    expect(built.status).toBe("built");
    expect(built.bytes).toBeGreaterThan(100_000);
    expect((await buildTemplate(file)).status).toBe("up-to-date");

    const pgdata = join(dir, "data", "pgdata");
    mkdirSync(join(dir, "data"));
    const pack = initialData(pgdata, file);
    expect(pack).toBeInstanceOf(Blob);
    const db = await PGlite.create(pgdata, { extensions: { vector }, loadDataDir: pack! });
    await db.exec("CREATE EXTENSION vector; CREATE TABLE t (v vector(2)); INSERT INTO t VALUES ('[1,2]')");
    await db.close();
    expect(existsSync(join(pgdata, "PG_VERSION"))).toBe(true);
    // The directory now holds a cluster: it is opened as it is, never unpacked over.
    expect(initialData(pgdata, file)).toBeUndefined();
    const again = await PGlite.create(pgdata, { extensions: { vector } });
    expect((await again.query<{ v: string }>("SELECT v::text FROM t")).rows).toEqual([{ v: "[1,2]" }]);
    await again.close();
  }, 120_000);

  it("is not used when the pack is missing", () => {
    const pgdata = join(dir, "empty", "pgdata");
    mkdirSync(pgdata, { recursive: true });
    expect(initialData(pgdata, join(dir, "missing.tar.gz"))).toBeUndefined();
    writeFileSync(join(dir, "present.tar.gz"), "x");
    expect(initialData(pgdata, join(dir, "present.tar.gz"))).toBeInstanceOf(Blob);
  });
});
