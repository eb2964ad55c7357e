/**
 * The Bedrock provider through the real AWS SDK client (default HTTP/2 handler, SigV4 with fake
 * static credentials) against the local Bedrock wire-protocol server.
 */
import { BedrockRuntimeClient, InvokeModelCommand } from "@aws-sdk/client-bedrock-runtime";
import { afterEach, describe, expect, it } from "vitest";
import { BedrockModel, DEFAULT_BEDROCK_MODEL_ID } from "../../orchestrator/models/bedrock.js";
import {
  type BedrockServer,
  type RecordedRequest,
  startBedrockServer,
  type Turn,
  type WireBlock,
} from "../support/bedrock-server.js";
import { ask, collect, FAST_RETRY, providerContract, type Rig } from "./provider-contract.js";

const credentials = { accessKeyId: "AKIDFLIGHTLYTEST", secretAccessKey: "not-a-secret" };

function blocksOf(req: RecordedRequest | undefined, kind: "toolResult"): WireBlock[] {
  return (req?.body.messages ?? []).flatMap((m) => m.content.filter((b) => b[kind] !== undefined));
}

providerContract("bedrock", async (turns, options = {}): Promise<Rig> => {
  const server = await startBedrockServer(typeof turns === "function" ? () => turns() : turns);
  const model = new BedrockModel({
    modelId: DEFAULT_BEDROCK_MODEL_ID,
    region: "us-east-1",
    endpoint: server.url,
    credentials,
    ...(options.retry ? { retry: options.retry } : {}),
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
  });
  const req = (i: number) => server.converseRequests()[i];
  return {
    model,
    count: () => server.converseRequests().length,
    offeredTools: (i) =>
      (req(i)?.body.toolConfig?.tools ?? []).flatMap((t) => (t.toolSpec ? [t.toolSpec.name] : [])),
    toolSchema: (i, name) =>
      req(i)?.body.toolConfig?.tools.find((t) => t.toolSpec?.name === name)?.toolSpec?.inputSchema.json,
    toolResults: (i) =>
      blocksOf(req(i), "toolResult").map((b) => ({
        toolUseId: b.toolResult?.toolUseId ?? "",
        text: (b.toolResult?.content ?? []).map((c) => c.text ?? JSON.stringify(c.json)).join("\n"),
      })),
    close: async () => {
      model.close();
      await server.close();
    },
  };
});

describe("bedrock provider, Bedrock specifics", () => {
  let server: BedrockServer | undefined;
  let model: BedrockModel | undefined;
  const saved = process.env.AWS_ENDPOINT_URL_BEDROCK_RUNTIME;
  afterEach(async () => {
    model?.close();
    await server?.close();
    model = undefined;
    server = undefined;
    if (saved === undefined) delete process.env.AWS_ENDPOINT_URL_BEDROCK_RUNTIME;
    else process.env.AWS_ENDPOINT_URL_BEDROCK_RUNTIME = saved;
  });

  async function setup(turns: Turn[], modelId = DEFAULT_BEDROCK_MODEL_ID): Promise<BedrockModel> {
    server = await startBedrockServer(turns);
    model = new BedrockModel({
      modelId,
      region: "us-east-1",
      endpoint: server.url,
      credentials,
      retry: FAST_RETRY,
    });
    return model;
  }

  it("honours AWS_ENDPOINT_URL_BEDROCK_RUNTIME when no endpoint is given", async () => {
    server = await startBedrockServer([{ text: "via the SDK's endpoint variable" }]);
    process.env.AWS_ENDPOINT_URL_BEDROCK_RUNTIME = server.url;
    model = new BedrockModel({ modelId: DEFAULT_BEDROCK_MODEL_ID, region: "eu-west-1", credentials });
    const res = await model.converse(ask("hi"));
    expect(res.message.content).toEqual([{ text: "via the SDK's endpoint variable" }]);
    expect(server.requests).toHaveLength(1);
  });

  it("speaks h2c, signs with SigV4, sends the model id, system prompt and inference settings", async () => {
    const m = await setup([{ text: "signed" }]);
    await m.converse(ask("hi", { inference: { maxTokens: 256, temperature: 0.2, stopSequences: ["END"] } }));
    const req = server?.requests[0];
    expect(req?.httpVersion).toBe("2.0");
    expect(req?.operation).toBe("converse");
    expect(req?.modelId).toBe(DEFAULT_BEDROCK_MODEL_ID);
    expect(String(req?.headers.authorization)).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDFLIGHTLYTEST\/\d{8}\/us-east-1\/bedrock\/aws4_request/,
    );
    expect(req?.body.system).toEqual([{ text: "You are Flightly, a travel assistant." }]);
    expect(req?.body.inferenceConfig).toEqual({ maxTokens: 256, temperature: 0.2, stopSequences: ["END"] });
  });

  it("adds cache points after the system prompt and the tools when promptCache is set; reports cache usage", async () => {
    const m = await setup([
      { text: "cached", usage: { inputTokens: 10, outputTokens: 2, cacheReadInputTokens: 900 } },
      { text: "not cached" },
    ]);
    const res = await m.converse(ask("hi", { promptCache: true }));
    const body = server?.requests[0]?.body;
    expect(body?.system).toEqual([
      { text: "You are Flightly, a travel assistant." },
      { cachePoint: { type: "default" } },
    ]);
    expect(body?.toolConfig?.tools.at(-1)).toEqual({ cachePoint: { type: "default" } });
    expect(body?.toolConfig?.tools).toHaveLength(3);
    expect(res.usage).toEqual({
      inputTokens: 10,
      outputTokens: 2,
      totalTokens: 12,
      cacheReadInputTokens: 900,
    });

    await m.converse(ask("again"));
    expect(server?.requests[1]?.body.system).toHaveLength(1);
    expect(server?.requests[1]?.body.toolConfig?.tools).toHaveLength(2);
  });

  it("sends toolResult status to Claude models only, and wraps non-object JSON results as text", async () => {
    const history = (id: string) => [
      { role: "user" as const, content: [{ text: "weather?" }] },
      {
        role: "assistant" as const,
        content: [{ text: "" }, { toolUse: { toolUseId: id, name: "get_weather", input: { city: "Faro" } } }],
      },
      {
        role: "user" as const,
        content: [{ toolResult: { toolUseId: id, status: "error" as const, content: [{ json: [1, 2] }] } }],
      },
    ];
    const claude = await setup([{ text: "a" }]);
    await claude.converse(ask("", { messages: history("t1") }));
    const sent = server?.requests[0]?.body.messages;
    expect(sent?.[1]?.content).toEqual([
      { toolUse: { toolUseId: "t1", name: "get_weather", input: { city: "Faro" } } },
    ]);
    expect(sent?.[2]?.content[0]?.toolResult).toEqual({
      toolUseId: "t1",
      status: "error",
      content: [{ text: "[1,2]" }],
    });
    claude.close();
    await server?.close();

    const nova = await setup([{ text: "b" }], "amazon.nova-lite-v1:0");
    await nova.converse(ask("", { messages: history("t2") }));
    expect(server?.requests[0]?.body.messages?.[2]?.content[0]?.toolResult?.status).toBeUndefined();
  });

  it("maps an in-stream exception event and a garbage event stream to MODEL_BAD_RESPONSE", async () => {
    const m = await setup([{ malformed: "this is not an event stream frame at all" }]);
    const { error } = await collect(m.converseStream(ask("hi")));
    expect(error).toMatchObject({ code: "MODEL_BAD_RESPONSE" });
  });

  it("maps an unreachable endpoint to MODEL_UNAVAILABLE after retrying", async () => {
    const gone = await startBedrockServer();
    const url = gone.url;
    await gone.close();
    model = new BedrockModel({
      modelId: DEFAULT_BEDROCK_MODEL_ID,
      region: "us-east-1",
      endpoint: url,
      credentials,
      retry: { ...FAST_RETRY, maxAttempts: 2 },
    });
    await expect(model.converse(ask("hi"))).rejects.toMatchObject({
      code: "MODEL_UNAVAILABLE",
      retryable: true,
    });
  });

  it("maps model_context_window_exceeded as a stop reason to MODEL_CONTEXT_OVERFLOW", async () => {
    const m = await setup([{ text: "partial", stopReason: "model_context_window_exceeded" }]);
    await expect(m.converse(ask("hi"))).rejects.toMatchObject({ code: "MODEL_CONTEXT_OVERFLOW" });
  });
});

describe("Bedrock test server", () => {
  let server: BedrockServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it("serves HTTP/1.1 clients on the same port as h2c", async () => {
    server = await startBedrockServer([{ text: "over http/1.1" }, { error: "throttled" }]);
    const url = `${server.url}/model/${encodeURIComponent(DEFAULT_BEDROCK_MODEL_ID)}/converse`;
    const body = JSON.stringify({ messages: [{ role: "user", content: [{ text: "hi" }] }] });
    const ok = await fetch(url, { method: "POST", body, headers: { "content-type": "application/json" } });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({
      output: { message: { role: "assistant", content: [{ text: "over http/1.1" }] } },
      stopReason: "end_turn",
    });
    const throttled = await fetch(url, { method: "POST", body });
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get("x-amzn-errortype")).toMatch(/^ThrottlingException/);
    expect(server.requests.map((r) => r.httpVersion)).toEqual(["1.1", "1.1"]);
  });

  it("answers Titan embeddings through the real SDK's InvokeModel: dimensions, unit length, similarity", async () => {
    server = await startBedrockServer();
    const client = new BedrockRuntimeClient({
      region: "us-east-1",
      endpoint: server.url,
      credentials,
      maxAttempts: 1,
    });
    const embed = async (inputText: string): Promise<number[]> => {
      const out = await client.send(
        new InvokeModelCommand({
          modelId: "amazon.titan-embed-text-v2:0",
          contentType: "application/json",
          accept: "application/json",
          body: JSON.stringify({ inputText, dimensions: 256, normalize: true }),
        }),
      );
      const parsed = JSON.parse(new TextDecoder().decode(out.body)) as {
        embedding: number[];
        inputTextTokenCount: number;
      };
      expect(parsed.inputTextTokenCount).toBeGreaterThan(0);
      return parsed.embedding;
    };
    try {
      const a = await embed("cheap flights to Lisbon in May");
      const b = await embed("cheap flight to Lisbon in june");
      const c = await embed("refund my hotel booking");
      const dot = (x: number[], y: number[]) => x.reduce((s, v, i) => s + v * (y[i] ?? 0), 0);
      expect(a).toHaveLength(256);
      expect(dot(a, a)).toBeCloseTo(1, 6);
      expect(dot(a, b)).toBeGreaterThan(dot(a, c) + 0.2);
      expect(server.requests[0]).toMatchObject({
        operation: "invoke",
        modelId: "amazon.titan-embed-text-v2:0",
        body: { inputText: "cheap flights to Lisbon in May", dimensions: 256, normalize: true },
      });
    } finally {
      client.destroy();
    }
  });
});
