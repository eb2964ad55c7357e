/**
 * A local server that speaks the Bedrock runtime wire protocol, so the real AWS SDK client can
 * be pointed at it (`endpoint`, or `AWS_ENDPOINT_URL_BEDROCK_RUNTIME`):
 *
 * - `POST /model/{id}/converse` — restJson1, `{output: {message}, stopReason, usage, metrics}`;
 * - `POST /model/{id}/converse-stream` — `application/vnd.amazon.eventstream` frames
 *   (`messageStart`, `contentBlockStart|Delta|Stop`, `messageStop`, `metadata`);
 * - `POST /model/{id}/invoke` — Titan Text Embeddings (`{inputText, dimensions, normalize}` →
 *   `{embedding, inputTextTokenCount}`), deterministic feature-hashing vectors;
 * - errors as the service sends them (`x-amzn-ErrorType` + status) so the SDK maps them to its
 *   own exception classes.
 *
 * One port serves HTTP/1.1 and cleartext HTTP/2 (the SDK's default handler speaks h2c with prior
 * knowledge to `http://` endpoints): the first bytes of each connection pick the protocol.
 * Replies to Converse calls come from a scriptable handler — usually `scriptFromTurns([...])` —
 * and every request is recorded so tests can assert the tools offered and the results sent back.
 */
import { randomUUID } from "node:crypto";
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import http2, { type Http2ServerRequest, type Http2ServerResponse } from "node:http2";
import net, { type AddressInfo, type Socket } from "node:net";
import { EventStreamCodec } from "@smithy/core/event-streams";
import { fromUtf8, toUtf8 } from "@smithy/core/serde";

export type WireJson = string | number | boolean | null | WireJson[] | { [key: string]: WireJson };

/** A tool call the scripted model makes. */
export interface ScriptedToolUse {
  name: string;
  input: WireJson;
  /** Generated (`tooluse_<n>`) when absent. */
  toolUseId?: string;
}

/** Vendor-neutral faults; each server renders them in its own wire format. */
export type ScriptedFault =
  | "throttled"
  | "unavailable"
  | "not-ready"
  | "context-overflow"
  | "validation"
  | "internal"
  | "model-timeout"
  | "access-denied";

/**
 * One scripted model reply. Plain answers set `text` and/or `toolUses`; the other fields turn
 * the reply into a fault. Combinations are allowed (text, then a cut stream).
 */
export interface Turn {
  text?: string;
  toolUses?: ScriptedToolUse[];
  /** Defaults to `tool_use` when there are tool uses, `end_turn` otherwise. */
  stopReason?: string;
  usage?: {
    inputTokens?: number;
    outputTokens?: number;
    cacheReadInputTokens?: number;
    cacheWriteInputTokens?: number;
  };
  /** Reply with this error instead (status and error type as the real service). */
  error?: ScriptedFault;
  errorMessage?: string;
  /** Seconds, sent as `Retry-After` with errors (the OpenAI-compatible server honours it). */
  retryAfterS?: number;
  /** Reply 200 with this raw body (Converse) or these raw bytes as the event stream. */
  malformed?: string;
  /**
   * Cut the answer after `cutAfter` events (streams) or half the body (Converse): `reset` the
   * connection, `truncate` a frame and end, end `early` without `messageStop`, `stall` without
   * ending, or send an in-stream `exception` (`modelStreamErrorException`).
   */
  cut?: "reset" | "truncate" | "early" | "stall" | "exception";
  cutAfter?: number;
  /** Wait this long before replying. */
  delayMs?: number;
  /** Never reply (until the client gives up or the server closes). */
  stall?: boolean;
}

export interface WireBlock {
  text?: string;
  toolUse?: { toolUseId: string; name: string; input: WireJson };
  toolResult?: { toolUseId: string; status?: string; content: Array<{ text?: string; json?: WireJson }> };
  cachePoint?: { type: string };
}

/** The request body as received: Converse fields, or Titan's for `/invoke`. */
export interface WireRequest {
  messages?: Array<{ role: string; content: WireBlock[] }>;
  system?: WireBlock[];
  toolConfig?: {
    tools: Array<{
      toolSpec?: { name: string; description?: string; inputSchema: { json: Record<string, WireJson> } };
      cachePoint?: { type: string };
    }>;
  };
  inferenceConfig?: { maxTokens?: number; temperature?: number; topP?: number; stopSequences?: string[] };
  inputText?: string;
  dimensions?: number;
  normalize?: boolean;
}

export interface RecordedRequest {
  operation: "converse" | "converse-stream" | "invoke";
  modelId: string;
  /** `2.0` when the client spoke h2c. */
  httpVersion: string;
  headers: Record<string, string | string[] | undefined>;
  body: WireRequest;
  /** Index among the Converse / ConverseStream calls (what the handler sees). */
  turn: number;
}

export type TurnHandler = (request: RecordedRequest) => Turn | Promise<Turn>;

/** A scripted handler: usable by this server and by the OpenAI-compatible one. */
export interface ScriptedTurns {
  (request?: unknown): Turn;
  push(...turns: Turn[]): void;
  remaining(): number;
}

/** A handler that plays `turns` in order; once they run out it answers with a validation error. */
export function scriptFromTurns(turns: readonly Turn[] = []): ScriptedTurns {
  const queue = [...turns];
  const handler = (): Turn =>
    queue.shift() ?? { error: "validation", errorMessage: "test server: the script has no more turns" };
  return Object.assign(handler, {
    push: (...more: Turn[]) => {
      queue.push(...more);
    },
    remaining: () => queue.length,
  });
}

export interface BedrockServerOptions {
  host?: string;
  port?: number;
  /** Embedding for `/invoke`; deterministic feature hashing by default. */
  embed?: (text: string, dimensions: number, normalize: boolean) => number[];
}

export interface BedrockServer {
  /** `http://127.0.0.1:<port>` — pass as `endpoint` or `AWS_ENDPOINT_URL_BEDROCK_RUNTIME`. */
  readonly url: string;
  readonly port: number;
  /** Every request, in arrival order. */
  readonly requests: RecordedRequest[];
  /** Only the Converse / ConverseStream requests. */
  converseRequests(): RecordedRequest[];
  close(): Promise<void>;
}

type Req = IncomingMessage | Http2ServerRequest;
type Res = ServerResponse | Http2ServerResponse;

const FAULTS: Record<ScriptedFault, { status: number; type: string; message: string }> = {
  throttled: {
    status: 429,
    type: "ThrottlingException",
    message: "Too many requests, please wait before trying again.",
  },
  unavailable: {
    status: 503,
    type: "ServiceUnavailableException",
    message: "Bedrock is unable to process your request.",
  },
  "not-ready": {
    status: 429,
    type: "ModelNotReadyException",
    message:
      "Model is not ready to serve inference requests. The AWS SDK will automatically retry the operation.",
  },
  "context-overflow": {
    status: 400,
    type: "ValidationException",
    message: "Input is too long for requested model.",
  },
  validation: { status: 400, type: "ValidationException", message: "Malformed input request." },
  internal: {
    status: 500,
    type: "InternalServerException",
    message: "The server encountered an internal error.",
  },
  "model-timeout": {
    status: 408,
    type: "ModelTimeoutException",
    message: "Model has timed out in processing the request.",
  },
  "access-denied": {
    status: 403,
    type: "AccessDeniedException",
    message: "You don't have access to the model with the specified model ID.",
  },
};

const codec = new EventStreamCodec(toUtf8, fromUtf8);

/** Starts the server on `host:port` (127.0.0.1, a free port by default). */
export async function startBedrockServer(
  handler: TurnHandler | readonly Turn[] = [],
  options: BedrockServerOptions = {},
): Promise<BedrockServer> {
  const next: TurnHandler = typeof handler === "function" ? handler : scriptFromTurns(handler);
  const embed = options.embed ?? hashEmbedding;
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const stalled = new Set<Res>();
  let turns = 0;

  const onRequest = (req: Req, res: Res): void => {
    void serve(req, res).catch((err: unknown) => {
      if (!res.headersSent) sendError(res, 500, "InternalServerException", `test server: ${String(err)}`);
      else destroy(res);
    });
  };

  async function serve(req: Req, res: Res): Promise<void> {
    const raw = await readBody(req);
    const match = /^\/model\/([^/]+)\/(converse|converse-stream|invoke)$/.exec(
      (req.url ?? "").split("?")[0] ?? "",
    );
    if (req.method !== "POST" || !match) {
      sendError(res, 404, "UnknownOperationException", `no operation at ${req.method} ${req.url}`);
      return;
    }
    const operation = match[2] as RecordedRequest["operation"];
    let body: WireRequest;
    try {
      body = raw ? (JSON.parse(raw) as WireRequest) : {};
    } catch {
      sendError(res, 400, "SerializationException", "request body is not JSON");
      return;
    }
    const recorded: RecordedRequest = {
      operation,
      modelId: decodeURIComponent(match[1] ?? ""),
      httpVersion: req.httpVersion,
      headers: { ...req.headers },
      body,
      turn: operation === "invoke" ? -1 : turns++,
    };
    requests.push(recorded);

    if (operation === "invoke") {
      if (typeof body.inputText !== "string" || !body.inputText) {
        sendError(res, 400, "ValidationException", "inputText is required");
        return;
      }
      const dims = body.dimensions ?? 1024;
      const vector = embed(body.inputText, dims, body.normalize ?? true);
      sendJson(res, 200, {
        embedding: vector,
        inputTextTokenCount: body.inputText.split(/\s+/).filter(Boolean).length,
      });
      return;
    }

    const turn = await next(recorded);
    if (turn.delayMs) await delay(turn.delayMs);
    if (turn.stall) {
      stalled.add(res);
      return;
    }
    if (turn.error) {
      const fault = FAULTS[turn.error];
      sendError(res, fault.status, fault.type, turn.errorMessage ?? fault.message);
      return;
    }
    if (operation === "converse") serveConverse(res, recorded, turn);
    else serveStream(res, recorded, turn);
  }

  function serveConverse(res: Res, request: RecordedRequest, turn: Turn): void {
    if (turn.malformed !== undefined) {
      res.writeHead(200, { "content-type": "application/json", "x-amzn-requestid": randomUUID() });
      res.end(turn.malformed);
      return;
    }
    const content = [
      ...(turn.text === undefined ? [] : [{ text: turn.text }]),
      ...toolUses(turn, request.turn).map((toolUse) => ({ toolUse })),
    ];
    const body = JSON.stringify({
      output: { message: { role: "assistant", content } },
      stopReason: stopReason(turn),
      usage: usage(turn, request),
      metrics: { latencyMs: 1 },
    });
    res.writeHead(200, { "content-type": "application/json", "x-amzn-requestid": randomUUID() });
    if (turn.cut) {
      write(res, body.slice(0, Math.floor(body.length / 2)));
      if (turn.cut === "stall") stalled.add(res);
      else if (turn.cut === "reset") reset(res);
      else res.end();
      return;
    }
    res.end(body);
  }

  function serveStream(res: Res, request: RecordedRequest, turn: Turn): void {
    res.writeHead(200, {
      "content-type": "application/vnd.amazon.eventstream",
      "x-amzn-requestid": randomUUID(),
    });
    if (turn.malformed !== undefined) {
      res.end(Buffer.from(turn.malformed));
      return;
    }
    const frames = streamEvents(turn, request).map(([type, payload]) => eventFrame(type, payload));
    const cutAt = turn.cut
      ? Math.min(turn.cutAfter ?? Math.max(2, frames.length - 3), frames.length)
      : frames.length;
    for (const frame of frames.slice(0, cutAt)) write(res, frame);
    switch (turn.cut) {
      case undefined:
        res.end();
        return;
      case "reset":
        reset(res);
        return;
      case "truncate": {
        const frame = frames[cutAt] ?? eventFrame("messageStop", { stopReason: "end_turn" });
        res.end(frame.subarray(0, Math.floor(frame.length / 2)));
        return;
      }
      case "early":
        res.end();
        return;
      case "stall":
        stalled.add(res);
        return;
      case "exception":
        res.end(
          codec.encode({
            headers: {
              ":message-type": { type: "string", value: "exception" },
              ":exception-type": { type: "string", value: "modelStreamErrorException" },
              ":content-type": { type: "string", value: "application/json" },
            },
            body: fromUtf8(
              JSON.stringify({
                message: turn.errorMessage ?? "The model stream failed.",
                originalStatusCode: 500,
              }),
            ),
          }),
        );
        return;
    }
  }

  const h1 = http.createServer(onRequest);
  const h2 = http2.createServer(onRequest);
  h2.on("sessionError", () => {});
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    // Prior-knowledge h2c starts with the connection preface "PRI * HTTP/2.0"; HTTP/1 with a method.
    socket.once("readable", () => {
      const head = socket.read(3) ?? socket.read();
      if (!head) return void socket.destroy();
      socket.unshift(head);
      (head.toString("latin1") === "PRI" ? h2 : h1).emit("connection", socket);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host ?? "127.0.0.1";

  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
    port,
    requests,
    converseRequests: () => requests.filter((r) => r.operation !== "invoke"),
    close: async () => {
      for (const res of stalled) destroy(res);
      stalled.clear();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The ConverseStream events for a turn, as `[event type, payload]`. */
function streamEvents(turn: Turn, request: RecordedRequest): Array<[string, unknown]> {
  const events: Array<[string, unknown]> = [["messageStart", { role: "assistant" }]];
  let index = 0;
  if (turn.text !== undefined) {
    for (const piece of splitText(turn.text)) {
      events.push(["contentBlockDelta", { contentBlockIndex: index, delta: { text: piece } }]);
    }
    events.push(["contentBlockStop", { contentBlockIndex: index }]);
    index++;
  }
  for (const tool of toolUses(turn, request.turn)) {
    events.push([
      "contentBlockStart",
      { contentBlockIndex: index, start: { toolUse: { toolUseId: tool.toolUseId, name: tool.name } } },
    ]);
    const json = JSON.stringify(tool.input);
    const half = Math.ceil(json.length / 2);
    for (const piece of [json.slice(0, half), json.slice(half)].filter(Boolean)) {
      events.push(["contentBlockDelta", { contentBlockIndex: index, delta: { toolUse: { input: piece } } }]);
    }
    events.push(["contentBlockStop", { contentBlockIndex: index }]);
    index++;
  }
  events.push(["messageStop", { stopReason: stopReason(turn) }]);
  events.push(["metadata", { usage: usage(turn, request), metrics: { latencyMs: 1 } }]);
  return events;
}

function eventFrame(type: string, payload: unknown): Uint8Array {
  return codec.encode({
    headers: {
      ":event-type": { type: "string", value: type },
      ":content-type": { type: "string", value: "application/json" },
      ":message-type": { type: "string", value: "event" },
    },
    body: fromUtf8(JSON.stringify(payload)),
  });
}

function toolUses(turn: Turn, n: number): Array<{ toolUseId: string; name: string; input: WireJson }> {
  return (turn.toolUses ?? []).map((t, i) => ({
    toolUseId: t.toolUseId ?? `tooluse_${n}_${i}`,
    name: t.name,
    input: t.input,
  }));
}

function stopReason(turn: Turn): string {
  return turn.stopReason ?? (turn.toolUses?.length ? "tool_use" : "end_turn");
}

/** Token counts: scripted, or about four characters a token. */
function usage(turn: Turn, request: RecordedRequest): Record<string, number> {
  const inputTokens = turn.usage?.inputTokens ?? Math.ceil(JSON.stringify(request.body).length / 4);
  const outputTokens =
    turn.usage?.outputTokens ??
    Math.ceil(((turn.text ?? "").length + JSON.stringify(turn.toolUses ?? []).length) / 4);
  return {
    inputTokens,
    outputTokens,
    totalTokens: inputTokens + outputTokens,
    ...(turn.usage?.cacheReadInputTokens === undefined
      ? {}
      : { cacheReadInputTokens: turn.usage.cacheReadInputTokens }),
    ...(turn.usage?.cacheWriteInputTokens === undefined
      ? {}
      : { cacheWriteInputTokens: turn.usage.cacheWriteInputTokens }),
  };
}

/** Splits text into word-sized deltas, spaces kept, so a stream carries several pieces. */
export function splitText(text: string): string[] {
  return text.match(/\s*\S+\s*/g) ?? [text];
}

/** A deterministic embedding: hashed word and character-trigram features, optionally unit length. */
export function hashEmbedding(text: string, dimensions: number, normalize = true): number[] {
  const vector = new Array<number>(dimensions).fill(0);
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  const add = (feature: string, weight: number): void => {
    let h = 0x811c9dc5;
    for (let i = 0; i < feature.length; i++) h = Math.imul(h ^ feature.charCodeAt(i), 0x01000193);
    const index = (h >>> 0) % dimensions;
    vector[index] = (vector[index] ?? 0) + ((h >>> 31) & 1 ? -weight : weight);
  };
  for (const word of words) {
    add(`w:${word}`, 1);
    const padded = `^${word}$`;
    for (let i = 0; i + 3 <= padded.length; i++) add(`t:${padded.slice(i, i + 3)}`, 0.25);
  }
  if (words.length === 0) vector[0] = 1;
  if (!normalize) return vector;
  const norm = Math.hypot(...vector) || 1;
  return vector.map((v) => v / norm);
}

function readBody(req: Req): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function sendJson(res: Res, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json", "x-amzn-requestid": randomUUID() });
  res.end(JSON.stringify(body));
}

function sendError(res: Res, status: number, type: string, message: string): void {
  res.writeHead(status, {
    "content-type": "application/json",
    "x-amzn-errortype": `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/`,
    "x-amzn-requestid": randomUUID(),
  });
  res.end(JSON.stringify({ message }));
}

/**
 * Drops the connection mid-answer — RST_STREAM on h2, a destroyed socket on HTTP/1.1 — a moment
 * after the bytes written so far, so the client has seen the start of the answer.
 */
function reset(res: Res): void {
  setTimeout(() => {
    if ("stream" in res) res.stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
    else res.socket?.destroy();
  }, 20);
}

function write(res: Res, chunk: string | Uint8Array): void {
  if ("stream" in res) res.write(chunk);
  else res.write(chunk);
}

function destroy(res: Res): void {
  if ("stream" in res) res.stream.destroy();
  else res.destroy();
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
