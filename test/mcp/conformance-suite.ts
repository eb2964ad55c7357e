/**
 * Runs the official MCP conformance suite (@modelcontextprotocol/conformance, server mode) against
 * one Streamable HTTP endpoint with a list of expected failures, and reads back its exit code, its
 * output and every scenario's checks.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";

const SUITE = createRequire(import.meta.url).resolve("@modelcontextprotocol/conformance/dist/index.js");

export interface Check {
  id: string;
  status: string;
  errorMessage?: string;
}

export interface SuiteRun {
  /** 0 when exactly the expected scenarios failed (the suite's own baseline check). */
  code: number;
  output: string;
  /** Checks by scenario name, without the suite's `server-` prefix and timestamp. */
  checks: Map<string, Check[]>;
}

/** Runs the suite against `url`; `expected` is a baseline file, or the scenarios expected to fail. */
export function runConformance(url: string, expected: string | readonly string[]): Promise<SuiteRun> {
  const out = mkdtempSync(join(tmpdir(), "flightly-conformance-"));
  let file = expected as string;
  if (typeof expected !== "string") {
    file = join(out, "expected.yml");
    writeFileSync(file, `server:\n${expected.map((s) => `  - ${s}\n`).join("")}`);
  }
  const results = join(out, "results");
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [SUITE, "server", "--url", url, "--expected-failures", file, "-o", results],
      { timeout: 240_000, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const checks = new Map<string, Check[]>();
        for (const dir of readdirSync(results, { recursive: true, encoding: "utf8" })) {
          if (!dir.endsWith("checks.json")) continue;
          const scenario = (dir.split(/[\\/]/)[0] ?? dir)
            .replace(/^server-(?=.)/, "")
            .replace(/-\d{4}-\d{2}-\d{2}T[\d-]+Z$/, "");
          checks.set(scenario, JSON.parse(readFileSync(join(results, dir), "utf8")) as Check[]);
        }
        rmSync(out, { recursive: true, force: true });
        const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
        resolve({ code, output: `${stdout}\n${stderr}`, checks });
      },
    );
  });
}

/** How many checks passed and failed over all scenarios. */
export function tally(run: SuiteRun): { passed: number; failed: number } {
  const all = [...run.checks.values()].flat();
  return {
    passed: all.filter((c) => c.status === "SUCCESS").length,
    failed: all.filter((c) => c.status === "FAILURE").length,
  };
}
