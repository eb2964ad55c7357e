/**
 * The weather and Postgres MCP servers the orchestrator's agents call. By default they run in this
 * process over linked in-memory transports (the same protocol, no child processes, one process to
 * start and to measure); `MCP_SERVERS=stdio` runs them as `flightly mcp …` children instead.
 */
import { join } from "node:path";
import { ROOT } from "../../core/paths.js";
import { createPostgresMcpServer } from "../../mcp-servers/postgres/server.js";
import { createWeatherMcpServer } from "../../mcp-servers/weather/server.js";
import { connectPostgres } from "../../memory/db/index.js";
import { createToolCache } from "../../tools/cache.js";
import type { McpServerSpec } from "../mcp-client.js";
import type { Services } from "./services.js";

export interface ConfiguredMcpServers {
  specs: McpServerSpec[];
  /** Releases what the in-process servers opened (the read-only login's pool). */
  close(): Promise<void>;
}

export function configuredMcpServers(services: Services): ConfiguredMcpServers {
  return services.config.mcpServers === "stdio"
    ? { specs: stdioMcpServers(services.db.url), close: async () => {} }
    : inProcessMcpServers(services);
}

/**
 * In this process: run_query uses the read-only login (`DATABASE_READONLY_URL`) when there is one,
 * else this process's connection under `SET LOCAL ROLE flightly_readonly`, exactly as the child does.
 */
export function inProcessMcpServers(services: Services): ConfiguredMcpServers {
  const { config, db, logger, store } = services;
  const readonlyUrl = config.database.readonlyUrl;
  const readonlySql = readonlyUrl ? connectPostgres(readonlyUrl, { max: 4, onnotice: () => {} }) : undefined;
  const weatherCache = createToolCache(store, { logger });
  return {
    specs: [
      {
        name: "weather",
        kind: "memory",
        create: () => createWeatherMcpServer({ weather: config.weather, logger, cache: weatherCache }),
      },
      {
        name: "postgres",
        kind: "memory",
        create: () => createPostgresMcpServer({ sql: db.sql, readonlySql, embedded: db.embedded, logger }),
      },
    ],
    close: async () => {
      await readonlySql?.end({ timeout: 5 });
    },
  };
}

/**
 * The two servers as child processes speaking MCP on stdio. They reach this process's database
 * directly (`databaseUrl`), so a child never becomes the embedded database's owner.
 */
export function stdioMcpServers(databaseUrl: string, env: NodeJS.ProcessEnv = process.env): McpServerSpec[] {
  const cli = join(ROOT, "dist", "bin", "flightly.js");
  const childEnv = Object.fromEntries(
    Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined),
  );
  childEnv.DATABASE_URL = databaseUrl;
  return (["weather", "postgres"] as const).map((name) => ({
    name,
    kind: "stdio" as const,
    command: process.execPath,
    args: [cli, "mcp", name],
    env: { ...childEnv, LOG_LEVEL: childEnv.LOG_LEVEL ?? "warn" },
    timeoutMs: 15_000,
  }));
}
