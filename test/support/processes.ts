/** Processes the embedded-database tests watch: whether one is alive, and which pid hosts a PGlite directory. */
import { readFileSync } from "node:fs";
import { join } from "node:path";

/** Whether a process with this pid exists (signal 0 checks without sending anything). */
export const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** The pid of the embedded database's host for `dir`, from its lock file. */
export const hostPid = (dir: string): number => Number(readFileSync(join(dir, "pglite.lock"), "utf8"));
