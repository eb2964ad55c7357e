/**
 * The OpenAI-compatible provider over `fetch` against a local chat-completions server (JSON and
 * SSE), with the same contract as the Bedrock provider plus the chat-format mapping.
 */
import { afterEach, describe, expect, it } from "vitest";
import { OpenAICompatibleModel } from "../../orchestrator/models/openai.js";
import { type OpenAIServer, startOpenAIServer } from "../support/openai-server.js";
import { ask, collect, FAST_RETRY, providerContract, type Rig } from "./provider-contract.js";

providerContract("openai", async (turns, options = {}): Promise<Rig> => {
  const server = await startOpenAIServer(typeof turns === "function" ? () => turns() : turns);
  const model = new OpenAICompatibleModel({
    baseUrl: server.url,
    model: "llama3.1",
    ...(options.retry ? { retry: options.retry } : {}),
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
  });
  const req = (i: number) => server.requests[i];
  return {
    model,
    count: () => server.requests.length,
    offeredTools: (i) => (req(i)?.body.tools ?? []).map((t) => t.function.name),
    toolSchema: (i, name) => req(i)?.body.tools?.find((t) => t.function.name === name)?.function.parameters,
    toolResults: (i) =>
      (req(i)?.body.messages ?? [])
        .filter((m) => m.role === "tool")
        .map((m) => ({ toolUseId: m.tool_call_id ?? "", text: m.content ?? "" })),
    close: () => server.close(),
  };
});

describe("openai provider, chat-completions specifics", () => {
  let server: OpenAIServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it("maps roles both ways: system first, assistant tool_calls, tool messages before user text", async () => {
    server = await startOpenAIServer([{ text: "done" }]);
    const model = new OpenAICompatibleModel({
      baseUrl: `${server.url}/`,
      model: "qwen2.5",
      apiKey: "sk-local-test",
    });
    await model.converse(
      ask("", {
        inference: { maxTokens: 100, temperature: 0, topP: 0.9, stopSequences: ["###"] },
        messages: [
          { role: "user", content: [{ text: "Weather in Faro and Porto?" }] },
          {
            role: "assistant",
            content: [
              { text: "Checking both." },
              { toolUse: { toolUseId: "c1", name: "get_weather", input: { city: "Faro" } } },
              { toolUse: { toolUseId: "c2", name: "get_weather", input: { city: "Porto" } } },
            ],
          },
          {
            role: "user",
            content: [
              { toolResult: { toolUseId: "c1", status: "success", content: [{ json: { tempC: 24 } }] } },
              { toolResult: { toolUseId: "c2", status: "error", content: [{ text: "station offline" }] } },
              { text: "Thanks" },
            ],
          },
        ],
      }),
    );
    const req = server.requests[0];
    expect(req?.path).toBe("/v1/chat/completions");
    expect(req?.headers.authorization).toBe("Bearer sk-local-test");
    expect(req?.body).toMatchObject({
      model: "qwen2.5",
      stream: false,
      max_tokens: 100,
      temperature: 0,
      top_p: 0.9,
      stop: ["###"],
    });
    expect(req?.body.messages).toEqual([
      { role: "system", content: "You are Flightly, a travel assistant." },
      { role: "user", content: "Weather in Faro and Porto?" },
      {
        role: "assistant",
        content: "Checking both.",
        tool_calls: [
          { id: "c1", type: "function", function: { name: "get_weather", arguments: '{"city":"Faro"}' } },
          { id: "c2", type: "function", function: { name: "get_weather", arguments: '{"city":"Porto"}' } },
        ],
      },
      { role: "tool", tool_call_id: "c1", content: '{"tempC":24}' },
      { role: "tool", tool_call_id: "c2", content: "Error: station offline" },
      { role: "user", content: "Thanks" },
    ]);
    expect(req?.body.tools?.[0]).toMatchObject({ type: "function", function: { name: "get_weather" } });
  });

  it("asks for usage on streams and reads it from the final chunk", async () => {
    server = await startOpenAIServer([{ text: "streamed", usage: { inputTokens: 7, outputTokens: 3 } }]);
    const model = new OpenAICompatibleModel({ baseUrl: server.url, model: "llama3.1" });
    const { events } = await collect(model.converseStream(ask("hi")));
    expect(server.requests[0]?.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    expect(server.requests[0]?.headers.authorization).toBeUndefined();
    const done = events.at(-1);
    expect(done?.type === "done" && done.response.usage).toEqual({
      inputTokens: 7,
      outputTokens: 3,
      totalTokens: 10,
    });
  });

  it("waits at least Retry-After on 429 before retrying", async () => {
    server = await startOpenAIServer([{ error: "throttled", retryAfterS: 0.3 }, { text: "after the pause" }]);
    const model = new OpenAICompatibleModel({ baseUrl: server.url, model: "llama3.1", retry: FAST_RETRY });
    const started = Date.now();
    const res = await model.converse(ask("hi"));
    expect(res.message.content).toEqual([{ text: "after the pause" }]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it("fails fast with MODEL_THROTTLED when Retry-After points past the deadline", async () => {
    server = await startOpenAIServer([{ error: "throttled", retryAfterS: 30 }, { text: "never" }]);
    const model = new OpenAICompatibleModel({ baseUrl: server.url, model: "llama3.1", retry: FAST_RETRY });
    const started = Date.now();
    await expect(model.converse(ask("hi", { deadline: started + 2_000 }))).rejects.toMatchObject({
      code: "MODEL_THROTTLED",
      retryAfterS: 30,
    });
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(server.requests).toHaveLength(1);
  });

  it("maps an unreachable endpoint to MODEL_UNAVAILABLE after retrying", async () => {
    server = await startOpenAIServer();
    const url = server.url;
    await server.close();
    server = undefined;
    const model = new OpenAICompatibleModel({
      baseUrl: url,
      model: "llama3.1",
      retry: { ...FAST_RETRY, maxAttempts: 2 },
    });
    await expect(model.converse(ask("hi"))).rejects.toMatchObject({
      code: "MODEL_UNAVAILABLE",
      retryable: true,
    });
  });
});
