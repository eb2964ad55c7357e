/**
 * Traces and the full trail on the real pipeline (local planner, Valkey, embedded Postgres): a
 * local OTLP/HTTP receiver takes the spans the runtime exports when `OTEL_EXPORTER_OTLP_ENDPOINT`
 * is set; the flagship handoff must arrive as one root over one `invoke_agent` span per agent,
 * each over its own `execute_tool` spans, and no span may carry a card number or a bearer token.
 * The answer's JSON and SSE stream carry the handoff reasons, the cache decision and the
 * checkpoint version.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ScriptedModel } from "../../orchestrator/models/scripted.js";
import { SESSION_HEADER } from "../../orchestrator/runtime/invocations.js";
import { FLAGSHIP, FLAGSHIP_SEARCH } from "../reliability/support.js";
import { CARDS, PASSWORDS, secretsIn } from "../security/support.js";
import { sleep } from "../support/env.js";
import { attrs, byStart, startReceiver } from "../support/otlp-receiver.js";
import { startTestRuntime, type TestRuntime } from "../support/world.js";

describe("OTLP traces and the full trail", () => {
  let rt: TestRuntime;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  // A bearer token the caller sends (auth is off: the header is read by nobody, and must reach no span).
  const token = `eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIiwibm9uY2UiOiIke${randomUUID().replaceAll("-", "")}.c2lnbmF0dXJlLW9mLXRoZS10ZXN0LXRva2Vu`;
  const post = (prompt: string, o: { actor: string; session: string; key?: string; sse?: boolean }) =>
    rt.running.http.inject({
      method: "POST",
      url: "/invocations",
      headers: {
        "content-type": "application/json",
        authorization: `Bearer ${token}`,
        [SESSION_HEADER]: o.session,
        ...(o.sse ? { accept: "text/event-stream" } : {}),
      },
      payload: JSON.stringify({ prompt, actor_id: o.actor, ...(o.key ? { idempotency_key: o.key } : {}) }),
    });
  const flushed = async (): Promise<void> => {
    await rt.running.services.tracing!.flush();
    await sleep(50);
  };

  beforeAll(async () => {
    receiver = await startReceiver();
    rt = await startTestRuntime({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url } });
  }, 120_000);
  afterAll(async () => {
    await rt?.close();
    await receiver?.close();
  });

  it("exports the flagship handoff as a tree: root, one invoke_agent per agent, their execute_tool spans", async () => {
    const session = randomUUID();
    expect((await post(FLAGSHIP_SEARCH, { actor: "1", session })).statusCode).toBe(200);
    const res = await post(FLAGSHIP, { actor: "1", session, key: `otlp-${session}` });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    const agents: string[] = body.agents.map((a: { agent: string }) => a.agent);
    expect(agents).toEqual(["support", "booking", "payment"]);
    await flushed();

    const spans = receiver.spans();
    const roots = spans.filter(
      (s) => s.name === "invocation" && attrs(s.attributes)["gen_ai.conversation.id"] === session,
    );
    expect(roots).toHaveLength(2);
    const root = roots.sort(byStart)[1]!;
    expect(root.parentSpanId ?? "").toBe("");
    const inTrace = spans.filter((s) => s.traceId === root.traceId);
    const agentSpans = inTrace.filter((s) => s.name.startsWith("invoke_agent ")).sort(byStart);
    expect(agentSpans.map((s) => s.name)).toEqual(agents.map((a) => `invoke_agent ${a}`));
    for (const [i, span] of agentSpans.entries()) {
      const a = attrs(span.attributes);
      expect(span.parentSpanId).toBe(root.spanId);
      expect(a).toMatchObject({ "gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": agents[i] });
      const tools = inTrace.filter(
        (s) => s.name.startsWith("execute_tool ") && s.parentSpanId === span.spanId,
      );
      // The same calls as the trail, each under its own agent.
      expect(tools.map((t) => attrs(t.attributes)["gen_ai.tool.name"]).sort()).toEqual(
        [...body.agents[i].tools].sort(),
      );
      for (const t of tools) {
        expect(attrs(t.attributes)).toMatchObject({ "gen_ai.operation.name": "execute_tool" });
        expect(String(attrs(t.attributes)["gen_ai.tool.call.id"])).not.toBe("");
      }
      const chats = inTrace.filter((s) => s.name.startsWith("chat ") && s.parentSpanId === span.spanId);
      expect(chats.length).toBeGreaterThan(0);
      expect(attrs(chats[0]!.attributes)).toMatchObject({
        "gen_ai.operation.name": "chat",
        "gen_ai.request.model": "local",
      });
    }
    expect(agentSpans.map((s) => s.spanId)).toHaveLength(3);
    // Every span of the trace hangs off the root.
    const ids = new Set(inTrace.map((s) => s.spanId));
    for (const s of inTrace) if (s !== root) expect(ids.has(s.parentSpanId ?? "")).toBe(true);
    // The cache decision is an event of the root; handoffs are events of the handing agent.
    const lookup = root.events?.find((e) => e.name === "flightly.cache.lookup");
    expect(attrs(lookup?.attributes)).toMatchObject({ "flightly.cache.hit": false });
    const handoffs = agentSpans.flatMap((s) => (s.events ?? []).filter((e) => e.name === "flightly.handoff"));
    const called = body.agents.filter((a: { handoff?: { by: string } }) => a.handoff?.by === "agent");
    expect(handoffs).toHaveLength(called.length);
    expect(attrs(root.attributes)["flightly.checkpoint.version"]).toBe(body.checkpoint.version);
  });

  it("puts no card number, password or bearer token in any span or SSE event", async () => {
    const session = randomUUID();
    const prompts = [
      `what is the baggage allowance? my card is ${CARDS[0]!.match(/\d{4}/g)!.join(" ")}`,
      `pay for booking FL-QQQQQQ with card ${CARDS[2]} and token ${token}`,
      `Authorization: Bearer ${token} can I bring my cat on board?`,
    ];
    const streams: string[] = [];
    for (const prompt of [...prompts, `can I change my seat? my password is ${PASSWORDS[0]}`]) {
      const res = await post(prompt, { actor: "1", session, sse: true });
      expect(res.statusCode).toBe(200);
      streams.push(res.body);
    }
    await flushed();
    const spans = receiver.spans().filter((s) => s.traceId.length > 0);
    expect(spans.some((s) => s.name.startsWith("execute_tool "))).toBe(true);
    expect(secretsIn(receiver.bodies.join("\n"), [token])).toEqual([]);
    // The SSE streams of the same requests (trail, tool events, cache decisions) hold none either.
    expect(secretsIn(streams.join("\n"), [token])).toEqual([]);
  });

  it("carries handoff reasons, the cache decision and the checkpoint version in JSON and SSE", async () => {
    const session = randomUUID();
    expect((await post(FLAGSHIP_SEARCH, { actor: "1", session })).statusCode).toBe(200);
    const res = await post(FLAGSHIP, { actor: "1", session, key: `sse-${session}`, sse: true });
    expect(res.statusCode).toBe(200);
    const events = [...res.body.matchAll(/^event: (\w+)\ndata: (.*)$/gm)].map((m) => ({
      event: m[1]!,
      data: JSON.parse(m[2]!),
    }));
    const done = events.at(-1)!;
    expect(done.event).toBe("done");
    // Each agent but the last says why the next one ran; the SSE `handoff` events match the calls.
    const trail = done.data.agents as {
      agent: string;
      handoff?: { to: string; reason: string; by: string };
    }[];
    for (const [i, step] of trail.entries()) {
      if (i === trail.length - 1) continue;
      expect(step.handoff?.to).toBe(trail[i + 1]!.agent);
      expect(step.handoff?.reason.length).toBeGreaterThan(0);
    }
    const streamed = events.filter((e) => e.event === "handoff").map((e) => e.data.to);
    expect(streamed).toEqual(trail.filter((s) => s.handoff?.by === "agent").map((s) => s.handoff!.to));
    expect(done.data.checkpoint).toMatchObject({
      status: "done",
      written: true,
      workflow_id: `sse-${session}`,
    });
    expect(done.data.checkpoint.version).toBeGreaterThan(0);
    expect(done.data.cache).toMatchObject({ hit: false, kind: null, similarity: null });
    // A booking is never cached: the store stage says so.
    expect(done.data.cache.store).toMatchObject({ stored: false, reason: "not cacheable: action" });
    const cacheEvent = events.find((e) => e.event === "cache");
    expect(cacheEvent?.data.reason).toBe(done.data.cache.reason);

    // A policy question: stored shared, then an exact hit whose dependencies are the entry's.
    const question = `what is the cancellation policy for a flight ${randomUUID().slice(0, 4)}`;
    const first = (await post(question, { actor: "2", session: randomUUID() })).json();
    expect(first.cache).toMatchObject({ hit: false });
    expect(["no entry", "below threshold", "entity differs"]).toContain(first.cache.reason);
    expect(first.cache.store).toMatchObject({ stored: true, reason: "stored: shared" });
    expect(first.cache.depends_on.length).toBeGreaterThan(0);
    expect(first.checkpoint.written).toBe(true);
    const again = await post(question, { actor: "3", session: randomUUID(), sse: true });
    const hit = JSON.parse(again.body.split("event: done\ndata: ")[1]!.split("\n")[0]!);
    expect(hit.cache).toMatchObject({ hit: true, kind: "exact", reason: "exact match", store: null });
    expect(hit.cache.depends_on).toEqual(first.cache.depends_on);
    // Another customer's asking: the entry's id, never its words; no workflow ran.
    expect(hit.cache.matched_prompt).toBeUndefined();
    expect(hit.cache.entry_id).toMatch(/^exact:/);
    expect(hit.checkpoint).toBeNull();
    expect(again.body).toMatch(/^event: cache$/m);
  });
});

describe("a handoff the agent asks for", () => {
  let rt: TestRuntime;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  // Support hands to booking with a reason that quotes a card; booking answers.
  const model = new ScriptedModel((request) => {
    const offered = request.tools.map((t) => t.name);
    if (offered.includes("search_knowledge_base") && !request.messages.some((m) => m.role === "assistant"))
      return {
        toolUses: [
          {
            name: "handoff_to_agent",
            input: { agent: "booking", reason: `book it and charge card ${CARDS[1]}` },
            toolUseId: "handoff-1",
          },
        ],
      };
    return "Done.";
  });

  beforeAll(async () => {
    receiver = await startReceiver();
    rt = await startTestRuntime({ model, env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url } });
  }, 120_000);
  afterAll(async () => {
    await rt?.close();
    await receiver?.close();
  });

  it("records its reason, masked, in the trail, the SSE stream and the span event", async () => {
    const res = await rt.running.http.inject({
      method: "POST",
      url: "/invocations",
      headers: { "content-type": "application/json", accept: "text/event-stream" },
      payload: JSON.stringify({ prompt: "what does the baggage policy say about skis", actor_id: "2" }),
    });
    const done = JSON.parse(res.body.split("event: done\ndata: ")[1]!.split("\n")[0]!);
    expect(done.agents.map((a: { agent: string }) => a.agent)).toEqual(["support", "booking"]);
    expect(done.agents[0].handoff).toEqual({
      to: "booking",
      reason: "book it and charge card [CARD ****0002]",
      by: "agent",
    });
    expect(done.agents[1].handoff).toBeUndefined();
    const streamed = JSON.parse(res.body.split("event: handoff\ndata: ")[1]!.split("\n")[0]!);
    expect(streamed).toMatchObject({ from: "support", to: "booking", by: "agent" });
    await rt.running.services.tracing!.flush();
    await sleep(50);
    const support = receiver.spans().find((s) => s.name === "invoke_agent support");
    const event = support?.events?.find((e) => e.name === "flightly.handoff");
    expect(attrs(event?.attributes)).toMatchObject({
      "flightly.handoff.to": "booking",
      "flightly.handoff.reason": "book it and charge card [CARD ****0002]",
    });
    expect(secretsIn(res.body + receiver.bodies.join("\n"))).toEqual([]);
  });
});
