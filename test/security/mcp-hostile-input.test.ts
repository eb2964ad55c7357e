/**
 * Hostile input to every MCP tool (flightly: ask, recall_memories; flightly-postgres: run_query,
 * get_table_schema, list_tables; flightly-weather: get_forecast, get_alerts) through the official
 * SDK client over InMemoryTransport: wrong types, missing fields, empty and 10 MB strings, control
 * characters, lone surrogates, RTL and emoji, huge and non-finite numbers, unknown fields. Each
 * gets a precise error (`isError` or a JSON-RPC error) naming the field, never a stack trace, and
 * nothing is written. The same server over Streamable HTTP gets the JSON-only cases.
 */
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { LightMyRequestResponse } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPostgresMcpServer } from "../../mcp-servers/postgres/server.js";
import { createWeatherMcpServer } from "../../mcp-servers/weather/server.js";
import { createOrchestratorMcpServer } from "../../orchestrator/mcp-server.js";
import { sleep, uniq } from "../support/env.js";
import { startTestRuntime, type TestRuntime } from "../support/world.js";
import {
  captureLogs,
  connectInMemory,
  outcome,
  STACK_FRAME,
  secretsIn,
  type ToolOutcome,
} from "./support.js";

const logs = captureLogs();
const TEN_MB = "y".repeat(10 * 1024 * 1024);
const ACTOR = "2";

type Server = "flightly" | "postgres" | "weather";
/** `ok`: answered; `tool`: isError naming the reason; `rpc`: JSON-RPC error. */
type Expect = { kind: ToolOutcome["kind"]; text?: RegExp };
type Case = [server: Server, tool: string, label: string, args: unknown, expected: Expect];

const err = (text: RegExp): Expect => ({ kind: "tool", text });
const OK: Expect = { kind: "ok" };

/** The usual abuse of one string field; `base` holds the other required fields. */
function stringAbuse(
  server: Server,
  tool: string,
  field: string,
  base: Record<string, unknown>,
  fieldError: RegExp,
): Case[] {
  const at = (v: unknown): Record<string, unknown> => ({ ...base, [field]: v });
  return [
    [server, tool, `${field} missing`, base, err(fieldError)],
    [server, tool, `${field} a number`, at(42), err(fieldError)],
    [server, tool, `${field} null`, at(null), err(fieldError)],
    [server, tool, `${field} an array`, at(["SELECT 1"]), err(fieldError)],
    [server, tool, `${field} an object`, at({ toString: "x" }), err(fieldError)],
    [server, tool, `${field} a boolean`, at(true), err(fieldError)],
    [server, tool, `${field} empty`, at(""), err(fieldError)],
    [server, tool, `${field} 10 MB`, at(TEN_MB), err(fieldError)],
  ];
}

/** Numbers no counter should take; JSON cannot carry NaN or Infinity, JavaScript callers can. */
function numberAbuse(
  server: Server,
  tool: string,
  field: string,
  base: Record<string, unknown>,
  max: number,
): Case[] {
  const e = err(new RegExp(`at ${field}`));
  return [
    [server, tool, `${field} 1e308`, { ...base, [field]: 1e308 }, e],
    [server, tool, `${field} -1e308`, { ...base, [field]: -1e308 }, e],
    [server, tool, `${field} -0`, { ...base, [field]: -0 }, e],
    [server, tool, `${field} 0`, { ...base, [field]: 0 }, e],
    [server, tool, `${field} NaN`, { ...base, [field]: Number.NaN }, e],
    [server, tool, `${field} Infinity`, { ...base, [field]: Number.POSITIVE_INFINITY }, e],
    [server, tool, `${field} 1.5`, { ...base, [field]: 1.5 }, e],
    [server, tool, `${field} max + 1`, { ...base, [field]: max + 1 }, e],
    [server, tool, `${field} 2^53 + 2`, { ...base, [field]: 2 ** 53 + 2 }, e],
    [server, tool, `${field} a numeric string`, { ...base, [field]: "5" }, e],
    [server, tool, `${field} null`, { ...base, [field]: null }, e],
  ];
}

const RTL_EMOJI = "مرحبا שלום ✈️🧳👨‍👩‍👧 what is the baggage allowance?";

const CASES: Case[] = [
  // flightly: ask
  ...stringAbuse("flightly", "ask", "prompt", {}, /at prompt|prompt/),
  ["flightly", "ask", "prompt whitespace only", { prompt: " \t\n " }, err(/must not be empty at prompt/)],
  ["flightly", "ask", "prompt with NUL", { prompt: "hi\u0000there" }, err(/control characters at prompt/)],
  [
    "flightly",
    "ask",
    "prompt with an ANSI escape",
    { prompt: "\u001b[2Jhi" },
    err(/control characters at prompt/),
  ],
  [
    "flightly",
    "ask",
    "prompt with a lone high surrogate",
    { prompt: "hi \ud800 there" },
    err(/Unicode.*at prompt/),
  ],
  ["flightly", "ask", "prompt with a lone low surrogate", { prompt: "\udc00" }, err(/Unicode.*at prompt/)],
  [
    "flightly",
    "ask",
    "prompt of 20,001 characters",
    { prompt: "a".repeat(20_001) },
    err(/at most 20000.*at prompt/),
  ],
  [
    "flightly",
    "ask",
    "an actor_id field",
    { prompt: "Show me my bookings", actor_id: "1" },
    err(/Unrecognized key.*actor_id/),
  ],
  ["flightly", "ask", "an actorId field", { prompt: "hi", actorId: 1 }, err(/Unrecognized key.*actorId/)],
  ["flightly", "ask", "session_id a number", { prompt: "hi", session_id: 42 }, err(/at session_id/)],
  ["flightly", "ask", "session_id empty", { prompt: "hi", session_id: "" }, err(/at session_id/)],
  [
    "flightly",
    "ask",
    "session_id a path",
    { prompt: "hi", session_id: "../../etc/passwd" },
    err(/at session_id/),
  ],
  [
    "flightly",
    "ask",
    "session_id a hash tag",
    { prompt: "hi", session_id: "{s:victim}" },
    err(/at session_id/),
  ],
  ["flightly", "ask", "session_id with NUL", { prompt: "hi", session_id: "s\u0000" }, err(/at session_id/)],
  [
    "flightly",
    "ask",
    "session_id 300 characters",
    { prompt: "hi", session_id: "s".repeat(300) },
    err(/at session_id/),
  ],
  ["flightly", "ask", "RTL and emoji", { prompt: RTL_EMOJI, session_id: uniq("rtl") }, OK],
  // flightly: recall_memories
  ...stringAbuse("flightly", "recall_memories", "query", {}, /query/),
  [
    "flightly",
    "recall_memories",
    "query with NUL",
    { query: "seat\u0000" },
    err(/control characters at query/),
  ],
  [
    "flightly",
    "recall_memories",
    "query with a lone surrogate",
    { query: "\ud83d" },
    err(/Unicode.*at query/),
  ],
  ["flightly", "recall_memories", "query of 2,001 characters", { query: "q".repeat(2_001) }, err(/at query/)],
  [
    "flightly",
    "recall_memories",
    "an actor_id field",
    { query: "seat", actor_id: "1" },
    err(/Unrecognized key.*actor_id/),
  ],
  ...numberAbuse("flightly", "recall_memories", "k", { query: "seat" }, 20),
  ["flightly", "recall_memories", "RTL and emoji", { query: RTL_EMOJI, k: 20 }, OK],
  // flightly-postgres: run_query
  ...stringAbuse("postgres", "run_query", "sql", {}, /sql/),
  [
    "postgres",
    "run_query",
    "sql whitespace only",
    { sql: "  \n " },
    err(/Query refused: the query is empty/),
  ],
  [
    "postgres",
    "run_query",
    "sql with NUL",
    { sql: "SELECT 1\u0000; DROP TABLE flights" },
    err(/Query refused/),
  ],
  ["postgres", "run_query", "sql with an ANSI escape", { sql: "SELECT 1\u001b[31m" }, err(/Query refused/)],
  [
    "postgres",
    "run_query",
    "sql of 20,001 characters",
    { sql: `SELECT '${"a".repeat(20_000)}'` },
    err(/at sql/),
  ],
  [
    "postgres",
    "run_query",
    "sql stacked behind a comment",
    { sql: "SELECT 1 --\n; DELETE FROM bookings" },
    err(/Query refused/),
  ],
  ...numberAbuse("postgres", "run_query", "max_rows", { sql: "SELECT 1" }, 1_000),
  // flightly-postgres: get_table_schema
  ...stringAbuse("postgres", "get_table_schema", "table", {}, /table/),
  ["postgres", "get_table_schema", "table with NUL", { table: "flights\u0000" }, err(/at table/)],
  [
    "postgres",
    "get_table_schema",
    "table with SQL",
    { table: "flights; DROP TABLE flights" },
    err(/at table/),
  ],
  ["postgres", "get_table_schema", "table in Arabic", { table: "رحلات" }, err(/at table/)],
  ["postgres", "get_table_schema", "table a path", { table: "../flights" }, err(/at table/)],
  ["postgres", "get_table_schema", "a private table", { table: "payments" }, err(/not readable/)],
  ["postgres", "get_table_schema", "a catalog table", { table: "pg_catalog.pg_authid" }, err(/not readable/)],
  // flightly-weather: get_forecast and get_alerts
  ...stringAbuse("weather", "get_forecast", "location", {}, /location/),
  ["weather", "get_forecast", "location a lone surrogate", { location: "\ud800" }, err(/unknown location/)],
  ["weather", "get_forecast", "location RTL and emoji", { location: "القاهرة ✈️" }, err(/unknown location/)],
  ["weather", "get_forecast", "location 121 characters", { location: "H".repeat(121) }, err(/at location/)],
  ["weather", "get_forecast", "coordinates 1e308", { location: "1e308,1e308" }, err(/unknown location/)],
  ["weather", "get_forecast", "coordinates out of range", { location: "91,181" }, err(/out of range/)],
  [
    "weather",
    "get_forecast",
    "coordinates -0,-0 (open ocean)",
    { location: "-0,-0" },
    err(/no offline climate data/),
  ],
  ["weather", "get_forecast", "coordinates NaN", { location: "NaN,NaN" }, err(/unknown location/)],
  ...numberAbuse("weather", "get_forecast", "days", { location: "HNL" }, 16),
  ...stringAbuse("weather", "get_alerts", "location", {}, /location/),
  [
    "weather",
    "get_alerts",
    "location emoji only",
    { location: "🌋🌋🌋" },
    err(/unknown location|location is empty/),
  ],
  // JSON-RPC shapes the SDK refuses before any tool runs.
  ...(["flightly", "postgres", "weather"] as const).flatMap((server): Case[] => {
    const tool = { flightly: "ask", postgres: "list_tables", weather: "get_alerts" }[server];
    return [
      [server, tool, "arguments an array", [], { kind: "rpc", text: /arguments/ }],
      [server, tool, "arguments a string", "prompt", { kind: "rpc", text: /arguments/ }],
      [server, tool, "arguments a number", 42, { kind: "rpc", text: /arguments/ }],
      [server, tool, "arguments null", null, { kind: "rpc", text: /arguments/ }],
      [server, "../../etc/passwd", "an unknown tool", {}, err(/not found/)],
    ];
  }),
];

let rt: TestRuntime;
beforeAll(async () => {
  rt = await startTestRuntime({ logger: logs.logger, env: { PROTOCOL: "mcp" } });
});
afterAll(async () => {
  await rt?.close();
});

describe("hostile input to every MCP tool", () => {
  const clients = {} as Record<Server, Client>;
  let invocations = 0;

  /** What an attack could change: rows of every table a tool writes or guards. */
  const dbState = async (): Promise<unknown> => {
    const sql = rt.running.services.db.sql;
    const [row] = await sql`
      SELECT (SELECT count(*)::int FROM bookings) AS bookings,
             (SELECT count(*)::int FROM payments) AS payments,
             (SELECT count(*)::int FROM refunds) AS refunds,
             (SELECT count(*)::int FROM memories) AS memories,
             (SELECT count(*)::int FROM customers) AS customers,
             (SELECT count(*)::int FROM support_messages) AS support_messages,
             (SELECT count(*)::int FROM knowledge_documents) AS knowledge_documents,
             (SELECT count(*)::int FROM flights) AS flights,
             (SELECT sum(seats_available)::bigint::text FROM flights) AS seats,
             (SELECT count(*)::int FROM pg_class) AS relations`;
    return row;
  };
  let before: unknown;

  beforeAll(async () => {
    rt.app.hooks.on("beforeInvocation", () => {
      invocations += 1;
    });
    clients.flightly = await connectInMemory(
      createOrchestratorMcpServer({
        orchestrator: rt.app.orchestrator,
        memory: rt.app.memory,
        logger: logs.logger,
        actorId: () => ACTOR,
      }),
    );
    clients.postgres = await connectInMemory(
      createPostgresMcpServer({
        sql: rt.running.services.db.sql,
        embedded: rt.running.services.db.embedded,
        logger: logs.logger,
      }),
    );
    clients.weather = await connectInMemory(
      createWeatherMcpServer({
        weather: { provider: "offline", baseUrl: "http://127.0.0.1:1" },
        logger: logs.logger,
      }),
    );
    before = await dbState();
  });
  afterAll(async () => {
    await Promise.all(Object.values(clients).map((c) => c.close()));
  });

  it(`covers all seven tools (${CASES.length} cases)`, () => {
    const tools = new Set(CASES.map(([, tool]) => tool));
    for (const t of [
      "ask",
      "recall_memories",
      "run_query",
      "get_table_schema",
      "list_tables",
      "get_forecast",
      "get_alerts",
    ]) {
      expect(tools.has(t), t).toBe(true);
    }
  });

  it.each(CASES)("%s %s: %s", async (server, tool, _label, args, expected) => {
    const o = await outcome(clients[server], tool, args);
    expect({ kind: o.kind, text: o.text.slice(0, 400) }).toMatchObject({ kind: expected.kind });
    if (expected.text) expect(o.text).toMatch(expected.text);
    expect(o.text).not.toMatch(STACK_FRAME);
    expect(o.text).not.toMatch(/node_modules|\.ts:\d+/);
    // A 10 MB input is never echoed back.
    expect(o.text.length).toBeLessThan(20_000);
  });

  it("RTL and emoji survive a read-only round trip through run_query", async () => {
    const o = await outcome(clients.postgres, "run_query", { sql: `SELECT '${RTL_EMOJI}' AS t` });
    expect(o.kind).toBe("ok");
    const rows = (o.result?.structuredContent as { rows: Array<{ t: string }> } | undefined)?.rows;
    expect(rows?.[0]?.t).toBe(RTL_EMOJI);
  });

  it("postgres and weather refuse unknown fields and control characters", async () => {
    for (const [server, tool, args] of [
      ["postgres", "run_query", { sql: "SELECT 1", role: "postgres" }],
      ["postgres", "list_tables", { schema: "pg_catalog" }],
      ["postgres", "get_table_schema", { table: "flights", as_role: "postgres" }],
      ["weather", "get_forecast", { location: "HNL", provider: "open-meteo" }],
      ["weather", "get_forecast", { location: "Honolulu\u0000" }],
      ["weather", "get_alerts", { location: "\u001b]0;pwned\u0007nowhere" }],
    ] as const) {
      const o = await outcome(clients[server], tool, args);
      expect(o.kind, `${tool} ${JSON.stringify(args)}`).not.toBe("ok");
      // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for them is the point
      expect(o.text, `${tool} echoes a control character`).not.toMatch(/[\u0000-\u0008\u000b-\u001f]/);
    }
  });

  it("only the accepted asks ran, and no table changed", async () => {
    const accepted = CASES.filter(
      ([s, tool, , , e]) => s === "flightly" && tool === "ask" && e.kind === "ok",
    );
    expect(invocations).toBe(accepted.length);
    expect(await dbState()).toEqual(before);
  });
});

describe("the orchestrator MCP over Streamable HTTP without auth", () => {
  const initialize = {
    jsonrpc: "2.0",
    id: 1,
    method: "initialize",
    params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "t", version: "0" } },
  };
  const post = (payload: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> =>
    rt.running.http.inject({
      method: "POST",
      url: "/mcp",
      headers: {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        ...headers,
      },
      payload,
    });
  const callRaw = async (argumentsJson: string, tool = "recall_memories"): Promise<LightMyRequestResponse> =>
    post(
      `{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"${tool}","arguments":${argumentsJson}}}`,
    );

  it("refuses a browser page on another origin (DNS rebinding), serves loopback origins and non-browsers", async () => {
    const evil = await post(JSON.stringify(initialize), { origin: "http://evil.example" });
    expect(evil.statusCode).toBe(403);
    expect(evil.json().error.message).toMatch(/Origin/);
    expect((await post(JSON.stringify(initialize), { origin: "null" })).statusCode).toBe(403);
    expect((await post(JSON.stringify(initialize), { origin: "http://localhost:6274" })).statusCode).toBe(
      200,
    );
    expect((await post(JSON.stringify(initialize))).statusCode).toBe(200);
  });

  it("numbers JSON can express but no counter takes: 1e400 (Infinity), -0, 1e308", async () => {
    for (const k of ["1e400", "-0", "1e308", "-1e400", "2.5"]) {
      const res = await callRaw(`{"query":"seat","k":${k}}`);
      expect(res.statusCode, k).toBe(200);
      const result = res.json().result;
      expect(result.isError, k).toBe(true);
      expect(result.content[0].text, k).toMatch(/at k/);
    }
  });

  it("NaN and other non-JSON are a 400 parse error, not a 500", async () => {
    for (const args of ['{"query":"seat","k":NaN}', '{"query":"seat","k":Infinity}', "{'query':'seat'}"]) {
      const res = await callRaw(args);
      expect(res.statusCode, args).toBe(400);
      expect(res.body).not.toMatch(STACK_FRAME);
    }
  });

  it("escaped lone surrogates in JSON text are refused precisely", async () => {
    const res = await callRaw('{"prompt":"hi \\ud800 there"}', "ask");
    const result = res.json().result;
    expect(result.isError).toBe(true);
    expect(result.content[0].text).toMatch(/Unicode.*at prompt/);
  });

  it("a __proto__ or constructor.prototype key is refused as a 400 before anything parses it", async () => {
    for (const args of [
      '{"prompt":"hi","__proto__":{"polluted":true}}',
      '{"prompt":"hi","constructor":{"prototype":{"polluted":true}}}',
    ]) {
      const res = await callRaw(args, "ask");
      expect(res.statusCode, args).toBe(400);
      // The MCP route answers in JSON-RPC: an invalid request, named as such.
      expect(res.json().error.code).toBe(-32600);
      expect(res.json().error.message).toMatch(/__proto__/);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe("logs of the whole file", () => {
  it("hold no card number, token or password", async () => {
    await sleep(50);
    expect(logs.lines.length).toBeGreaterThan(0);
    expect(secretsIn(logs.text())).toEqual([]);
  });
});
