/** A private copy of the seeded Flightly world, and a runtime built on it for in-process tests. */
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inject } from "vitest";
import { loadConfig } from "../../core/config.js";
import { createLogger, type Logger } from "../../core/logger.js";
import { createPostgresMcpServer } from "../../mcp-servers/postgres/server.js";
import { createWeatherMcpServer } from "../../mcp-servers/weather/server.js";
import type { McpServerSpec } from "../../orchestrator/mcp-client.js";
import type { ModelProvider } from "../../orchestrator/models/types.js";
import type { App } from "../../orchestrator/runtime/app.js";
import { type Running, startRuntime } from "../../orchestrator/runtime/serve.js";
import { TEST_VALKEY_URL, uniq } from "./env.js";
import { worldEnvOn } from "./pg.js";

/** A copy of the seeded world in a new temp dir (embedded PGlite; see `worldEnv` for either lane). */
export function worldDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "flightly-test-"));
  cpSync(inject("worldTemplate"), dir, { recursive: true });
  rmSync(join(dir, "pglite-server.json"), { force: true });
  rmSync(join(dir, "pglite.lock"), { force: true });
  return dir;
}

export interface WorldEnv {
  /** `DATA_DIR`, and `DATABASE_URL` in the real-PostgreSQL lane: spread it into a config or a child's env. */
  env: { DATA_DIR: string; DATABASE_URL?: string };
  dir: string;
  /** Drops the private database (or removes the PGlite copy). */
  close(): Promise<void>;
}

/** A private copy of the seeded world: PGlite in DATA_DIR, or a database on TEST_DATABASE_URL's server. */
export function worldEnv(label = "world"): Promise<WorldEnv> {
  return worldEnvOn(worldDir, label);
}

export interface TestRuntime {
  running: Running;
  app: App;
  logger: Logger;
  dir: string;
  close(): Promise<void>;
}

/** In-process MCP servers (same protocol, no child processes). */
export function inMemoryMcpServers(running: () => Running, logger: Logger): McpServerSpec[] {
  return [
    {
      name: "weather",
      kind: "memory",
      create: () =>
        createWeatherMcpServer({ weather: { provider: "offline", baseUrl: "http://127.0.0.1:1" }, logger }),
    },
    {
      name: "postgres",
      kind: "memory",
      create: () =>
        createPostgresMcpServer({
          sql: running().services.db.sql,
          embedded: running().services.db.embedded,
          logger,
        }),
    },
  ];
}

export async function startTestRuntime(
  options: { model?: ModelProvider; env?: Record<string, string>; logger?: Logger; worker?: boolean } = {},
): Promise<TestRuntime> {
  const world = await worldEnv("runtime");
  const dir = world.dir;
  const config = loadConfig({
    ...world.env,
    VALKEY_URL: TEST_VALKEY_URL,
    LOG_LEVEL: "warn",
    PORT: "0",
    MCP_PORT: "0",
    // No background recomputation of cache hits unless a test asks for it (it calls the model).
    SEMANTIC_CACHE_AUDIT_RATE: "0",
    ...options.env,
  });
  const logger = options.logger ?? createLogger({ level: "warn" });
  let running: Running | undefined;
  running = await startRuntime(config, logger, {
    protocol: options.env?.PROTOCOL === "mcp" ? "mcp" : "http",
    app: {
      mcpServers: inMemoryMcpServers(() => running!, logger),
      worker: options.worker ?? false,
      cacheNamespace: uniq("world"),
      ...(options.model ? { model: options.model } : {}),
    },
  });
  const { app } = await running.ready;
  return {
    running,
    app,
    logger,
    dir,
    close: async () => {
      await running?.stop();
      await world.close();
    },
  };
}
