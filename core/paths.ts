import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

function findRoot(start: string): string {
  let dir = start;
  while (!existsSync(join(dir, "package.json"))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`package.json not found above ${start}`);
    dir = parent;
  }
  return dir;
}

/** The package root, whether running from sources or from `dist/`. */
export const ROOT: string = findRoot(dirname(fileURLToPath(import.meta.url)));
/** Shipped data files (airports, knowledge, climate normals, embedder vocabulary). */
export const DATA: string = join(ROOT, "data");
/** `DATA_DIR` when unset: the embedded database and run files, relative to the working directory. */
export const DEFAULT_DATA_DIR = ".flightly";
