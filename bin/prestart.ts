/**
 * The embedded database host starts before the command line's modules load: its start (PGlite in a
 * process of its own) is the longest step of `serve` and `invoke`, and runs beside the rest. Read
 * from the environment as `core/config.ts` reads it (`DATA_DIR`, default `DEFAULT_DATA_DIR`; a
 * `DATABASE_URL` means no embedded database); a configuration the CLI then refuses only leaves a
 * host that exits with this process.
 */
import { resolve } from "node:path";
import { DEFAULT_DATA_DIR } from "../core/paths.js";
import { prestartEmbeddedHost } from "../memory/db/embedded.js";

/** Commands that open the database. */
const DATABASE_COMMANDS = new Set(["serve", "invoke", "chat", "seed", "migrate", "worker"]);

export function prestartHost(argv: readonly string[], env: NodeJS.ProcessEnv): void {
  const command = argv.find((arg) => !arg.startsWith("-"));
  if (!command || !DATABASE_COMMANDS.has(command) || env.DATABASE_URL !== undefined) return;
  if (argv.includes("--help") || argv.includes("-h") || env.DATA_DIR === "") return;
  try {
    prestartEmbeddedHost(resolve(env.DATA_DIR ?? DEFAULT_DATA_DIR));
  } catch {
    // the command's own connection reports what is wrong with DATA_DIR
  }
}
