/**
 * Before the CLI loads: a long-running command (serve, studio, worker, mcp) replaces this process
 * with one started with the runtime's memory settings (`core/lean-process.ts`): the same pid,
 * stdio and arguments, so supervisors, signals and measurements see one process. Only Node's
 * built-ins are loaded by then, so the first start costs a few milliseconds.
 */
import { LEAN_RUNTIME, leanEnv, missingFlags } from "../core/lean-process.js";

const LONG_RUNNING = new Set(["serve", "studio", "worker", "mcp"]);

type Execve = (file: string, args: string[], env: NodeJS.ProcessEnv) => never;

/** Whether `argv` names a long-running command (its resident memory matters more than its start). */
export function longRunning(argv: readonly string[]): boolean {
  const command = argv.find((arg) => !arg.startsWith("-"));
  return command !== undefined && LONG_RUNNING.has(command);
}

/** Execs the lean runtime when `argv` names a long-running command; returns otherwise. */
export function relaunchLean(argv: readonly string[]): void {
  if (!longRunning(argv)) return;
  // Node 22.15+ on POSIX; elsewhere the process keeps Node's defaults.
  const execve = (process as unknown as { execve?: Execve }).execve;
  if (process.platform === "win32" || typeof execve !== "function") return;
  const flags = missingFlags(LEAN_RUNTIME, process.execArgv, process.env.NODE_OPTIONS);
  if (flags.length === 0) return;
  try {
    execve.call(
      process,
      process.execPath,
      [process.execPath, ...flags, ...process.execArgv, ...process.argv.slice(1)],
      leanEnv(LEAN_RUNTIME, process.env),
    );
  } catch {
    // not replaceable here: run with the defaults
  }
}
