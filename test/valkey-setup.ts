/**
 * Finds the Valkey-compatible server the suites run against, before any test file loads:
 * `TEST_VALKEY_URL` when set, else the server on 127.0.0.1:6379, else a private `valkey-server`
 * or `redis-server` started on a free port for this run (no persistence) and stopped at the end.
 * With none of these the run stops here with what to install, rather than failing file by file.
 * Test workers inherit the chosen URL through `process.env.TEST_VALKEY_URL`.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

let server: ChildProcess | undefined;
let dir: string | undefined;

/** True when a RESP server answers PING on host:port within `timeoutMs`. */
function answersPing(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.on("error", () => done(false));
    socket.on("connect", () => socket.write("PING\r\n"));
    socket.on("data", (d) => done(d.toString().startsWith("+PONG")));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.unref();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

function findBinary(): string | undefined {
  for (const name of ["valkey-server", "redis-server"]) {
    try {
      return execFileSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" }).trim() || undefined;
    } catch {}
  }
  return undefined;
}

export async function setup(): Promise<void> {
  if (process.env.TEST_VALKEY_URL) return;
  if (await answersPing("127.0.0.1", 6379)) {
    process.env.TEST_VALKEY_URL = "redis://127.0.0.1:6379";
    return;
  }
  const binary = findBinary();
  if (!binary) {
    throw new Error(
      "No Valkey-compatible server answers on 127.0.0.1:6379 and neither valkey-server nor redis-server is " +
        "installed. Install one (Debian: apt-get install redis-server) or set TEST_VALKEY_URL.",
    );
  }
  const port = await freePort();
  dir = mkdtempSync(join(tmpdir(), "flightly-valkey-"));
  server = spawn(
    binary,
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir],
    { stdio: "ignore" },
  );
  for (let i = 0; i < 100 && !(await answersPing("127.0.0.1", port)); i++) {
    await new Promise((r) => setTimeout(r, 50));
  }
  if (!(await answersPing("127.0.0.1", port))) throw new Error(`${binary} did not start on port ${port}`);
  process.env.TEST_VALKEY_URL = `redis://127.0.0.1:${port}`;
  console.info(`Nothing answered on 127.0.0.1:6379; the suites use ${binary} on port ${port} for this run.`);
}

export async function teardown(): Promise<void> {
  server?.kill("SIGKILL");
  if (dir) rmSync(dir, { recursive: true, force: true });
}
