/**
 * The Titan adapter through the real AWS SDK client against a tiny local server that speaks the
 * InvokeModel wire protocol (`POST /model/{modelId}/invoke`). The Bedrock runtime client talks
 * HTTP/2 (cleartext, prior knowledge) to `http://` endpoints, so the server is an h2c server.
 */
import http2, { type Http2ServerRequest, type Http2ServerResponse } from "node:http2";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../core/config.js";
import { FlightlyError } from "../../core/errors.js";
import { BedrockEmbedder, TITAN_EMBED_V2 } from "../../memory/embeddings/bedrock.js";
import { createEmbedder } from "../../memory/embeddings/index.js";

type Mode =
  | "ok"
  | "throttle"
  | "throttle-no-hint"
  | "malformed"
  | "wrong-size"
  | "validation"
  | "too-long"
  | "slow"
  | "unavailable";

interface Seen {
  path: string;
  modelId: string;
  body: { inputText?: string; dimensions?: number; normalize?: boolean };
  authorization: string | undefined;
}

let mode: Mode = "ok";
let seen: Seen[] = [];
let active = 0;
let maxActive = 0;
let endpoint = "";
let server: http2.Http2Server;

/** Deterministic, deliberately not normalised: the adapter must renormalise. */
function fakeEmbedding(text: string, dims: number): number[] {
  const v: number[] = [];
  let h = 2166136261;
  for (const ch of text) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
  for (let i = 0; i < dims; i++) {
    h = Math.imul(h ^ (h >>> 15), 2246822519) >>> 0;
    v.push(((h % 2000) - 1000) / 500);
  }
  return v;
}

function reply(res: Http2ServerResponse, status: number, body: string, errorType?: string): void {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (errorType)
    headers["x-amzn-errortype"] = `${errorType}:http://internal.amazon.com/coral/com.amazon.bedrock/`;
  if (status === 429 && mode === "throttle") headers["retry-after"] = "2";
  res.writeHead(status, headers);
  res.end(body);
}

function handle(req: Http2ServerRequest, res: Http2ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    const match = /^\/model\/([^/]+)\/invoke$/.exec(req.url);
    if (req.method !== "POST" || !match)
      return reply(res, 404, '{"message":"not found"}', "ResourceNotFoundException");
    const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Seen["body"];
    seen.push({
      path: req.url,
      modelId: decodeURIComponent(match[1]!),
      body,
      authorization: req.headers.authorization,
    });
    active++;
    maxActive = Math.max(maxActive, active);
    const done = (): void => {
      active--;
    };
    const dims = body.dimensions ?? 1024;
    setTimeout(
      () => {
        done();
        switch (mode) {
          case "throttle":
          case "throttle-no-hint":
            return reply(
              res,
              429,
              '{"message":"Too many requests, please wait before trying again."}',
              "ThrottlingException",
            );
          case "malformed":
            return reply(res, 200, '{"embedding": [0.1, 0.2,');
          case "wrong-size":
            return reply(res, 200, JSON.stringify({ embedding: [1, 2, 3], inputTextTokenCount: 1 }));
          case "validation":
            return reply(
              res,
              400,
              '{"message":"Malformed input request: dimensions"}',
              "ValidationException",
            );
          case "too-long":
            return reply(res, 400, '{"message":"Input text is too long"}', "ValidationException");
          case "unavailable":
            return reply(res, 503, '{"message":"Service unavailable"}', "ServiceUnavailableException");
          default:
            return reply(
              res,
              200,
              JSON.stringify({
                embedding: fakeEmbedding(body.inputText ?? "", dims),
                inputTextTokenCount: 3,
              }),
            );
        }
      },
      mode === "slow" ? 2_000 : 5,
    );
  });
}

const credentials = { accessKeyId: "AKIDTEST", secretAccessKey: "secret-test" };

function titan(options: Partial<ConstructorParameters<typeof BedrockEmbedder>[0]> = {}): BedrockEmbedder {
  return new BedrockEmbedder({
    region: "us-east-1",
    endpoint,
    credentials,
    dimensions: 256,
    maxAttempts: 1,
    ...options,
  });
}

async function failure(p: Promise<unknown>): Promise<FlightlyError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(FlightlyError);
  return err as FlightlyError;
}

beforeAll(async () => {
  server = http2.createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
afterEach(() => {
  mode = "ok";
  seen = [];
  maxActive = 0;
});

describe("BedrockEmbedder (Titan Text Embeddings V2)", () => {
  it("sends InvokeModel requests and returns unit vectors in order", async () => {
    const e = titan();
    const texts = ["Can I bring my dog?", "Weather in Paris", "Flights to Rome"];
    const vectors = await e.embed(texts);
    e.close();
    expect(e.modelId).toBe(TITAN_EMBED_V2);
    expect(e.dimensions).toBe(256);
    expect(vectors).toHaveLength(3);
    for (const [i, v] of vectors.entries()) {
      expect(v.length).toBe(256);
      expect(Math.abs(Math.hypot(...v) - 1)).toBeLessThan(1e-5);
      // Same direction as what the server sent.
      const raw = fakeEmbedding(texts[i]!, 256);
      const n = Math.hypot(...raw);
      expect(v[0]).toBeCloseTo(raw[0]! / n, 5);
    }
    expect(seen.map((s) => s.body.inputText).sort()).toEqual([...texts].sort());
    for (const s of seen) {
      expect(s.modelId).toBe("amazon.titan-embed-text-v2:0");
      expect(s.body).toMatchObject({ dimensions: 256, normalize: true });
      expect(s.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDTEST\//);
    }
  });

  it("bounds the requests in flight", async () => {
    const e = titan({ concurrency: 3 });
    const texts = Array.from({ length: 20 }, (_, i) => `question ${i}`);
    const vectors = await e.embed(texts);
    e.close();
    expect(vectors).toHaveLength(20);
    expect(seen).toHaveLength(20);
    expect(maxActive).toBeLessThanOrEqual(3);
    expect(maxActive).toBeGreaterThan(1);
  });

  it("maps a 429 ThrottlingException to MODEL_THROTTLED with the cause and Retry-After", async () => {
    mode = "throttle";
    const e = titan();
    const err = await failure(e.embed(["hello"]));
    e.close();
    expect(err.code).toBe("MODEL_THROTTLED");
    expect(err.status).toBe(429);
    expect(err.retryAfterS).toBe(2);
    expect((err.cause as Error).name).toBe("ThrottlingException");
    expect(seen).toHaveLength(1);
  });

  it("lets the SDK retry throttling before mapping it", async () => {
    mode = "throttle-no-hint";
    const e = titan({ maxAttempts: 2 });
    const err = await failure(e.embed(["hello"]));
    e.close();
    expect(err.code).toBe("MODEL_THROTTLED");
    expect(err.retryAfterS).toBeUndefined();
    expect(seen).toHaveLength(2);
  });

  it("maps a malformed body to MODEL_BAD_RESPONSE", async () => {
    mode = "malformed";
    const e = titan();
    const err = await failure(e.embed(["hello"]));
    expect(err.code).toBe("MODEL_BAD_RESPONSE");
    expect(err.cause).toBeInstanceOf(SyntaxError);
    mode = "wrong-size";
    expect((await failure(e.embed(["hello"]))).code).toBe("MODEL_BAD_RESPONSE");
    e.close();
  });

  it("maps other vendor faults", async () => {
    const e = titan();
    mode = "too-long";
    expect((await failure(e.embed(["x"]))).code).toBe("MODEL_CONTEXT_OVERFLOW");
    mode = "validation";
    expect((await failure(e.embed(["x"]))).code).toBe("MODEL_UNAVAILABLE");
    mode = "unavailable";
    expect((await failure(e.embed(["x"]))).code).toBe("MODEL_UNAVAILABLE");
    e.close();
    const down = titan({ endpoint: "http://127.0.0.1:1" });
    expect((await failure(down.embed(["x"]))).code).toBe("MODEL_UNAVAILABLE");
    down.close();
  });

  it("times out with MODEL_TIMEOUT and honours the caller's signal", async () => {
    mode = "slow";
    const e = titan({ timeoutMs: 200 });
    const err = await failure(e.embed(["x"]));
    expect(err.code).toBe("MODEL_TIMEOUT");
    const controller = new AbortController();
    const pending = e.embed(["y"], { signal: controller.signal });
    setTimeout(() => controller.abort(new Error("caller gave up")), 50);
    await expect(pending).rejects.toThrow("caller gave up");
    e.close();
  });

  it("rejects unsupported dimensions and empty texts before any request", async () => {
    expect(() => titan({ dimensions: 384 })).toThrow(/256, 512, 1024/);
    const e = titan();
    expect((await failure(e.embed(["ok", "  "]))).code).toBe("BAD_REQUEST");
    expect(seen).toHaveLength(0);
    e.close();
  });

  it("resolves the endpoint from AWS_ENDPOINT_URL_BEDROCK_RUNTIME when none is given (production path)", async () => {
    const saved = { ...process.env };
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_BEDROCK_RUNTIME: endpoint,
      AWS_ACCESS_KEY_ID: "AKIDENV",
      AWS_SECRET_ACCESS_KEY: "secret-env",
    });
    try {
      const config = loadConfig({
        EMBEDDINGS_PROVIDER: "bedrock",
        EMBEDDING_DIMENSIONS: "512",
        AWS_REGION: "eu-west-1",
      });
      const e = createEmbedder(config);
      expect(e).toBeInstanceOf(BedrockEmbedder);
      const [v] = await e.embed(["from the environment"]);
      expect(v!.length).toBe(512);
      expect(seen[0]!.authorization).toMatch(/Credential=AKIDENV\/\d{8}\/eu-west-1\/bedrock\//);
      (e as BedrockEmbedder).close();
    } finally {
      process.env = saved;
    }
  });
});
