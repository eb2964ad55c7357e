/** POST /invocations on the real stack (Valkey on 6379, embedded Postgres, local planner). */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sessionSlot } from "../../memory/short-term/index.js";
import { keys } from "../../memory/store/keys.js";
import { SESSION_HEADER } from "../../orchestrator/runtime/invocations.js";
import { uniq } from "../support/env.js";
import { startTestRuntime, type TestRuntime } from "../support/world.js";

describe("POST /invocations", () => {
  let rt: TestRuntime;
  const post = (body: unknown, headers: Record<string, string> = {}, raw = false) =>
    rt.running.http.inject({
      method: "POST",
      url: "/invocations",
      headers: { "content-type": "application/json", ...headers },
      payload: raw ? (body as string | Buffer) : JSON.stringify(body),
    });
  const historyLength = async (actor: string, session: string): Promise<number> =>
    (await rt.app.memory.assemble({ actorId: actor, sessionId: session }, "x")).history.length;

  beforeAll(async () => {
    rt = await startTestRuntime();
  });
  afterAll(async () => {
    await rt?.close();
  });

  it("answers JSON with the session id generated and echoed, and the handoff trail", async () => {
    const res = await post({ prompt: "What is the checked baggage allowance?", actor_id: "2" });
    expect(res.statusCode).toBe(200);
    const session = res.headers[SESSION_HEADER] as string;
    expect(session).toMatch(/^[0-9a-f-]{36}$/);
    const body = res.json();
    expect(body.session_id).toBe(session);
    expect(body.actor_id).toBe("2");
    expect(body.model).toBe("local");
    expect(body.agents).toMatchObject([{ agent: "support", tools: ["search_knowledge_base"] }]);
    expect(body.agents[0].calls).toMatchObject([{ tool: "search_knowledge_base", status: "success" }]);
    expect(body.cache.hit).toBe(false);
    expect(body.usage.modelCalls).toBeGreaterThanOrEqual(2);
    expect(typeof body.timing_ms.total).toBe("number");
    expect(await historyLength("2", session)).toBe(2);
  });

  it("keeps the caller's session id", async () => {
    const session = uniq("sess");
    const res = await post(
      { prompt: "Is there Wi-Fi on board?", actor_id: "3" },
      { [SESSION_HEADER]: session },
    );
    expect(res.headers[SESSION_HEADER]).toBe(session);
    expect(res.json().session_id).toBe(session);
  });

  const bad: Array<[string, unknown, boolean, number, RegExp]> = [
    ["malformed JSON", '{"prompt": "hi"', true, 400, /not valid JSON/],
    ["a JSON array", [1, 2], false, 400, /JSON object/],
    ["a missing prompt", { actor_id: "1" }, false, 400, /prompt/],
    ["an empty prompt", { prompt: "   " }, false, 400, /must not be empty/],
    ["a number prompt", { prompt: 42 }, false, 400, /prompt must be a string/],
    ["an unknown field", { prompt: "hi", admin: true }, false, 400, /unknown field admin/],
    ["control characters", { prompt: "hi\u0000there" }, false, 400, /control characters/],
    ["a bad actor id", { prompt: "hi", actor_id: "1; DROP TABLE customers" }, false, 400, /actor_id/],
    ["a huge number as actor", { prompt: "hi", actor_id: 1e308 }, false, 400, /actor_id/],
    [
      "invalid UTF-8",
      Buffer.from([0x7b, 0x22, 0x70, 0x72, 0x6f, 0x6d, 0x70, 0x74, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d]),
      true,
      400,
      /UTF-8/,
    ],
    ["a 10 MB prompt", JSON.stringify({ prompt: "a".repeat(10 * 1024 * 1024) }), true, 413, /too large/],
  ];
  it.each(bad)(
    "rejects %s with a precise error and writes nothing",
    async (_name, body, raw, status, message) => {
      const session = uniq("bad");
      const res = await post(body, { [SESSION_HEADER]: session }, raw);
      expect(res.statusCode).toBe(status);
      const err = res.json().error;
      expect(err.message).toMatch(message);
      expect(err.request_id).toBe(res.headers["x-request-id"]);
      expect(JSON.stringify(res.json())).not.toMatch(/at .*\.(ts|js):\d+/);
      expect(await historyLength("1", session)).toBe(0);
    },
  );

  it("rejects a non-JSON content type", async () => {
    const res = await rt.running.http.inject({
      method: "POST",
      url: "/invocations",
      headers: { "content-type": "text/plain" },
      payload: "hello",
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe("BAD_REQUEST");
  });

  it("accepts RTL and emoji text", async () => {
    const res = await post({ prompt: "مرحبا ✈️ what is the baggage policy? 🧳", actor_id: "4" });
    expect(res.statusCode).toBe(200);
    expect(res.json().response.length).toBeGreaterThan(0);
  });

  it("streams agent, tool and done events as SSE", async () => {
    const res = await post(
      { prompt: "find flights from Seattle to Tokyo in June", actor_id: "5" },
      { accept: "text/event-stream" },
    );
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toMatch(/text\/event-stream/);
    const events = [...res.body.matchAll(/^event: (\w+)$/gm)].map((m) => m[1]);
    // The cache decision first (a miss here), then the agents.
    expect(events.slice(0, 2)).toEqual(["cache", "agent"]);
    expect(events).toContain("tool");
    expect(events).toContain("delta");
    expect(events.at(-1)).toBe("done");
    const done = JSON.parse(res.body.split("event: done\ndata: ")[1]!.split("\n")[0]!);
    expect(done.agents[0]).toMatchObject({ agent: "booking", tools: ["search_flights"] });
    // The trail and the tool event carry the arguments the agent used, as the tool read them.
    const call = done.agents[0].calls[0];
    expect(call).toMatchObject({ tool: "search_flights", status: "success", input: { origin: "SEA" } });
    expect(call.input.date_from).toMatch(/^\d{4}-06-01$/);
    expect(call.summary).toMatch(/^flights: [1-9]/);
    const tool = JSON.parse(res.body.split("event: tool\ndata: ")[1]!.split("\n")[0]!);
    expect(tool).toMatchObject({
      agent: "booking",
      name: "search_flights",
      tool: "search_flights",
      input: call.input,
    });
  });

  it("keeps card numbers out of the trail's tool inputs", async () => {
    const res = await post({
      prompt: "pay for booking FL-AAAAAA with card 4111 1111 1111 1111",
      actor_id: "5",
    });
    expect(res.statusCode).toBe(200);
    const text = JSON.stringify(res.json().agents);
    expect(text).toContain("process_payment");
    expect(text).not.toMatch(/4111[ -]?1111[ -]?1111[ -]?1111/);
  });

  it("lets one invocation run per session: a second one waits briefly, then gets 409", async () => {
    const session = uniq("busy");
    const lock = keys.sessionLock(sessionSlot({ actorId: "1", sessionId: session }));
    await rt.running.services.store.set(lock, "someone-else", { ttlMs: 10_000 });
    const started = Date.now();
    // A request that refers to the session (a greeting or a decline needs none, and never waits).
    const res = await post({ prompt: "and hotels there?", actor_id: "1" }, { [SESSION_HEADER]: session });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe("CONFLICT");
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_400);
    await rt.running.services.store.del(lock);
    expect((await post({ prompt: "hello", actor_id: "1" }, { [SESSION_HEADER]: session })).statusCode).toBe(
      200,
    );
  });

  it("counts invocations, model and tool calls through the hooks on /metrics", async () => {
    const before = (await rt.running.http.inject({ method: "GET", url: "/metrics" })).json();
    await post({ prompt: "find flights from Las Vegas to Honolulu next month", actor_id: "6" });
    const after = (await rt.running.http.inject({ method: "GET", url: "/metrics" })).json();
    expect(after.orchestrator.invocations.count).toBe(before.orchestrator.invocations.count + 1);
    expect(after.orchestrator.modelCalls.count).toBeGreaterThan(before.orchestrator.modelCalls.count);
    expect(after.orchestrator.toolCalls.search_flights.count).toBeGreaterThan(
      before.orchestrator.toolCalls.search_flights?.count ?? 0,
    );
    expect(after.toolCache.misses).toBeGreaterThan(0);
  });

  it("declines account actions for a guest in a normal answer", async () => {
    const res = await post({ prompt: "Show me my bookings", actor_id: "guest-77" });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.response).toMatch(/sign in/i);
    expect(body.agents.flatMap((a: { tools: string[] }) => a.tools)).toEqual([]);
  });
});
