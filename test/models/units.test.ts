/** Retry, tool specs, error mapping, the scripted model and `createModel`, without a network. */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { loadConfig } from "../../core/config.js";
import { FlightlyError } from "../../core/errors.js";
import { createLogger } from "../../core/logger.js";
import { fromBedrockError, fromHttpError, ModelError } from "../../orchestrator/models/errors.js";
import {
  BedrockModel,
  createModel,
  LocalPlanner,
  OpenAICompatibleModel,
} from "../../orchestrator/models/index.js";
import {
  backoffDelay,
  callScope,
  type RetryPolicy,
  sleep,
  withRetry,
} from "../../orchestrator/models/retry.js";
import { ScriptedModel } from "../../orchestrator/models/scripted.js";
import { toolSpec } from "../../orchestrator/models/tool-spec.js";
import { addUsage, type ModelRequest } from "../../orchestrator/models/types.js";
import { collect } from "./provider-contract.js";

const throttled = (): ModelError => new ModelError("MODEL_THROTTLED", "slow down");
const policy: RetryPolicy = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 1_000 };

describe("backoff with full jitter", () => {
  it("picks in [0, min(cap, base·2^(n-1))) and doubles up to the cap", () => {
    expect(backoffDelay(1, policy, () => 0)).toBe(0);
    expect(backoffDelay(1, policy, () => 0.999)).toBe(99);
    expect(backoffDelay(3, policy, () => 0.999)).toBe(399);
    expect(backoffDelay(10, policy, () => 0.999)).toBe(999);
    expect(backoffDelay(2, policy, () => 0.5)).toBe(100);
  });
});

describe("withRetry", () => {
  it("retries retryable errors and returns the first success", async () => {
    const delays: number[] = [];
    let calls = 0;
    const value = await withRetry(
      async () => {
        if (++calls < 3) throw throttled();
        return "ok";
      },
      { policy: { ...policy, baseDelayMs: 2 }, onRetry: (i) => delays.push(i.delayMs), random: () => 0.5 },
    );
    expect(value).toBe("ok");
    expect(calls).toBe(3);
    expect(delays).toEqual([1, 2]);
  });

  it("does not retry a non-retryable error, nor a plain Error", async () => {
    let calls = 0;
    const overflow = new ModelError("MODEL_CONTEXT_OVERFLOW", "too long");
    await expect(
      withRetry(async () => {
        calls++;
        throw overflow;
      }),
    ).rejects.toBe(overflow);
    await expect(
      withRetry(async () => {
        calls++;
        throw new Error("bug");
      }),
    ).rejects.toThrow("bug");
    expect(calls).toBe(2);
  });

  it("stops after maxAttempts with the last error", async () => {
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw throttled();
        },
        { policy: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1 } },
      ),
    ).rejects.toMatchObject({ code: "MODEL_THROTTLED" });
    expect(calls).toBe(3);
  });

  it("never starts a wait that would end past the deadline", async () => {
    let calls = 0;
    const started = Date.now();
    await expect(
      withRetry(
        async () => {
          calls++;
          throw throttled();
        },
        {
          policy: { maxAttempts: 100, baseDelayMs: 1_000, maxDelayMs: 1_000 },
          deadline: started + 50,
          random: () => 0.9,
        },
      ),
    ).rejects.toMatchObject({ code: "MODEL_THROTTLED" });
    expect(calls).toBe(1);
    expect(Date.now() - started).toBeLessThan(40);
  });

  it("an abort during the backoff wait rejects at once with the caller's reason", async () => {
    const controller = new AbortController();
    const reason = new Error("stop");
    setTimeout(() => controller.abort(reason), 20);
    const started = Date.now();
    await expect(
      withRetry(
        async () => {
          throw throttled();
        },
        {
          policy: { maxAttempts: 5, baseDelayMs: 5_000, maxDelayMs: 5_000 },
          signal: controller.signal,
          random: () => 0.9,
        },
      ),
    ).rejects.toBe(reason);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it("sleep resolves after the delay and rejects with the reason on abort", async () => {
    await expect(sleep(1)).resolves.toBeUndefined();
    const c = new AbortController();
    c.abort("gone");
    await expect(sleep(10_000, c.signal)).rejects.toBe("gone");
  });
});

describe("callScope", () => {
  it("turns the deadline into MODEL_TIMEOUT and the caller's abort into its reason", async () => {
    const scope = callScope("test", undefined, Date.now() + 20, 60_000);
    await new Promise((resolve) => scope.signal.addEventListener("abort", resolve));
    const cut = new Error("socket closed");
    const err = scope.interrupted(cut);
    expect(err).toMatchObject({ code: "MODEL_TIMEOUT", cause: cut });
    scope.dispose();

    const caller = new AbortController();
    const scope2 = callScope("test", caller.signal, undefined, 60_000);
    expect(scope2.interrupted(new Error("x"))).toBeUndefined();
    caller.abort("user left");
    expect(scope2.signal.aborted).toBe(true);
    expect(scope2.interrupted(new Error("x"))).toBe("user left");
    scope2.dispose();
  });
});

describe("toolSpec", () => {
  it("converts a zod object to JSON Schema without $schema, defaults optional for the model", () => {
    const spec = toolSpec(
      "book_flight",
      "Book a flight",
      z.object({ flightId: z.string().describe("Offer id"), seats: z.number().int().min(1).default(1) }),
    );
    expect(spec.name).toBe("book_flight");
    expect(spec.description).toBe("Book a flight");
    expect(spec.inputSchema).not.toHaveProperty("$schema");
    expect(spec.inputSchema).toMatchObject({
      type: "object",
      properties: {
        flightId: { type: "string", description: "Offer id" },
        seats: { type: "integer", minimum: 1 },
      },
      required: ["flightId"],
    });
  });

  it("rejects names providers refuse and non-object schemas", () => {
    expect(() => toolSpec("book flight", "x", z.object({}))).toThrow(TypeError);
    expect(() => toolSpec("a".repeat(65), "x", z.object({}))).toThrow(/1-64/);
    expect(() => toolSpec("ok", "x", z.string())).toThrow(/z\.object/);
  });
});

describe("error mapping", () => {
  const sdk = (name: string, message: string, status?: number) =>
    Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });

  it("maps Bedrock exceptions by name, with cause and retryability", () => {
    const cases: Array<[Error, string, boolean]> = [
      [sdk("ThrottlingException", "Too many requests", 429), "MODEL_THROTTLED", true],
      [sdk("ModelNotReadyException", "not ready", 429), "MODEL_UNAVAILABLE", true],
      [sdk("ServiceUnavailableException", "down", 503), "MODEL_UNAVAILABLE", true],
      [
        sdk("ValidationException", "Input is too long for requested model.", 400),
        "MODEL_CONTEXT_OVERFLOW",
        false,
      ],
      [sdk("ValidationException", "messages: field required", 400), "MODEL_UNAVAILABLE", false],
      [sdk("ModelTimeoutException", "slow", 408), "MODEL_TIMEOUT", false],
      [sdk("SyntaxError", "Unexpected end of JSON input"), "MODEL_BAD_RESPONSE", false],
      [sdk("SomethingNew", "teapot", 502), "MODEL_UNAVAILABLE", true],
    ];
    for (const [err, code, retryable] of cases) {
      const mapped = fromBedrockError(err);
      expect(mapped, err.name).toBeInstanceOf(FlightlyError);
      expect([mapped.code, mapped.retryable], `${err.name}: ${err.message}`).toEqual([code, retryable]);
      expect(mapped.cause).toBe(err);
    }
  });

  it("a connection lost before the answer is retryable; during a stream it is a bad response", () => {
    const reset = Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
    expect(fromBedrockError(reset)).toMatchObject({ code: "MODEL_UNAVAILABLE", retryable: true });
    expect(fromBedrockError(reset, "stream")).toMatchObject({ code: "MODEL_BAD_RESPONSE", retryable: false });
  });

  it("maps OpenAI-style HTTP errors, including Retry-After", () => {
    expect(
      fromHttpError(429, '{"error":{"message":"rate limit","code":"rate_limit_exceeded"}}', "2"),
    ).toMatchObject({
      code: "MODEL_THROTTLED",
      retryAfterS: 2,
      vendorCode: "rate_limit_exceeded",
    });
    expect(
      fromHttpError(400, '{"error":{"message":"maximum context length is 8192 tokens","code":null}}', null),
    ).toMatchObject({ code: "MODEL_CONTEXT_OVERFLOW" });
    expect(fromHttpError(503, "<html>Bad gateway</html>", null)).toMatchObject({
      code: "MODEL_UNAVAILABLE",
      retryable: true,
    });
    expect(fromHttpError(401, '{"error":"invalid key"}', null)).toMatchObject({
      code: "MODEL_UNAVAILABLE",
      retryable: false,
    });
  });
});

describe("ScriptedModel", () => {
  const request = (text: string): ModelRequest => ({
    system: "sys",
    messages: [{ role: "user", content: [{ text }] }],
    tools: [],
  });

  it("plays replies in order, records requests, and fails clearly when the script runs out", async () => {
    const model = new ScriptedModel([
      { toolUses: [{ name: "get_weather", input: { city: "Rome" }, toolUseId: "t1" }] },
      "Sunny in Rome.",
    ]);
    const first = await model.converse(request("weather in Rome?"));
    expect(first.stopReason).toBe("tool_use");
    expect(first.message.content).toEqual([
      { toolUse: { toolUseId: "t1", name: "get_weather", input: { city: "Rome" } } },
    ]);
    const second = await model.converse(request("and now?"));
    expect(second).toMatchObject({
      stopReason: "end_turn",
      message: { content: [{ text: "Sunny in Rome." }] },
    });
    expect(second.usage.inputTokens).toBeGreaterThan(0);
    expect(model.requests.map((r) => r.messages[0]?.content[0])).toEqual([
      { text: "weather in Rome?" },
      { text: "and now?" },
    ]);
    await expect(model.converse(request("more"))).rejects.toMatchObject({ code: "MODEL_BAD_RESPONSE" });
    expect(model.calls).toBe(3);
  });

  it("throws scripted errors, answers from a function, and streams the same reply as deltas", async () => {
    const model = new ScriptedModel((req, i) =>
      i === 0
        ? new ModelError("MODEL_THROTTLED", "scripted throttle")
        : `echo ${JSON.stringify(req.messages[0]?.content[0])}`,
    );
    await expect(model.converse(request("x"))).rejects.toMatchObject({ code: "MODEL_THROTTLED" });
    const { events } = await collect(model.converseStream(request("y")));
    expect(events.map((e) => e.type)).toEqual(["text", "done"]);
    expect(events[0]).toEqual({ type: "text", delta: 'echo {"text":"y"}' });

    const tools = new ScriptedModel([{ text: "checking", toolUses: [{ name: "t", input: { a: 1 } }] }]);
    const streamed = await collect(tools.converseStream(request("z")));
    expect(streamed.events.map((e) => e.type)).toEqual(["text", "toolUseStart", "toolUseDelta", "done"]);
  });

  it("honours an aborted signal", async () => {
    const c = new AbortController();
    c.abort(new Error("cancelled"));
    await expect(new ScriptedModel(["x"]).converse({ ...request("a"), signal: c.signal })).rejects.toThrow(
      "cancelled",
    );
  });
});

describe("createModel", () => {
  const logger = createLogger({ level: "silent" });

  it("builds the configured provider", () => {
    const bedrock = createModel(loadConfig({ MODEL_PROVIDER: "bedrock", AWS_REGION: "eu-west-1" }), logger);
    expect(bedrock).toBeInstanceOf(BedrockModel);
    expect(bedrock.modelId).toBe("us.anthropic.claude-haiku-4-5-20251001-v1:0");
    (bedrock as BedrockModel).close();

    const openai = createModel(
      loadConfig({
        MODEL_PROVIDER: "openai",
        OPENAI_BASE_URL: "http://127.0.0.1:1234/v1",
        OPENAI_MODEL: "qwen2.5",
      }),
      logger,
    );
    expect(openai).toBeInstanceOf(OpenAICompatibleModel);
    expect(openai.modelId).toBe("qwen2.5");

    const local = createModel(loadConfig({}), logger);
    expect(local).toBeInstanceOf(LocalPlanner);
    expect(local.name).toBe("local");
  });
});

describe("addUsage", () => {
  it("sums token counts and keeps cache counters only when present", () => {
    expect(
      addUsage(
        { inputTokens: 1, outputTokens: 2, totalTokens: 3 },
        { inputTokens: 10, outputTokens: 20, totalTokens: 30, cacheReadInputTokens: 5 },
      ),
    ).toEqual({ inputTokens: 11, outputTokens: 22, totalTokens: 33, cacheReadInputTokens: 5 });
  });
});
