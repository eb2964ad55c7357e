/**
 * Logs never carry a card number, a token, a password or a connection-string secret: the
 * redaction of the one logger (core/logger.ts, core/redact.ts) against the shapes secrets take in
 * real log calls, its cost on hostile text, and error paths of the runtime, the MCP servers and
 * the CLI that carry `DATABASE_URL`-like strings with passwords. (The other security suites
 * capture their whole run's logs and check them the same way.)
 */
import { spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../core/config.js";
import { ConfigError } from "../../core/errors.js";
import { createLogger } from "../../core/logger.js";
import { redactText, redactValue } from "../../core/redact.js";
import { createPostgresMcpServer } from "../../mcp-servers/postgres/server.js";
import { createOrchestratorMcpServer } from "../../orchestrator/mcp-server.js";
import { ScriptedModel } from "../../orchestrator/models/scripted.js";
import { CLI, freePort } from "../support/cli.js";
import { sleep, uniq } from "../support/env.js";
import { startTestRuntime, type TestRuntime } from "../support/world.js";
import {
  CARDS,
  captureLogs,
  connectInMemory,
  outcome,
  PASSWORDS,
  STACK_FRAME,
  secretsIn,
} from "./support.js";

const [PG_PW, VALKEY_PW, READER_PW] = PASSWORDS as [string, string, string];
const JWT =
  "eyJhbGciOiJSUzI1NiIsImtpZCI6ImtleS0xIn0.eyJzdWIiOiIyIiwiYXVkIjoiZmxpZ2h0bHktYXBpIn0.c2lnbmF0dXJlLXNpZ25hdHVyZS1zaWduYXR1cmU";

const flush = (): Promise<void> => new Promise((r) => setImmediate(r));

describe("the logger scrubs secrets in every shape a log call gives them", () => {
  const logs = captureLogs("trace");
  const log = logs.logger;

  it.each<[string, () => void]>([
    [
      "an Error as the only argument",
      () => log.error(new Error(`connect postgres://app:${PG_PW}@db:5432/x failed`)),
    ],
    ["{ err } without a message", () => log.error({ err: new Error(`charging ${CARDS[0]} failed`) })],
    ["{ err } with a message", () => log.warn({ err: new Error(`token=${JWT}`) }, "tool failed")],
    [
      "child bindings",
      () => log.child({ authorization: `Bearer ${JWT}`, dsn: `postgres://a:${PG_PW}@h/db` }).info("x"),
    ],
    [
      "grandchild bindings",
      () =>
        log
          .child({ a: 1 })
          .child({ url: `redis://:${VALKEY_PW}@cache:6379` })
          .info("x"),
    ],
    ["a Valkey URL with an empty user", () => log.info(`connecting to redis://:${VALKEY_PW}@cache:6379/0`)],
    ["a password holding a slash", () => log.info(`postgres://reader:${READER_PW}/x@db/flightly`)],
    [
      "prefixed key=value names",
      () => log.info(`DB_PASSWORD=${PG_PW} client_secret: ${READER_PW} access_token=${VALKEY_PW}`),
    ],
    [
      "secret-named fields",
      () =>
        log.info(
          { clientSecret: PG_PW, "x-api-key": READER_PW, sessionToken: VALKEY_PW, cardNumber: CARDS[1] },
          "f",
        ),
    ],
    ["a card glued to letters", () => log.info(`cc${CARDS[0]} ref_${CARDS[1]}x`)],
    [
      "a spaced and a dashed card",
      () => log.info({ note: "4242 4242 4242 4242 and 4000-0000-0000-0002" }, "cards"),
    ],
    [
      "interpolated objects",
      () => log.info("config %j and %o", { url: `postgres://u:${PG_PW}@h/d` }, { card: CARDS[2] }),
    ],
    ["a message-key object", () => log.info({ msg: `paid with ${CARDS[3]}` })],
    [
      "a deeply nested secret",
      () => log.info({ a: { b: { c: { d: { e: { f: { g: { h: { i: { j: CARDS[0] } } } } } } } } } }, "deep"),
    ],
    [
      "headers of a request",
      () =>
        log.info(
          {
            headers: {
              Authorization: `Bearer ${JWT}`,
              cookie: "sid=abc",
              "proxy-authorization": "Basic dXNlcjpwYXNz",
            },
          },
          "req",
        ),
    ],
  ])("%s", async (_name, write) => {
    const from = logs.lines.length;
    write();
    await flush();
    const written = logs.lines.slice(from).join("");
    expect(written.length).toBeGreaterThan(0);
    expect(secretsIn(written, [JWT])).toEqual([]);
    expect(written).not.toContain(VALKEY_PW);
    expect(written).not.toContain(READER_PW);
    expect(written).not.toContain("dXNlcjpwYXNz");
  });

  it("keeps what helps debugging: last four digits, hosts, error types, ordinary numbers", async () => {
    const from = logs.lines.length;
    log.error({ err: new TypeError(`card ${CARDS[0]} at postgres://u:${PG_PW}@db.internal:5432/x`) });
    log.info(
      { usage: { inputTokens: 512, totalTokens: 900 }, max_tokens: 1024, entry: "1763706234500-0" },
      "usage",
    );
    await flush();
    const written = logs.lines.slice(from).join("");
    expect(written).toContain("****4242");
    expect(written).toContain("db.internal:5432");
    expect(written).toContain('"type":"TypeError"');
    expect(written).toContain('"inputTokens":512');
    expect(written).toContain("1763706234500-0");
  });

  it("redaction stays linear on hostile text (no ReDoS)", () => {
    for (const text of [
      "eyJ-".repeat(250_000),
      "a-".repeat(500_000),
      "x://:".repeat(200_000),
      "4 ".repeat(500_000),
      "token=".repeat(150_000),
      `${"Bearer ".repeat(100_000)}x`,
    ]) {
      const started = performance.now();
      redactText(text);
      expect(performance.now() - started, text.slice(0, 12)).toBeLessThan(2_000);
    }
    expect(redactValue({ s: "a-".repeat(100_000) })).toBeTruthy();
  });

  it("a pino stream of the default kind (Writable) gets the same scrubbing", async () => {
    const chunks: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, cb) {
        chunks.push(String(chunk));
        cb();
      },
    });
    createLogger({ destination: sink, level: "info" }).error(new Error(`dsn postgres://u:${PG_PW}@h/d`));
    await flush();
    expect(chunks.join("")).not.toContain(PG_PW);
  });
});

describe("error paths that carry connection strings with passwords", () => {
  const logs = captureLogs();
  let rt: TestRuntime;
  let closedPort: number;
  const upstream = () =>
    Object.assign(
      new Error(
        `upstream failed: Authorization: Bearer ${JWT} via postgres://svc:${PG_PW}@db.internal/x card ${CARDS[0]}`,
      ),
      { cause: new Error(`redis://:${VALKEY_PW}@cache:6379 refused`) },
    );

  beforeAll(async () => {
    closedPort = await freePort();
    rt = await startTestRuntime({ logger: logs.logger, model: new ScriptedModel(() => upstream()) });
  });
  afterAll(async () => {
    await rt?.close();
  });

  it("a configuration error names the variable, never its value", () => {
    for (const env of [
      { DATABASE_URL: `mysql://flightly:${PG_PW}@db/flightly` },
      { DATABASE_READONLY_URL: `postgres//reader:${READER_PW}@db/flightly` },
      { VALKEY_URL: `http://:${VALKEY_PW}@cache:6379` },
      { AUTH_DISCOVERY_URL: `ftp://idp:${PG_PW}@idp.example/.well-known` },
    ]) {
      let message = "";
      try {
        loadConfig(env);
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        message = (err as Error).message;
      }
      expect(message).toMatch(new RegExp(Object.keys(env)[0]!));
      expect(secretsIn(message)).toEqual([]);
    }
  });

  it("run_query against a least-privileged login that is down: a clear tool error, no password anywhere", async () => {
    const readonlySql = postgres(`postgres://reader:${READER_PW}@127.0.0.1:${closedPort}/flightly`, {
      max: 1,
      connect_timeout: 2,
      onnotice: () => {},
    });
    try {
      const client = await connectInMemory(
        createPostgresMcpServer({ sql: rt.running.services.db.sql, readonlySql, logger: logs.logger }),
      );
      const o = await outcome(client, "run_query", { sql: "SELECT 1" });
      expect(o.kind).toBe("tool");
      expect(o.text).toMatch(/unavailable|could not|connect/i);
      expect(secretsIn(o.text)).toEqual([]);
      expect(o.text).not.toMatch(STACK_FRAME);
      await client.close();
    } finally {
      await readonlySql.end({ timeout: 1 });
    }
  });

  it("a model failure whose message carries secrets: 500 'internal error', scrubbed logs", async () => {
    const res = await rt.running.http.inject({
      method: "POST",
      url: "/invocations",
      headers: { "content-type": "application/json" },
      // Worded with no random token: one the scope gate could read as something else is declined
      // (200) before any model runs.
      payload: JSON.stringify({ prompt: `Pay for my last booking with card ${CARDS[0]}`, actor_id: "2" }),
    });
    expect(res.statusCode).toBe(500);
    expect(res.json().error.message).toBe("internal error");
    expect(secretsIn(res.body, [JWT])).toEqual([]);
    await flush();
    expect(logs.text()).toMatch(/request failed/);
  });

  it("the same failure through the MCP ask tool: a generic tool error, scrubbed logs", async () => {
    const client = await connectInMemory(
      createOrchestratorMcpServer({
        orchestrator: rt.app.orchestrator,
        memory: rt.app.memory,
        logger: logs.logger,
        actorId: () => "2",
      }),
    );
    const o = await outcome(client, "ask", { prompt: `Refund to card ${CARDS[1]}` });
    expect(o.kind).toBe("tool");
    expect(o.text).toBe("Flightly could not answer right now");
    await client.close();
  });

  it("the whole describe's logs hold none of the secrets", async () => {
    await sleep(50);
    expect(logs.lines.length).toBeGreaterThan(0);
    const text = logs.text();
    expect(secretsIn(text, [JWT])).toEqual([]);
    expect(text).not.toContain(VALKEY_PW);
  });
});

describe("the CLI on error paths (built dist/)", () => {
  /** Runs `flightly invoke`, waits up to `waitMs` for it to exit, kills it if it does not. */
  const invoke = (env: Record<string, string>, waitMs: number) =>
    new Promise<{ output: string; exited: boolean }>((resolve) => {
      const dataDir = join(tmpdir(), uniq("flightly-security-cli"));
      const child = spawn(process.execPath, [CLI, "invoke", "hello"], {
        env: { ...process.env, LOG_LEVEL: "debug", DATA_DIR: dataDir, ...env },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let output = "";
      child.stdout.on("data", (d) => {
        output += d;
      });
      child.stderr.on("data", (d) => {
        output += d;
      });
      const timer = setTimeout(() => child.kill("SIGKILL"), waitMs);
      child.on("exit", (code, signal) => {
        clearTimeout(timer);
        rmSync(dataDir, { recursive: true, force: true });
        resolve({ output, exited: signal === null && code !== null });
      });
    });

  let valkeyRun: { output: string; exited: boolean };
  beforeAll(async () => {
    const port = await freePort();
    valkeyRun = await invoke({ VALKEY_URL: `redis://:${VALKEY_PW}@127.0.0.1:${port}/0` }, 15_000);
  }, 30_000);

  it("Postgres unreachable: exits non-zero, no password on stdout or stderr", async () => {
    const port = await freePort();
    const { output, exited } = await invoke(
      { DATABASE_URL: `postgres://flightly:${PG_PW}@127.0.0.1:${port}/flightly` },
      30_000,
    );
    expect(exited).toBe(true);
    expect(output).toMatch(/invoke failed|ECONNREFUSED/);
    expect(secretsIn(output)).toEqual([]);
  });

  it("Valkey unreachable: the failure is reported without the password", () => {
    expect(valkeyRun.output).toMatch(/invoke failed/);
    expect(secretsIn(valkeyRun.output)).toEqual([]);
    expect(valkeyRun.output).not.toContain(VALKEY_PW);
  });

  it("Valkey unreachable at start-up: the CLI exits instead of hanging", () => {
    expect(valkeyRun.exited).toBe(true);
  });
});
