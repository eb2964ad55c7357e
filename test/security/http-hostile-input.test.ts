/**
 * Hostile HTTP input to POST /invocations that test/runtime/invocations.test.ts does not already
 * cover: lone surrogates escaped in valid JSON, prototype keys, deep nesting, non-object bodies,
 * other encodings, hostile headers (session id, request id) and the streaming path. Each is a
 * precise 400 with the error envelope, never a stack trace, and nothing is written.
 */
import type { LightMyRequestResponse } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SESSION_HEADER } from "../../orchestrator/runtime/invocations.js";
import { sleep, uniq } from "../support/env.js";
import { startTestRuntime, type TestRuntime } from "../support/world.js";
import { captureLogs, STACK_FRAME, secretsIn } from "./support.js";

const logs = captureLogs();

describe("hostile input to POST /invocations (beyond test/runtime)", () => {
  let rt: TestRuntime;
  let invocations = 0;
  const post = (
    payload: string | Buffer,
    headers: Record<string, string> = {},
  ): Promise<LightMyRequestResponse> =>
    rt.running.http.inject({
      method: "POST",
      url: "/invocations",
      headers: { "content-type": "application/json", ...headers },
      payload,
    });
  const historyLength = async (actor: string, session: string): Promise<number> =>
    (await rt.app.memory.assemble({ actorId: actor, sessionId: session }, "x")).history.length;

  beforeAll(async () => {
    rt = await startTestRuntime({ logger: logs.logger });
    rt.app.hooks.on("beforeInvocation", () => {
      invocations += 1;
    });
  });
  afterAll(async () => {
    await rt?.close();
  });

  const deep = (n: number): string => `{"prompt":"hi","x":${"[".repeat(n)}${"]".repeat(n)}}`;
  const bad: Array<[string, string | Buffer, Record<string, string>, RegExp]> = [
    ["a __proto__ key", '{"prompt":"hi","__proto__":{"admin":true}}', {}, /unknown field __proto__/],
    [
      "a constructor.prototype key",
      '{"prompt":"hi","constructor":{"prototype":{"admin":true}}}',
      {},
      /unknown field constructor/,
    ],
    ["JSON nested 100,000 deep", deep(100_000), {}, /not valid JSON|unknown field x/],
    ["the body null", "null", {}, /JSON object/],
    ["the body a string", '"What is the baggage allowance?"', {}, /JSON object/],
    ["the body a number beyond float range", "1e400", {}, /JSON object/],
    ["NaN in the body", '{"prompt":NaN}', {}, /not valid JSON/],
    ["a prompt of 1e308", '{"prompt":1e308}', {}, /prompt must be a string/],
    ["a prompt that is an object", '{"prompt":{"text":"hi"}}', {}, /prompt must be a string/],
    [
      "a prompt of 20,001 characters",
      JSON.stringify({ prompt: "a".repeat(20_001) }),
      {},
      /longer than 20000/,
    ],
    ["an escaped NUL", '{"prompt":"hi\\u0000there"}', {}, /control characters/],
    ["an escaped ANSI escape", '{"prompt":"\\u001b[2Jhi"}', {}, /control characters/],
    ["an actor_id with a newline", '{"prompt":"hi","actor_id":"1\\n2"}', {}, /actor_id/],
    ["an actor_id that is a number", '{"prompt":"hi","actor_id":1}', {}, /actor_id/],
    ["an idempotency_key that is an object", '{"prompt":"hi","idempotency_key":{}}', {}, /idempotency_key/],
    ["an idempotency_key with a slash", '{"prompt":"hi","idempotency_key":"../x"}', {}, /idempotency_key/],
    [
      "UTF-16 text labelled as JSON",
      Buffer.from('{"prompt":"hi"}', "utf16le"),
      { "content-type": "application/json; charset=utf-16" },
      /not valid (UTF-8|JSON)/,
    ],
    ["a session id with a hash tag", '{"prompt":"hi"}', { [SESSION_HEADER]: "{s:victim}" }, /session/i],
    ["a session id with a path", '{"prompt":"hi"}', { [SESSION_HEADER]: "../../victim" }, /session/i],
    ["a session id of 257 characters", '{"prompt":"hi"}', { [SESSION_HEADER]: "s".repeat(257) }, /session/i],
    ["a session id with a tab", '{"prompt":"hi"}', { [SESSION_HEADER]: "a\tb" }, /session/i],
    [
      "an invalid body on the streaming path",
      '{"prompt":42}',
      { accept: "text/event-stream" },
      /prompt must be a string/,
    ],
  ];

  it.each(bad)("%s: a precise 400, nothing written", async (_name, payload, headers, message) => {
    const session = uniq("hostile");
    const before = invocations;
    const res = await post(payload, { [SESSION_HEADER]: session, ...headers });
    expect(res.statusCode, res.body.slice(0, 300)).toBe(400);
    expect(res.headers["content-type"]).toMatch(/application\/json/);
    const error = res.json().error;
    expect(error.code).toBe("BAD_REQUEST");
    expect(error.message).toMatch(message);
    expect(error.request_id).toBe(res.headers["x-request-id"]);
    expect(res.body).not.toMatch(STACK_FRAME);
    expect(res.body.length).toBeLessThan(2_000);
    expect(invocations).toBe(before);
    expect(await historyLength("anonymous", session)).toBe(0);
  });

  it("a hostile x-request-id is replaced, never echoed", async () => {
    for (const given of ["<script>alert(1)</script>", "a".repeat(300), "id with spaces", "ok\u00e9"]) {
      const res = await post("{", { "x-request-id": given });
      expect(res.statusCode).toBe(400);
      expect(res.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
      expect(res.body).not.toContain(given);
    }
  });

  it("RTL, emoji, bidi overrides and zero-width characters are text: answered normally", async () => {
    for (const prompt of [
      "ما هي سياسة الأمتعة؟ ✈️ baggage policy please 🧳",
      "baggage \u202eypolic\u202c allowance?",
      "\u200bwhat is the baggage allowance?\u200b",
    ]) {
      const res = await post(JSON.stringify({ prompt, actor_id: "4" }));
      expect(res.statusCode, prompt).toBe(200);
      expect(typeof res.json().response).toBe("string");
    }
  });

  it("an escaped lone surrogate in valid JSON is a 400", async () => {
    const session = uniq("surrogate");
    const res = await post('{"prompt":"what is the baggage allowance \\ud800?","actor_id":"4"}', {
      [SESSION_HEADER]: session,
    });
    expect(res.statusCode).toBe(400);
  });

  it("logs of the whole file hold no secrets", async () => {
    await sleep(50);
    expect(secretsIn(logs.text())).toEqual([]);
  });
});
