/**
 * The official MCP conformance suite (@modelcontextprotocol/conformance, server mode, its active
 * scenarios) against the Streamable HTTP endpoint of each Flightly MCP server, served in-process by
 * runHttp on a free port over a copy of the seeded world. Every failing scenario must be listed in
 * conformance-baseline.yml with its reason, and a listed scenario that passes fails the run too.
 * On the same endpoint, the official client reads the largest results run_query gives and every
 * HTTP message and SSE event stays under 1 MiB (the Python SDK's default read limit).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../core/config.js";
import { ROOT } from "../../core/paths.js";
import { createPostgresMcpServer } from "../../mcp-servers/postgres/server.js";
import { type McpHttpHandle, runHttp } from "../../mcp-servers/transport.js";
import { createWeatherMcpServer } from "../../mcp-servers/weather/server.js";
import { type Database, openDatabase } from "../../memory/db/index.js";
import { type WorldEnv, worldEnv } from "../support/world.js";
import { runConformance, tally } from "./conformance-suite.js";
import { callTool, silentLogger } from "./fixtures.js";

const BASELINE = join(ROOT, "test", "mcp", "conformance-baseline.yml");

/** Scenarios that exercise the servers' own features: never acceptable as expected failures. */
const MUST_PASS = [
  "server-initialize",
  "ping",
  "logging-set-level",
  "completion-complete",
  "tools-list",
  "resources-list",
  "prompts-list",
  "server-sse-multiple-streams",
  "dns-rebinding-protection",
];

/** Baseline entries: `  - scenario # reason`. */
function baseline(): Array<{ scenario: string; reason: string }> {
  return readFileSync(BASELINE, "utf8")
    .split("\n")
    .map((line) => /^\s+-\s+([\w-]+)\s*(?:#\s*(.*))?$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ scenario: m[1] ?? "", reason: (m[2] ?? "").trim() }));
}

let world: WorldEnv;
let db: Database;
const servers: Record<string, McpHttpHandle> = {};

beforeAll(async () => {
  world = await worldEnv("conformance");
  db = await openDatabase(loadConfig({ ...world.env, LOG_LEVEL: "warn" }), silentLogger);
  servers.postgres = await runHttp(
    () => createPostgresMcpServer({ sql: db.sql, embedded: db.embedded, logger: silentLogger }),
    0,
  );
  servers.weather = await runHttp(
    () =>
      createWeatherMcpServer({
        weather: { provider: "offline", baseUrl: "http://127.0.0.1:9" },
        logger: silentLogger,
      }),
    0,
  );
}, 120_000);

afterAll(async () => {
  await Promise.all(Object.values(servers).map((s) => s.close()));
  await db?.close();
  await world?.close();
});

describe("conformance baseline", () => {
  it("lists each expected failure once, with a reason, and none for the servers' own features", () => {
    const entries = baseline();
    expect(entries.length).toBeGreaterThan(0);
    for (const { scenario, reason } of entries) {
      expect(reason, `${scenario} needs a reason`).toMatch(/\w{3,}/);
      expect(MUST_PASS).not.toContain(scenario);
      // Only scenarios that depend on the suite's own fixtures may be expected to fail.
      expect(reason, scenario).toMatch(/fixture/);
    }
    expect(new Set(entries.map((e) => e.scenario)).size).toBe(entries.length);
  });
});

describe.each(["postgres", "weather"])(
  "conformance suite against flightly-%s over Streamable HTTP",
  (name) => {
    it("fails only the baseline's scenarios, and passes every one of the servers' own features", async () => {
      const result = await runConformance(servers[name]!.url, BASELINE);
      const { code, output, checks } = result;
      const failing = [...checks]
        .filter(([, cs]) => cs.some((c) => c.status === "FAILURE" || c.status === "WARNING"))
        .map(([s]) => s)
        .sort();
      const { passed, failed } = tally(result);
      console.info(`conformance flightly-${name}: ${passed} checks passed, ${failed} failed`);
      expect(failing).toEqual(
        baseline()
          .map((e) => e.scenario)
          .sort(),
      );
      for (const scenario of MUST_PASS) {
        const cs = checks.get(scenario);
        expect(cs, `${scenario} ran`).toBeDefined();
        expect(
          cs?.filter((c) => c.status !== "SUCCESS" && c.status !== "INFO"),
          scenario,
        ).toEqual([]);
      }
      expect(code, output).toBe(0);
    }, 300_000);
  },
);

const MIB = 1024 * 1024;

/** An official client whose fetch records the size of every JSON body and every SSE event. */
async function measuringClient(url: string): Promise<{ client: Client; sizes: number[] }> {
  const sizes: number[] = [];
  const measure = async (body: ReadableStream<Uint8Array>, sse: boolean): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const chunk of body) chunks.push(Buffer.from(chunk));
    const all = Buffer.concat(chunks).toString("utf8");
    const parts = sse ? all.split(/\r?\n\r?\n/).filter((e) => e.trim() !== "") : [all];
    for (const part of parts) sizes.push(Buffer.byteLength(part, "utf8"));
  };
  const fetching: typeof fetch = async (input, init) => {
    const res = await fetch(input, init);
    if (!res.body) return res;
    const [mine, theirs] = res.body.tee();
    // The standing SSE stream is aborted when the client closes: that ends its measurement.
    void measure(mine, (res.headers.get("content-type") ?? "").includes("text/event-stream")).catch(
      (err: unknown) => {
        if ((err as Error | null)?.name !== "AbortError") throw err;
      },
    );
    return new Response(theirs, { status: res.status, statusText: res.statusText, headers: res.headers });
  };
  const client = new Client({ name: "flightly-size-test", version: "0.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { fetch: fetching }));
  return { client, sizes };
}

describe("large run_query results over Streamable HTTP", () => {
  it("keeps every message and SSE event under 1 MiB for knowledge documents and the largest table", async () => {
    const { client, sizes } = await measuringClient(servers.postgres!.url);
    const listed = await callTool(client, "list_tables", {});
    const tables = (listed.structuredContent as { tables: Array<{ name: string; estimated_rows: number }> })
      .tables;
    const largest = [...tables].sort((a, b) => b.estimated_rows - a.estimated_rows)[0]!;
    expect(largest.estimated_rows).toBeGreaterThan(100);
    const results = [];
    for (const args of [
      { sql: "SELECT * FROM knowledge_documents", max_rows: 1_000 },
      { sql: "SELECT * FROM knowledge_documents", max_rows: 1_000, include_vectors: true },
      { sql: `SELECT * FROM ${largest.name}`, max_rows: 1_000 },
    ]) {
      const result = await callTool(client, "run_query", args);
      expect(result.isError, result.text).toBeFalsy();
      const out = result.structuredContent as { rows: unknown[]; truncated: boolean };
      expect(out.rows.length).toBeGreaterThan(0);
      results.push(out);
    }
    // Vectors are left out by default and only sent when asked for.
    expect(results[0]).toMatchObject({ omitted_columns: ["embedding"] });
    expect(results[1]).not.toHaveProperty("omitted_columns");
    await client.close();
    await new Promise((r) => setTimeout(r, 100));
    expect(sizes.length).toBeGreaterThan(3);
    expect(Math.max(...sizes)).toBeLessThan(MIB);
    expect(Math.max(...sizes)).toBeGreaterThan(100_000);
  }, 120_000);
});
