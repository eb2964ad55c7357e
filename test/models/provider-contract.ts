/**
 * One behaviour suite for every network model provider, run against a local server that speaks
 * the provider's real wire protocol (Bedrock via the real AWS SDK client, OpenAI-compatible via
 * `fetch`). Each harness knows how to read its own wire format back out of the recorded requests.
 */
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { FlightlyError } from "../../core/errors.js";
import { ModelError } from "../../orchestrator/models/errors.js";
import type { RetryPolicy } from "../../orchestrator/models/retry.js";
import { toolSpec } from "../../orchestrator/models/tool-spec.js";
import type {
  Message,
  ModelProvider,
  ModelRequest,
  ModelResponse,
  ModelStreamEvent,
} from "../../orchestrator/models/types.js";
import type { Turn } from "../support/bedrock-server.js";

export const FAST_RETRY: RetryPolicy = { maxAttempts: 6, baseDelayMs: 5, maxDelayMs: 40 };

export interface Rig {
  model: ModelProvider;
  /** Requests that reached the server's chat endpoint. */
  count(): number;
  /** Tool names offered in request `i`. */
  offeredTools(i: number): string[];
  /** The JSON schema offered for a tool in request `i`. */
  toolSchema(i: number, name: string): unknown;
  /** Tool results sent back in request `i`, as id and the text the model sees. */
  toolResults(i: number): Array<{ toolUseId: string; text: string }>;
  close(): Promise<void>;
}

export type RigFactory = (
  turns: readonly Turn[] | (() => Turn),
  options?: { retry?: Partial<RetryPolicy>; timeoutMs?: number },
) => Promise<Rig>;

export const weatherTool = toolSpec(
  "get_weather",
  "Current weather for a city",
  z.object({ city: z.string().describe("City name"), unit: z.enum(["C", "F"]).default("C") }),
);
export const flightsTool = toolSpec(
  "search_flights",
  "Search flights between two airports",
  z.object({ from: z.string().length(3), to: z.string().length(3), date: z.string() }),
);

export function ask(text: string, extra: Partial<ModelRequest> = {}): ModelRequest {
  return {
    system: "You are Flightly, a travel assistant.",
    messages: [{ role: "user", content: [{ text }] }],
    tools: [weatherTool, flightsTool],
    ...extra,
  };
}

export async function collect(
  stream: AsyncIterable<ModelStreamEvent>,
): Promise<{ events: ModelStreamEvent[]; error: unknown }> {
  const events: ModelStreamEvent[] = [];
  try {
    for await (const event of stream) events.push(event);
    return { events, error: undefined };
  } catch (error) {
    return { events, error };
  }
}

function doneOf(events: ModelStreamEvent[]): ModelResponse {
  const last = events.at(-1);
  if (last?.type !== "done") throw new Error(`stream did not end with done: ${JSON.stringify(last)}`);
  return last.response;
}

function expectModelError(err: unknown, code: ModelError["code"]): ModelError {
  expect(err).toBeInstanceOf(ModelError);
  expect(err).toBeInstanceOf(FlightlyError);
  expect((err as ModelError).code).toBe(code);
  return err as ModelError;
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error("expected the call to fail, it succeeded");
}

export function providerContract(label: string, makeRig: RigFactory): void {
  describe(`${label} provider contract`, () => {
    let rig: Rig | undefined;
    const start: RigFactory = async (turns, options) => {
      rig = await makeRig(turns, { retry: FAST_RETRY, ...options });
      return rig;
    };
    afterEach(async () => {
      await rig?.close();
      rig = undefined;
    });

    it("converse: offers the tools, returns toolUse, accepts the toolResult, ends with text", async () => {
      const r = await start([
        { toolUses: [{ name: "get_weather", input: { city: "Lisbon" }, toolUseId: "tu_1" }] },
        { text: "It is 21°C and sunny in Lisbon." },
      ]);
      const first = await r.model.converse(ask("Weather in Lisbon?"));
      expect(first.stopReason).toBe("tool_use");
      expect(first.message.content).toEqual([
        { toolUse: { toolUseId: "tu_1", name: "get_weather", input: { city: "Lisbon" } } },
      ]);
      expect(first.usage.inputTokens).toBeGreaterThan(0);
      expect(first.usage.totalTokens).toBe(first.usage.inputTokens + first.usage.outputTokens);
      expect(r.offeredTools(0)).toEqual(["get_weather", "search_flights"]);
      expect(r.toolSchema(0, "get_weather")).toMatchObject({
        type: "object",
        properties: { city: { type: "string" }, unit: { enum: ["C", "F"] } },
        required: ["city"],
      });
      expect(JSON.stringify(r.toolSchema(0, "get_weather"))).not.toContain("$schema");

      const history: Message[] = [
        ...ask("Weather in Lisbon?").messages,
        first.message,
        {
          role: "user",
          content: [
            { toolResult: { toolUseId: "tu_1", status: "success", content: [{ json: { tempC: 21 } }] } },
          ],
        },
      ];
      const second = await r.model.converse(ask("", { messages: history }));
      expect(second.stopReason).toBe("end_turn");
      expect(second.message).toEqual({
        role: "assistant",
        content: [{ text: "It is 21°C and sunny in Lisbon." }],
      });
      const sent = r.toolResults(1);
      expect(sent).toHaveLength(1);
      expect(sent[0]?.toolUseId).toBe("tu_1");
      expect(sent[0]?.text).toContain('"tempC":21');
      expect(r.count()).toBe(2);
    });

    it("converseStream: yields text and toolUse deltas, then done with the assembled message", async () => {
      const r = await start([
        {
          text: "Let me check the weather for you.",
          toolUses: [{ name: "get_weather", input: { city: "Porto", unit: "C" }, toolUseId: "tu_9" }],
          usage: { inputTokens: 120, outputTokens: 30 },
        },
      ]);
      const { events, error } = await collect(r.model.converseStream(ask("Weather in Porto?")));
      expect(error).toBeUndefined();
      const texts = events.flatMap((e) => (e.type === "text" ? [e.delta] : []));
      expect(texts.length).toBeGreaterThan(1);
      expect(texts.join("")).toBe("Let me check the weather for you.");
      expect(events.filter((e) => e.type === "toolUseStart")).toEqual([
        { type: "toolUseStart", toolUseId: "tu_9", name: "get_weather" },
      ]);
      const args = events.flatMap((e) =>
        e.type === "toolUseDelta" && e.toolUseId === "tu_9" ? [e.delta] : [],
      );
      expect(args.length).toBeGreaterThan(0);
      expect(JSON.parse(args.join(""))).toEqual({ city: "Porto", unit: "C" });
      const done = doneOf(events);
      expect(done.stopReason).toBe("tool_use");
      expect(done.message.content).toEqual([
        { text: "Let me check the weather for you." },
        { toolUse: { toolUseId: "tu_9", name: "get_weather", input: { city: "Porto", unit: "C" } } },
      ]);
      expect(done.usage).toMatchObject({ inputTokens: 120, outputTokens: 30, totalTokens: 150 });
      expect(r.offeredTools(0)).toEqual(["get_weather", "search_flights"]);
    });

    it("retries a throttling burst (2×) and a not-ready model, then succeeds within the deadline", async () => {
      const r = await start([
        { error: "throttled" },
        { error: "throttled" },
        { text: "ok after throttling" },
      ]);
      const res = await r.model.converse(ask("hi", { deadline: Date.now() + 5_000 }));
      expect(res.message.content).toEqual([{ text: "ok after throttling" }]);
      expect(r.count()).toBe(3);

      const r2 = await makeRig([{ error: "not-ready" }, { error: "unavailable" }, { text: "warm now" }], {
        retry: FAST_RETRY,
      });
      try {
        const { events, error } = await collect(r2.model.converseStream(ask("hi")));
        expect(error).toBeUndefined();
        expect(doneOf(events).message.content).toEqual([{ text: "warm now" }]);
        expect(r2.count()).toBe(3);
      } finally {
        await r2.close();
      }
    });

    it("gives up with MODEL_THROTTLED when throttling outlasts the deadline", async () => {
      const r = await start(() => ({ error: "throttled" }), {
        retry: { maxAttempts: 1_000, baseDelayMs: 40, maxDelayMs: 80 },
      });
      const started = Date.now();
      const err = await rejection(r.model.converse(ask("hi", { deadline: started + 400 })));
      const e = expectModelError(err, "MODEL_THROTTLED");
      expect(e.retryable).toBe(true);
      expect(e.cause).toBeDefined();
      expect(Date.now() - started).toBeLessThan(400 + 300);
      expect(r.count()).toBeGreaterThan(1);
      expect(r.count()).toBeLessThan(1_000);
    });

    it("maps a malformed body to MODEL_BAD_RESPONSE without retrying", async () => {
      const r = await start([{ malformed: '{"output": {"message": ' }, { text: "never sent" }]);
      expectModelError(await rejection(r.model.converse(ask("hi"))), "MODEL_BAD_RESPONSE");
      expect(r.count()).toBe(1);

      const r2 = await makeRig([{ malformed: '{"unexpected": true}' }], { retry: FAST_RETRY });
      try {
        expectModelError(await rejection(r2.model.converse(ask("hi"))), "MODEL_BAD_RESPONSE");
      } finally {
        await r2.close();
      }
    });

    for (const cut of ["reset", "truncate", "early", "exception"] as const) {
      it(`a stream cut mid-way (${cut}) fails with a typed error after the partial deltas`, async () => {
        const r = await start([{ text: "Your flight to Madrid departs at nine tomorrow morning.", cut }]);
        const started = Date.now();
        const { events, error } = await collect(r.model.converseStream(ask("When is my flight?")));
        expect(Date.now() - started).toBeLessThan(2_000);
        const e = expectModelError(error, "MODEL_BAD_RESPONSE");
        expect(e.retryable).toBe(false);
        expect(events.some((ev) => ev.type === "text")).toBe(true);
        expect(events.some((ev) => ev.type === "done")).toBe(false);
        expect(r.count()).toBe(1);
      });
    }

    it("a stream that stalls mid-way fails with MODEL_TIMEOUT at the deadline, not a hang", async () => {
      const r = await start([{ text: "Searching flights from Lisbon to Paris for you now.", cut: "stall" }]);
      const started = Date.now();
      const { events, error } = await collect(r.model.converseStream(ask("hi", { deadline: started + 300 })));
      expectModelError(error, "MODEL_TIMEOUT");
      expect(Date.now() - started).toBeGreaterThanOrEqual(290);
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(events.some((ev) => ev.type === "text")).toBe(true);
    });

    it("a silent server fails with MODEL_TIMEOUT at the deadline (converse)", async () => {
      const r = await start([{ stall: true }]);
      const started = Date.now();
      const err = await rejection(r.model.converse(ask("hi", { deadline: started + 250 })));
      expectModelError(err, "MODEL_TIMEOUT");
      expect(Date.now() - started).toBeLessThan(2_000);
    });

    it("a provider without a request deadline applies its own default timeout", async () => {
      const r = await start([{ stall: true }], { timeoutMs: 200 });
      expectModelError(await rejection(r.model.converse(ask("hi"))), "MODEL_TIMEOUT");
    });

    it("maps a context-window overflow to MODEL_CONTEXT_OVERFLOW without retrying", async () => {
      const r = await start([{ error: "context-overflow" }, { text: "never sent" }]);
      const e = expectModelError(
        await rejection(r.model.converse(ask("a very long prompt"))),
        "MODEL_CONTEXT_OVERFLOW",
      );
      expect(e.retryable).toBe(false);
      expect(e.status).toBe(400);
      expect(e.cause).toBeDefined();
      expect(r.count()).toBe(1);
    });

    it("does not retry a request the service rejects as invalid", async () => {
      const r = await start([{ error: "validation" }, { text: "never sent" }]);
      const e = expectModelError(await rejection(r.model.converse(ask("hi"))), "MODEL_UNAVAILABLE");
      expect(e.retryable).toBe(false);
      expect(r.count()).toBe(1);
    });

    it("abort via AbortSignal rejects promptly with the caller's reason (converse and stream)", async () => {
      const r = await start([
        { stall: true },
        { text: "A long answer that will be interrupted.", cut: "stall" },
      ]);
      const reason = new Error("caller went away");
      const controller = new AbortController();
      setTimeout(() => controller.abort(reason), 50);
      const started = Date.now();
      await expect(r.model.converse(ask("hi", { signal: controller.signal }))).rejects.toBe(reason);
      expect(Date.now() - started).toBeLessThan(1_000);

      const c2 = new AbortController();
      const stream = r.model.converseStream(ask("hi", { signal: c2.signal }));
      const seen: ModelStreamEvent[] = [];
      const err = await rejection(
        (async () => {
          for await (const ev of stream) {
            seen.push(ev);
            if (ev.type === "text") c2.abort(reason);
          }
        })(),
      );
      expect(err).toBe(reason);
      expect(seen.some((e) => e.type === "done")).toBe(false);
    });

    it("an already-aborted signal never reaches the server", async () => {
      const r = await start([{ text: "never sent" }]);
      const controller = new AbortController();
      controller.abort(new Error("too late"));
      await expect(r.model.converse(ask("hi", { signal: controller.signal }))).rejects.toThrow("too late");
      expect(r.count()).toBe(0);
    });
  });
}
