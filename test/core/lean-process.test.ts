import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { LEAN_RUNTIME, leanEnv, missingFlags } from "../../core/lean-process.js";
import { ROOT } from "../../core/paths.js";

describe("lean process settings", () => {
  it("adds only the flags and variables the user did not set", () => {
    expect(missingFlags(LEAN_RUNTIME, [], "")).toEqual(LEAN_RUNTIME.flags);
    const given = missingFlags(LEAN_RUNTIME, ["--max_semi_space_size=64"], "--v8-pool-size=4");
    expect(given).toEqual([]);
    expect(leanEnv(LEAN_RUNTIME, { MALLOC_ARENA_MAX: "8" }).MALLOC_ARENA_MAX).toBe("8");
    expect(leanEnv(LEAN_RUNTIME, {}).MALLOC_ARENA_MAX).toBe("2");
  });

  it("gives start-up's young generation back and leaves gc unexposed to the application", () => {
    // A process of its own, as the runtime runs: its young generation grown by live data first.
    const script = `
      import { releaseStartupGarbage } from ${JSON.stringify(join(ROOT, "dist", "core", "lean-process.js"))};
      let keep = [];
      for (let i = 0; i < 400_000; i++) { keep.push({ i, s: "x" + i }); if (keep.length > 150_000) keep = []; }
      const r = releaseStartupGarbage();
      console.log(JSON.stringify({ ...r, exposed: typeof globalThis.gc }));`;
    const child = spawnSync(
      process.execPath,
      ["--max-semi-space-size=16", "--input-type=module", "-e", script],
      { encoding: "utf8" },
    );
    expect(child.stderr).toBe("");
    const r = JSON.parse(child.stdout) as { before: number; after: number; exposed: string };
    expect(r.before).toBeGreaterThan(8 << 20);
    expect(r.after).toBeLessThan(r.before / 4);
    expect(r.exposed).toBe("undefined");
  });
});
