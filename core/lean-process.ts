/**
 * Memory settings for Flightly's long-lived Node processes: the runtime (`serve`, `worker`, `mcp`)
 * and the embedded database's host. Node's defaults suit a machine with memory to spare: V8 runs
 * four background threads, and glibc gives each thread a malloc arena that keeps what the
 * compilers freed (the host compiles PostgreSQL's WebAssembly; its TurboFan zones stay resident in
 * those arenas). These settings keep a started service near what it uses. The runtime never
 * overrides a flag or variable the user set; the host is internal and always runs with its own.
 */
import v8 from "node:v8";
import vm from "node:vm";

export interface LeanSettings {
  /** V8 flags, `--name=value`. */
  readonly flags: readonly string[];
  /** glibc malloc variables (read at process start; ignored by other C libraries). */
  readonly env: Readonly<Record<string, string>>;
}

/**
 * The runtime: 16 MB semi-spaces, one V8 background thread, two malloc arenas. The young
 * generation must hold what the turns in flight still use: with 2 MB semi-spaces, 20 concurrent
 * full-path turns kept most of each 2 MB alive, every scavenge copied it (p50 2.7-3.6 ms, p90
 * 6-11 ms per scavenge under load) and promoted it, and the serving loop stalled behind them. Start-up
 * grows the young generation to its largest; `releaseStartupGarbage` gives it back once ready.
 */
export const LEAN_RUNTIME: LeanSettings = {
  flags: ["--max-semi-space-size=16", "--v8-pool-size=1"],
  env: { MALLOC_ARENA_MAX: "2" },
};

/**
 * The database host: its JavaScript is thin (the watchdog and PGlite's glue), its CPU work is the
 * WebAssembly backend. One background thread and one arena; blocks of 16 kB and more (compiler
 * zones) are mapped on their own, so memory freed after a tier-up goes back to the system. That
 * mapping makes each optimising compile dear, and PostgreSQL's start runs much code only once: a
 * tier-up budget 30 times V8's default leaves that code to the baseline compiler. Measured on a
 * seeded data dir: ready to Healthy about 1.5 s sooner at the same resident size, and per-query
 * time no worse (the optimising compiles no longer compete with the queries).
 */
export const LEAN_HOST: LeanSettings = {
  flags: ["--max-semi-space-size=2", "--v8-pool-size=1", "--wasm-tiering-budget=390000000"],
  env: { MALLOC_ARENA_MAX: "1", MALLOC_MMAP_THRESHOLD_: "16384" },
};

const flagName = (flag: string): string => flag.replace(/^--/, "").split("=")[0]!.replaceAll("_", "-");

/** The flags of `settings` that neither `execArgv` nor `NODE_OPTIONS` already sets. */
export function missingFlags(
  settings: LeanSettings,
  execArgv: readonly string[],
  nodeOptions = "",
): string[] {
  const given = new Set([...execArgv, ...nodeOptions.split(/\s+/)].filter(Boolean).map(flagName));
  return settings.flags.filter((flag) => !given.has(flagName(flag)));
}

/** `env` with the malloc variables of `settings` it does not set yet. */
export function leanEnv(settings: LeanSettings, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...env };
  for (const [name, value] of Object.entries(settings.env)) if (out[name] === undefined) out[name] = value;
  return out;
}

/**
 * Collects everything start-up left behind (building the indexes, the router, the seed) and
 * shrinks the young generation back to its first size, which V8 does on its own only after a
 * collection under memory pressure. About 0.2 s, once, right after the runtime first says it is
 * ready; the young generation grows again under load. Returns the young generation's bytes
 * before and after. `--expose-gc` set at run time exposes `gc` only to contexts made after it,
 * such as this one, never to the application's.
 */
export function releaseStartupGarbage(): { before: number; after: number } {
  const young = (): number =>
    v8.getHeapSpaceStatistics().find((s) => s.space_name === "new_space")?.space_size ?? 0;
  const before = young();
  v8.setFlagsFromString("--expose-gc");
  const gc = vm.runInNewContext("gc") as (options: object) => void;
  gc({ type: "major", execution: "sync", flavor: "last-resort" });
  return { before, after: young() };
}
