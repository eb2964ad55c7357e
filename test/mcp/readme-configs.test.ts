/**
 * The MCP client configurations in the README, started exactly as documented (with the
 * placeholder path replaced by this checkout) through the official SDK client over stdio. The
 * documented configurations share embedded PGlite through DATA_DIR, so this stays PGlite-only.
 */
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT } from "../../core/paths.js";
import { worldDir } from "../support/world.js";

interface ServerConfig {
  command: string;
  args: string[];
  env?: Record<string, string>;
}

const blocks = [
  ...readFileSync(join(ROOT, "README.md"), "utf8").matchAll(/```json mcp-config\n([\s\S]*?)```/g),
].map(
  (m) =>
    JSON.parse(m[1]!) as {
      mcpServers?: Record<string, ServerConfig>;
      servers?: Record<string, ServerConfig>;
    },
);

const EXPECTED: Record<string, string[]> = {
  flightly: ["ask", "recall_memories"],
  "flightly-postgres": ["get_table_schema", "list_tables", "run_query"],
  "flightly-weather": ["get_alerts", "get_forecast"],
};

describe("README MCP configurations", () => {
  const dir = worldDir();
  const clients: Client[] = [];
  const resolve = (s: string): string =>
    s.replaceAll("/path/to/flightly/.flightly", dir).replaceAll("/path/to/flightly", ROOT);

  afterAll(async () => {
    for (const c of clients) await c.close().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  });

  it("documents Claude Desktop / Cursor and VS Code configurations", () => {
    expect(blocks.length).toBe(2);
    expect(Object.keys(blocks[0]!.mcpServers ?? {}).sort()).toEqual(Object.keys(EXPECTED).sort());
    expect(Object.keys(blocks[1]!.servers ?? {})).toEqual(["flightly"]);
  });

  it("starts every documented server and lists its tools", async () => {
    const servers = Object.entries(blocks[0]!.mcpServers ?? {});
    for (const [name, cfg] of servers) {
      const client = new Client({ name: "readme-test", version: "1.0.0" });
      clients.push(client);
      await client.connect(
        new StdioClientTransport({
          command: cfg.command === "node" ? process.execPath : cfg.command,
          args: cfg.args.map(resolve),
          env: {
            PATH: process.env.PATH ?? "",
            ...Object.fromEntries(Object.entries(cfg.env ?? {}).map(([k, v]) => [k, resolve(v)])),
          },
          stderr: "ignore",
        }),
        { timeout: 90_000 },
      );
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name).sort(), name).toEqual(EXPECTED[name]);
    }
  }, 180_000);

  it("answers through the documented orchestrator server", async () => {
    const orchestrator = clients[Object.keys(blocks[0]!.mcpServers ?? {}).indexOf("flightly")]!;
    const res = await orchestrator.callTool({
      name: "ask",
      arguments: { prompt: "find flights from Seattle to Tokyo in June" },
    });
    expect(res.isError).toBeFalsy();
    const body = res.structuredContent as { actor_id: string; agents: { agent: string; tools: string[] }[] };
    expect(body.actor_id).toBe("1");
    expect(body.agents).toMatchObject([
      { agent: "booking", tools: ["search_flights"], calls: [{ tool: "search_flights" }] },
    ]);
    const weather = clients[Object.keys(blocks[0]!.mcpServers ?? {}).indexOf("flightly-weather")]!;
    const forecast = await weather.callTool({
      name: "get_forecast",
      arguments: { location: "HNL", days: 3 },
    });
    expect(forecast.isError).toBeFalsy();
    expect(JSON.stringify(forecast.content)).toMatch(/averages/i);
  }, 60_000);
});
