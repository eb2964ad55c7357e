/**
 * Serving the MCP servers: Streamable HTTP (sessions, Host/Origin checks, status codes, shutdown)
 * with the official SDK client, stdio over in-process streams, and `startMcpCommand` end to end
 * for both servers on port 0.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ReadBuffer, serializeMessage } from "@modelcontextprotocol/sdk/shared/stdio.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../core/config.js";
import { startMcpCommand } from "../../mcp-servers/index.js";
import { createPostgresMcpServer } from "../../mcp-servers/postgres/server.js";
import { type McpHttpHandle, runHttp, runStdio } from "../../mcp-servers/transport.js";
import { createWeatherMcpServer } from "../../mcp-servers/weather/server.js";
import { callTool, openTestDatabase, silentLogger, type TestDatabase } from "./fixtures.js";

const weatherServer = () =>
  createWeatherMcpServer({
    weather: { provider: "offline", baseUrl: "http://127.0.0.1:9" },
    logger: silentLogger,
  });

async function connectHttp(
  url: string,
): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
  const transport = new StreamableHTTPClientTransport(new URL(url));
  const client = new Client({ name: "flightly-test", version: "0.0.0" });
  await client.connect(transport);
  return { client, transport };
}

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A request with full control of the headers (fetch will not send a foreign Host). */
function raw(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: unknown; path?: string },
): Promise<RawResponse> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        path: options.path ?? target.pathname,
        method: options.method ?? "POST",
        headers: {
          "content-type": "application/json",
          accept: "application/json, text/event-stream",
          ...options.headers,
        },
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          body += chunk;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on("error", reject);
    req.end(options.body === undefined ? undefined : JSON.stringify(options.body));
  });
}

const initialize = {
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "0" } },
};

describe("Streamable HTTP", () => {
  let http: McpHttpHandle;

  beforeAll(async () => {
    http = await runHttp(weatherServer, 0, "127.0.0.1", { logger: silentLogger });
  });
  afterAll(async () => {
    await http?.close();
  });

  it("serves a session per client with the SDK client: list tools, call a tool, end the session", async () => {
    expect(http.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    const a = await connectHttp(http.url);
    const b = await connectHttp(http.url);
    expect(a.transport.sessionId).toBeDefined();
    expect(a.transport.sessionId).not.toBe(b.transport.sessionId);
    expect(http.sessionCount()).toBe(2);
    const { tools } = await a.client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(["get_alerts", "get_forecast"]);
    const forecast = await callTool(a.client, "get_forecast", { location: "HNL", days: 2 });
    expect(forecast.structuredContent).toMatchObject({ kind: "climate_normals" });
    await a.transport.terminateSession();
    await a.client.close();
    expect(http.sessionCount()).toBe(1);
    await b.transport.terminateSession();
    await b.client.close();
    expect(http.sessionCount()).toBe(0);
  });

  it("answers only loopback Host and Origin names", async () => {
    const evilHost = await raw(http.url, { headers: { host: "evil.example" }, body: initialize });
    expect(evilHost.status).toBe(403);
    expect(JSON.parse(evilHost.body)).toMatchObject({ error: { message: "Forbidden: Host not allowed" } });
    const rebound = await raw(http.url, { headers: { host: `evil.example:${http.port}` }, body: initialize });
    expect(rebound.status).toBe(403);
    const evilOrigin = await raw(http.url, { headers: { origin: "http://evil.example" }, body: initialize });
    expect(evilOrigin.status).toBe(403);
    const localhost = await raw(http.url, {
      headers: { host: `localhost:${http.port}`, origin: `http://localhost:${http.port}` },
      body: initialize,
    });
    expect(localhost.status).toBe(200);
    expect(localhost.headers["mcp-session-id"]).toEqual(expect.any(String));
    const id = String(localhost.headers["mcp-session-id"]);
    expect((await raw(http.url, { method: "DELETE", headers: { "mcp-session-id": id } })).status).toBe(200);
  });

  it("needs a session for everything but initialize, and 404s unknown sessions", async () => {
    const list = { jsonrpc: "2.0", id: 2, method: "tools/list" };
    const noSession = await raw(http.url, { body: list });
    expect(noSession.status).toBe(400);
    expect(noSession.body).toMatch(/a session starts with initialize/);
    const unknown = await raw(http.url, { headers: { "mcp-session-id": "no-such-session" }, body: list });
    expect(unknown.status).toBe(404);
    expect((await raw(http.url, { method: "GET" })).status).toBe(400);
    expect((await raw(http.url, { method: "DELETE", headers: { "mcp-session-id": "gone" } })).status).toBe(
      404,
    );
    expect((await raw(http.url, { method: "PUT", body: list })).status).toBe(405);
    expect((await raw(http.url, { path: "/other", body: list })).status).toBe(404);
    const notJson = await raw(http.url, { headers: {}, body: undefined });
    expect(notJson.status).toBe(400);
  });

  it("closes every session and stops listening on close()", async () => {
    const own = await runHttp(weatherServer, 0, "127.0.0.1", { logger: silentLogger });
    const { client } = await connectHttp(own.url);
    expect(own.sessionCount()).toBe(1);
    await own.close();
    expect(own.sessionCount()).toBe(0);
    await expect(raw(own.url, { body: initialize })).rejects.toThrow(/ECONNREFUSED/);
    await client.close();
  });

  it("closes sessions that stay idle", async () => {
    const own = await runHttp(weatherServer, 0, "127.0.0.1", { logger: silentLogger, sessionIdleMs: 50 });
    const { client } = await connectHttp(own.url);
    expect(own.sessionCount()).toBe(1);
    await new Promise((r) => setTimeout(r, 2_200));
    expect(own.sessionCount()).toBe(0);
    await client.close();
    await own.close();
  });
});

describe("flightly-postgres over Streamable HTTP", () => {
  let db: TestDatabase;
  let http: McpHttpHandle;

  beforeAll(async () => {
    db = await openTestDatabase();
    http = await runHttp(
      () => createPostgresMcpServer({ sql: db.sql, embedded: !db.real, logger: silentLogger }),
      0,
      "127.0.0.1",
    );
  });
  afterAll(async () => {
    await http?.close();
    await db?.close();
  });

  it("lists the read-only tools and runs each", async () => {
    const { client, transport } = await connectHttp(http.url);
    const { tools } = await client.listTools();
    expect(tools.map((t) => [t.name, t.annotations?.readOnlyHint])).toEqual(
      expect.arrayContaining([
        ["run_query", true],
        ["get_table_schema", true],
        ["list_tables", true],
      ]),
    );
    const rows = await callTool(client, "run_query", { sql: "SELECT code FROM airlines ORDER BY code" });
    expect(rows.structuredContent).toMatchObject({ rows: [{ code: "AS" }, { code: "HA" }] });
    const refused = await callTool(client, "run_query", { sql: "COMMIT; DROP TABLE flights" });
    expect(refused.isError).toBe(true);
    expect((await callTool(client, "list_tables", {})).isError).toBeFalsy();
    expect((await callTool(client, "get_table_schema", { table: "hotels" })).isError).toBeFalsy();
    await transport.terminateSession();
    await client.close();
  });
});

/** The client side of a stdio connection over in-process streams (newline-delimited JSON-RPC). */
function streamClientTransport(fromServer: PassThrough, toServer: PassThrough): Transport {
  const buffer = new ReadBuffer();
  const transport: Transport = {
    async start() {
      fromServer.on("data", (chunk: Buffer) => {
        buffer.append(chunk);
        for (let message = buffer.readMessage(); message; message = buffer.readMessage()) {
          transport.onmessage?.(message);
        }
      });
    },
    async send(message: JSONRPCMessage) {
      toServer.write(serializeMessage(message));
    },
    async close() {
      toServer.end();
      transport.onclose?.();
    },
  };
  return transport;
}

describe("stdio", () => {
  it("serves the SDK client over stdin/stdout and stops when stdin ends", async () => {
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    const handle = await runStdio(weatherServer(), { stdin, stdout });
    const client = new Client({ name: "flightly-test", version: "0.0.0" });
    await client.connect(streamClientTransport(stdout, stdin));
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(["get_alerts", "get_forecast"]);
    const alerts = await callTool(client, "get_alerts", { location: "SIN" });
    expect(alerts.structuredContent).toMatchObject({ kind: "climate_normals", alerts: [] });
    await client.close();
    await expect(handle.closed).resolves.toBeUndefined();
  });
});

describe("startMcpCommand", () => {
  const dir = mkdtempSync(join(tmpdir(), "flightly-mcp-cmd-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("weather over HTTP on port 0", async () => {
    const config = loadConfig({ DATA_DIR: dir, WEATHER_PROVIDER: "offline", LOG_LEVEL: "silent" });
    const handle = await startMcpCommand("weather", 0, config, silentLogger, { handleSignals: false });
    expect(handle.url).toMatch(/\/mcp$/);
    const { client, transport } = await connectHttp(handle.url!);
    const result = await callTool(client, "get_forecast", { location: "Tokyo", days: 1 });
    expect(result.structuredContent).toMatchObject({ kind: "climate_normals", location: { iata: "NRT" } });
    await transport.terminateSession();
    await client.close();
    await handle.close();
    await expect(handle.closed).resolves.toBeUndefined();
  });

  it("postgres over HTTP, reaching the database through DATA_DIR (or DATABASE_URL)", async () => {
    const db = await openTestDatabase();
    try {
      const config = loadConfig({ ...db.env, LOG_LEVEL: "silent" });
      const handle = await startMcpCommand("postgres", 0, config, silentLogger, { handleSignals: false });
      const { client, transport } = await connectHttp(handle.url!);
      const result = await callTool(client, "run_query", { sql: "SELECT count(*)::int AS n FROM flights" });
      expect(result.structuredContent).toMatchObject({ rows: [{ n: 3 }] });
      const denied = await callTool(client, "run_query", { sql: "SELECT * FROM customers" });
      expect(denied.text).toMatch(/permission denied for table customers/);
      await transport.terminateSession();
      await client.close();
      await handle.close();
    } finally {
      await db.close();
    }
  });
});
