/**
 * A new embedded data directory starts from a packed empty cluster instead of running initdb.
 * initdb in PGlite's WASM takes about 5 s on a 2-core machine; unpacking the pack about 1 s.
 *
 * The pack is what initdb writes and nothing more (no extension, schema, data or date), so it
 * depends only on the PGlite version, which its file name carries. `npm run prepare` builds it
 * (`scripts/build-pglite-template.ts`); where it is missing or names another version, a new
 * directory runs initdb as before.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { DATA } from "../../core/paths.js";

/** The installed PGlite's version (its package.json, found from the module's entry point). */
export function pgliteVersion(): string {
  const entry = createRequire(import.meta.url).resolve("@electric-sql/pglite");
  let dir = dirname(entry);
  while (!existsSync(join(dir, "package.json"))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error("PGlite's package.json not found");
    dir = parent;
  }
  return (JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { version: string }).version;
}

/** Where the pack of the installed PGlite lives. */
export function templateFile(dir: string = join(DATA, "pglite")): string {
  return join(dir, `initdb-${pgliteVersion()}.tar.gz`);
}

/**
 * The pack to start `pgdata` from: only for a directory initdb has not written yet (no
 * `PG_VERSION`), and only when the pack exists. Undefined: open `pgdata` as it is.
 */
export function initialData(pgdata: string, file: string = templateFile()): Blob | undefined {
  if (existsSync(join(pgdata, "PG_VERSION")) || !existsSync(file)) return undefined;
  return new Blob([readFileSync(file)]);
}

export interface TemplateResult {
  status: "built" | "up-to-date";
  file: string;
  bytes: number;
  ms: number;
}

/** Runs initdb in memory and writes its data directory, packed, to `file` (unless present). */
export async function buildTemplate(file: string = templateFile(), force = false): Promise<TemplateResult> {
  const started = performance.now();
  if (!force && existsSync(file)) {
    return { status: "up-to-date", file, bytes: statSync(file).size, ms: 0 };
  }
  const db = await PGlite.create();
  try {
    const pack = Buffer.from(await (await db.dumpDataDir("gzip")).arrayBuffer());
    mkdirSync(dirname(file), { recursive: true });
    const partial = `${file}.${process.pid}.partial`;
    writeFileSync(partial, pack);
    renameSync(partial, file);
    return { status: "built", file, bytes: pack.length, ms: Math.round(performance.now() - started) };
  } finally {
    await db.close();
  }
}
