/** Runs the built CLI (`dist/bin/flightly.js`) as real processes for end-to-end tests. */
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { join } from "node:path";
import { ROOT } from "../../core/paths.js";

export const CLI = join(ROOT, "dist", "bin", "flightly.js");

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === "object" && addr ? resolve(addr.port) : reject(new Error("no port"))));
    });
  });
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], env: Record<string, string>, timeoutMs = 120_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: "pipe" });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`flightly ${args.join(" ")} timed out\n${stderr}`));
    }, timeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export interface Served {
  port: number;
  url: string;
  proc: ChildProcess;
  stderr: () => string;
  stdout: () => string;
  /** Milliseconds from spawn to the first healthy /ping. */
  coldStartMs: number;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export async function startServe(
  env: Record<string, string>,
  args: string[] = [],
  timeoutMs = 120_000,
): Promise<Served> {
  return launch(process.execPath, [CLI, "serve", ...args], env, timeoutMs);
}

/** `flightly studio` (the runtime with the studio page), ready when /ping answers. */
export function startStudio(env: Record<string, string>, timeoutMs = 120_000): Promise<Served> {
  return launch(process.execPath, [CLI, "studio"], env, timeoutMs);
}

/** `npm start` as a user runs it from the project root (npm from the running test's npm, else PATH). */
export function startNpmStart(env: Record<string, string>, timeoutMs = 120_000): Promise<Served> {
  const npmCli = process.env.npm_execpath;
  return npmCli?.endsWith("npm-cli.js")
    ? launch(process.execPath, [npmCli, "start"], env, timeoutMs)
    : launch("npm", ["start"], env, timeoutMs);
}

async function launch(
  file: string,
  argv: string[],
  env: Record<string, string>,
  timeoutMs: number,
): Promise<Served> {
  const port = Number(env.PORT ?? (await freePort()));
  const started = performance.now();
  const proc = spawn(file, argv, {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: "info", ...env, PORT: String(port) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  proc.stderr?.on("data", (d) => {
    stderr += d;
  });
  let stdout = "";
  proc.stdout?.on("data", (d) => {
    stdout += d;
  });
  const exited = new Promise<number | null>((resolve) => proc.once("exit", (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`serve exited with ${proc.exitCode}\n${stderr}`);
    try {
      const res = await fetch(`${url}/ping`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      proc.kill("SIGKILL");
      throw new Error(`serve did not answer /ping\n${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const coldStartMs = performance.now() - started;
  return {
    port,
    url,
    proc,
    coldStartMs,
    stderr: () => stderr,
    stdout: () => stdout,
    stop: async (signal = "SIGTERM") => {
      if (proc.exitCode === null) proc.kill(signal);
      return exited;
    },
  };
}
