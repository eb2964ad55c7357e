/**
 * The MCP features of flightly-postgres and flightly-weather beyond their tools, through the
 * official SDK client: serverInfo and capabilities, resources and templates, prompts, completion,
 * logging levels, progress, and run_query results sized for every client.
 */
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { LoggingMessageNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPostgresMcpServer } from "../../mcp-servers/postgres/server.js";
import { createWeatherMcpServer } from "../../mcp-servers/weather/server.js";
import { callTool, connectInMemory, openTestDatabase, silentLogger, type TestDatabase } from "./fixtures.js";

/** The text of a resource read's first contents entry. */
const textOf = (read: { contents: object[] }): string => {
  const first = read.contents[0];
  return first && "text" in first ? String(first.text) : "";
};

let db: TestDatabase;
let pg: Client;
let weather: Client;
const logs: Array<{ level: string; data: unknown }> = [];

const postgresServer = (extra: { maxMessageBytes?: number } = {}) =>
  createPostgresMcpServer({ sql: db.sql, embedded: !db.real, logger: silentLogger, ...extra });

beforeAll(async () => {
  db = await openTestDatabase("features");
  pg = await connectInMemory(postgresServer());
  pg.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
    logs.push({ level: n.params.level, data: n.params.data });
  });
  weather = await connectInMemory(
    createWeatherMcpServer({
      weather: { provider: "offline", baseUrl: "http://127.0.0.1:9" },
      logger: silentLogger,
    }),
  );
});
afterAll(async () => {
  await pg?.close();
  await weather?.close();
  await db?.close();
});

describe("serverInfo and capabilities", () => {
  it("each server names itself with a title, gives instructions, and says its sets never change", () => {
    for (const [client, name] of [
      [pg, "flightly-postgres"],
      [weather, "flightly-weather"],
    ] as const) {
      expect(client.getServerVersion()).toMatchObject({ name, title: expect.stringMatching(/Flightly/) });
      expect(client.getInstructions()).toMatch(/flightly:\/\//);
      expect(client.getServerCapabilities()).toEqual({
        logging: {},
        completions: {},
        tools: { listChanged: false },
        resources: { listChanged: false },
        prompts: { listChanged: false },
      });
    }
  });
});

describe("flightly-postgres resources, prompts and completion", () => {
  it("lists a schema resource per readable table and a resource per knowledge document", async () => {
    const { resources } = await pg.listResources();
    expect(resources.map((r) => r.uri)).toEqual(
      expect.arrayContaining([
        "flightly://tables/flights",
        "flightly://tables/knowledge_documents",
        "flightly://knowledge/baggage",
      ]),
    );
    expect(resources.some((r) => r.uri === "flightly://tables/customers")).toBe(false);
    const { resourceTemplates } = await pg.listResourceTemplates();
    expect(resourceTemplates.map((t) => t.uriTemplate).sort()).toEqual([
      "flightly://knowledge/{slug}",
      "flightly://tables/{name}",
    ]);
  });

  it("reads a table's schema with the migration's descriptions, and a document as Markdown", async () => {
    const table = await pg.readResource({ uri: "flightly://tables/flights" });
    const schema = JSON.parse(textOf(table)) as {
      description: string;
      estimated_rows: number;
      columns: Array<{ name: string; description: string | null }>;
    };
    expect(schema.description).toMatch(/flights/i);
    expect(schema.estimated_rows).toBe(3);
    expect(schema.columns.find((c) => c.name === "price_cents")?.description).toMatch(/cents/);
    const doc = await pg.readResource({ uri: "flightly://knowledge/baggage" });
    expect(doc.contents[0]).toMatchObject({ mimeType: "text/markdown" });
    expect(textOf(doc)).toMatch(/^# Baggage policy[\s\S]*One carry-on bag\./);
    await expect(pg.readResource({ uri: "flightly://tables/customers" })).rejects.toThrow(
      /No readable table/,
    );
    await expect(pg.readResource({ uri: "flightly://knowledge/nothing-here" })).rejects.toThrow(
      /No knowledge/,
    );
  });

  it("completes table names and document slugs, and answers an unknown prompt with no values", async () => {
    const tables = await pg.complete({
      ref: { type: "ref/resource", uri: "flightly://tables/{name}" },
      argument: { name: "name", value: "ai" },
    });
    expect(tables.completion.values).toEqual(["airlines", "airports"]);
    const prompt = await pg.complete({
      ref: { type: "ref/prompt", name: "explore_table" },
      argument: { name: "table", value: "hot" },
    });
    expect(prompt.completion.values).toEqual(["hotels"]);
    const slugs = await pg.complete({
      ref: { type: "ref/prompt", name: "policy_lookup" },
      argument: { name: "document", value: "bag" },
    });
    expect(slugs.completion.values).toEqual(["baggage"]);
    const unknown = await pg.complete({
      ref: { type: "ref/prompt", name: "no_such_prompt" },
      argument: { name: "x", value: "" },
    });
    expect(unknown.completion.values).toEqual([]);
  });

  it("lists and fills its prompts", async () => {
    const { prompts } = await pg.listPrompts();
    expect(prompts.map((p) => p.name).sort()).toEqual(["explore_table", "policy_lookup"]);
    const got = await pg.getPrompt({ name: "explore_table", arguments: { table: "hotels" } });
    expect(JSON.stringify(got.messages)).toMatch(
      /get_table_schema[\s\S]*hotels|hotels[\s\S]*get_table_schema/,
    );
    const policy = await pg.getPrompt({ name: "policy_lookup", arguments: { document: "baggage" } });
    expect(policy.messages[0]?.content).toMatchObject({
      type: "resource_link",
      uri: "flightly://knowledge/baggage",
    });
  });

  it("list_tables gives row counts and descriptions", async () => {
    const result = await callTool(pg, "list_tables", {});
    const tables = (result.structuredContent as { tables: Array<Record<string, unknown>> }).tables;
    expect(tables.find((t) => t.name === "hotels")).toMatchObject({ estimated_rows: 2 });
    for (const t of tables) expect(t.description, String(t.name)).toEqual(expect.any(String));
  });
});

describe("run_query results for every client", () => {
  it("puts rows in structuredContent only; the text is a summary; bigints are numbers", async () => {
    const result = await callTool(pg, "run_query", {
      sql: "SELECT id, flight_number, count(*) OVER () AS n, 9007199254740993::bigint AS big FROM flights ORDER BY id",
    });
    expect(result.isError, result.text).toBeFalsy();
    const rows = (result.structuredContent as { rows: Array<Record<string, unknown>> }).rows;
    expect(rows[0]).toEqual({ id: 1, flight_number: "HA1", n: 3, big: "9007199254740993" });
    expect(result.text).toMatch(/^3 rows .*columns: id \(bigint\), flight_number \(text\)/);
    expect(result.text).not.toMatch(/HA1|AS843/);
    const count = await callTool(pg, "run_query", { sql: "SELECT count(*) FROM hotels WHERE stars > 5" });
    expect((count.structuredContent as { rows: unknown[] }).rows).toEqual([{ count: 0 }]);
  });

  it("leaves vector columns out unless asked, and names them", async () => {
    const plain = await callTool(pg, "run_query", { sql: "SELECT * FROM knowledge_documents" });
    const out = plain.structuredContent as {
      columns: Array<{ name: string }>;
      rows: Array<Record<string, unknown>>;
    };
    expect(out).toMatchObject({ omitted_columns: ["embedding"] });
    expect(out.columns.map((c) => c.name)).not.toContain("embedding");
    expect(Object.keys(out.rows[0] ?? {})).not.toContain("embedding");
    expect(plain.text).toMatch(/embedding .*include_vectors/);
    const withVectors = await callTool(pg, "run_query", {
      sql: "SELECT slug, embedding FROM knowledge_documents",
      include_vectors: true,
    });
    expect(withVectors.structuredContent).toMatchObject({
      columns: [{ name: "slug" }, { name: "embedding", type: "vector" }],
      rows: [{ slug: "baggage", embedding: "[1,0,0,0,0,0,0,0]" }],
    });
    expect(withVectors.structuredContent).not.toHaveProperty("omitted_columns");
  });

  it("keeps the whole message under one byte cap, cutting at whole rows", async () => {
    const capped = await connectInMemory(postgresServer({ maxMessageBytes: 4_000 }));
    const result = await callTool(capped, "run_query", {
      sql: "SELECT g, md5(g::text) AS h FROM generate_series(1, 500) g",
      max_rows: 500,
    });
    const out = result.structuredContent as { rows: unknown[]; truncated: boolean; truncated_by: string };
    expect(out).toMatchObject({ truncated: true, truncated_by: "max_result_size" });
    expect(out.rows.length).toBeGreaterThan(10);
    expect(Buffer.byteLength(JSON.stringify({ jsonrpc: "2.0", id: 1, result }))).toBeLessThan(4_000);
    expect(result.text).toMatch(/result size limit/);
    await capped.close();
  });
});

describe("logging and progress", () => {
  it("sends log notifications at or above the level the client set", async () => {
    expect(await pg.setLoggingLevel("warning")).toEqual({});
    logs.length = 0;
    await callTool(pg, "run_query", { sql: "SELECT 1 AS one" });
    await callTool(pg, "run_query", { sql: "DELETE FROM flights" });
    expect(logs.map((l) => l.level)).toEqual(["warning"]);
    expect(JSON.stringify(logs[0]?.data)).toMatch(/refused/);
    await pg.setLoggingLevel("info");
    logs.length = 0;
    await callTool(pg, "run_query", { sql: "SELECT 1 AS one" });
    expect(logs).toEqual([{ level: "info", data: expect.objectContaining({ tool: "run_query", rows: 1 }) }]);
  });

  it("reports run_query progress when the client asks for it", async () => {
    const seen: Array<{ progress: number; total?: number | undefined; message?: string | undefined }> = [];
    await pg.callTool({ name: "run_query", arguments: { sql: "SELECT iata FROM airports" } }, undefined, {
      onprogress: (p) => seen.push(p),
    });
    expect(seen.map((p) => p.progress)).toEqual([0, 1, 2, 3]);
    expect(seen.map((p) => p.message)).toEqual(["started", "checked", "planned", "executed: 3 rows"]);
    expect(seen.every((p) => p.total === 3)).toBe(true);
  });

  it("reports get_forecast progress on the weather server", async () => {
    const seen: number[] = [];
    await weather.callTool({ name: "get_forecast", arguments: { location: "HNL", days: 2 } }, undefined, {
      onprogress: (p) => seen.push(p.progress),
    });
    expect(seen).toEqual([1, 2]);
  });
});

describe("flightly-weather resources, prompts and completion", () => {
  it("lists each known airport as a location resource and reads its climate normals", async () => {
    const { resources } = await weather.listResources();
    expect(resources.length).toBeGreaterThan(50);
    expect(resources.map((r) => r.uri)).toContain("flightly://locations/HNL");
    const read = await weather.readResource({ uri: "flightly://locations/HNL" });
    const body = JSON.parse(textOf(read)) as {
      city: string;
      climate_normals: { months: unknown[] } | null;
    };
    expect(body.city).toBe("Honolulu");
    expect(body.climate_normals?.months).toHaveLength(12);
    await expect(weather.readResource({ uri: "flightly://locations/ZZZ" })).rejects.toThrow(
      /No known location/,
    );
  });

  it("completes locations for the template and the trip_weather prompt, and fills the prompt", async () => {
    const codes = await weather.complete({
      ref: { type: "ref/resource", uri: "flightly://locations/{iata}" },
      argument: { name: "iata", value: "honol" },
    });
    expect(codes.completion.values).toContain("HNL");
    const places = await weather.complete({
      ref: { type: "ref/prompt", name: "trip_weather" },
      argument: { name: "location", value: "Hono" },
    });
    expect(places.completion.values).toContain("Honolulu");
    const prompt = await weather.getPrompt({ name: "trip_weather", arguments: { location: "Honolulu" } });
    expect(JSON.stringify(prompt.messages)).toMatch(/Honolulu[\s\S]*get_forecast/);
  });
});
