/**
 * A local OpenAI-compatible chat-completions server (`POST …/chat/completions`, JSON or SSE when
 * `stream: true`) driven by the same scripted `Turn`s as the Bedrock server, recording every
 * request. Errors use the OpenAI shape `{error: {message, type, code}}` with `Retry-After` on 429.
 */
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import {
  type ScriptedFault,
  scriptFromTurns,
  splitText,
  type Turn,
  type WireJson,
} from "./bedrock-server.js";

export interface ChatRequestBody {
  model?: string;
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  messages?: Array<{
    role: string;
    content?: string | null;
    tool_call_id?: string;
    tool_calls?: Array<{ id: string; type: string; function: { name: string; arguments: string } }>;
  }>;
  tools?: Array<{
    type: string;
    function: { name: string; description?: string; parameters: Record<string, WireJson> };
  }>;
  max_tokens?: number;
  temperature?: number;
  top_p?: number;
  stop?: string[];
}

export interface RecordedChatRequest {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: ChatRequestBody;
  turn: number;
}

export type ChatTurnHandler = (request: RecordedChatRequest) => Turn | Promise<Turn>;

export interface OpenAIServer {
  /** Base URL including `/v1`, as `OPENAI_BASE_URL` expects. */
  readonly url: string;
  readonly port: number;
  readonly requests: RecordedChatRequest[];
  close(): Promise<void>;
}

const FAULTS: Record<ScriptedFault, { status: number; type: string; code: string; message: string }> = {
  throttled: {
    status: 429,
    type: "rate_limit_error",
    code: "rate_limit_exceeded",
    message: "Rate limit reached for requests",
  },
  unavailable: {
    status: 503,
    type: "server_error",
    code: "service_unavailable",
    message: "The server is overloaded.",
  },
  "not-ready": { status: 503, type: "server_error", code: "model_loading", message: "The model is loading." },
  "context-overflow": {
    status: 400,
    type: "invalid_request_error",
    code: "context_length_exceeded",
    message:
      "This model's maximum context length is 8192 tokens. However, your messages resulted in 9120 tokens.",
  },
  validation: {
    status: 400,
    type: "invalid_request_error",
    code: "invalid_request",
    message: "Invalid request.",
  },
  internal: {
    status: 500,
    type: "server_error",
    code: "internal_error",
    message: "The server had an error.",
  },
  "model-timeout": { status: 504, type: "server_error", code: "timeout", message: "The model timed out." },
  "access-denied": {
    status: 401,
    type: "invalid_request_error",
    code: "invalid_api_key",
    message: "Invalid API key.",
  },
};

/** Starts the server on 127.0.0.1 and a free port. */
export async function startOpenAIServer(
  handler: ChatTurnHandler | readonly Turn[] = [],
): Promise<OpenAIServer> {
  const next: ChatTurnHandler = typeof handler === "function" ? handler : scriptFromTurns(handler);
  const requests: RecordedChatRequest[] = [];
  const sockets = new Set<Socket>();
  const stalled = new Set<ServerResponse>();
  let turns = 0;

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const path = (req.url ?? "").split("?")[0] ?? "";
    if (req.method !== "POST" || !path.endsWith("/chat/completions")) {
      return sendJson(res, 404, { error: { message: `no route ${req.method} ${path}`, type: "not_found" } });
    }
    let body: ChatRequestBody;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as ChatRequestBody;
    } catch {
      return sendJson(res, 400, { error: { message: "body is not JSON", type: "invalid_request_error" } });
    }
    const recorded: RecordedChatRequest = { path, headers: { ...req.headers }, body, turn: turns++ };
    requests.push(recorded);
    const turn = await next(recorded);
    if (turn.delayMs) await new Promise((r) => setTimeout(r, turn.delayMs));
    if (turn.stall) {
      stalled.add(res);
      return;
    }
    if (turn.error) {
      const fault = FAULTS[turn.error];
      res.writeHead(fault.status, {
        "content-type": "application/json",
        ...(turn.retryAfterS === undefined ? {} : { "retry-after": String(turn.retryAfterS) }),
      });
      res.end(
        JSON.stringify({
          error: { message: turn.errorMessage ?? fault.message, type: fault.type, code: fault.code },
        }),
      );
      return;
    }
    if (turn.malformed !== undefined) {
      res.writeHead(200, { "content-type": body.stream ? "text/event-stream" : "application/json" });
      res.end(body.stream ? `data: ${turn.malformed}\n\n` : turn.malformed);
      return;
    }
    const id = `chatcmpl-${recorded.turn}`;
    const calls = (turn.toolUses ?? []).map((t, i) => ({
      id: t.toolUseId ?? `call_${recorded.turn}_${i}`,
      type: "function" as const,
      function: { name: t.name, arguments: JSON.stringify(t.input) },
    }));
    const finish = turn.stopReason ?? (calls.length > 0 ? "tool_calls" : "stop");
    const promptTokens = turn.usage?.inputTokens ?? Math.ceil(JSON.stringify(body.messages ?? []).length / 4);
    const completionTokens =
      turn.usage?.outputTokens ?? Math.ceil(((turn.text ?? "").length + JSON.stringify(calls).length) / 4);
    const usage = {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
      ...(turn.usage?.cacheReadInputTokens === undefined
        ? {}
        : { prompt_tokens_details: { cached_tokens: turn.usage.cacheReadInputTokens } }),
    };

    if (!body.stream) {
      const json = JSON.stringify({
        id,
        object: "chat.completion",
        model: body.model,
        choices: [
          {
            index: 0,
            message: {
              role: "assistant",
              content: turn.text ?? null,
              ...(calls.length ? { tool_calls: calls } : {}),
            },
            finish_reason: finish,
          },
        ],
        usage,
      });
      res.writeHead(200, { "content-type": "application/json" });
      if (!turn.cut) return void res.end(json);
      res.write(json.slice(0, Math.floor(json.length / 2)));
      return cut(res, turn.cut);
    }

    const chunk = (delta: Record<string, unknown>, finishReason: string | null = null): string =>
      `data: ${JSON.stringify({ id, object: "chat.completion.chunk", choices: [{ index: 0, delta, finish_reason: finishReason }] })}\n\n`;
    const events: string[] = [chunk({ role: "assistant", content: "" })];
    for (const piece of turn.text === undefined ? [] : splitText(turn.text))
      events.push(chunk({ content: piece }));
    calls.forEach((call, index) => {
      const args = call.function.arguments;
      const half = Math.ceil(args.length / 2);
      events.push(
        chunk({
          tool_calls: [
            { index, id: call.id, type: "function", function: { name: call.function.name, arguments: "" } },
          ],
        }),
      );
      for (const part of [args.slice(0, half), args.slice(half)].filter(Boolean)) {
        events.push(chunk({ tool_calls: [{ index, function: { arguments: part } }] }));
      }
    });
    events.push(chunk({}, finish));
    if (body.stream_options?.include_usage) {
      events.push(`data: ${JSON.stringify({ id, object: "chat.completion.chunk", choices: [], usage })}\n\n`);
    }
    events.push("data: [DONE]\n\n");
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    const cutAt = turn.cut
      ? Math.min(turn.cutAfter ?? Math.max(2, events.length - 3), events.length)
      : events.length;
    for (const event of events.slice(0, cutAt)) res.write(event);
    if (!turn.cut) return void res.end();
    if (turn.cut === "truncate") {
      const event = events[cutAt] ?? "data: [DONE]\n\n";
      return void res.end(event.slice(0, Math.floor(event.length / 2)));
    }
    if (turn.cut === "exception") {
      return void res.end(
        `data: ${JSON.stringify({ error: { message: turn.errorMessage ?? "The model stream failed.", type: "server_error" } })}\n\n`,
      );
    }
    cut(res, turn.cut);
  }

  function cut(res: ServerResponse, how: NonNullable<Turn["cut"]>): void {
    if (how === "stall") stalled.add(res);
    // A moment after the bytes written so far, so the client has seen the start of the answer.
    else if (how === "reset") setTimeout(() => res.socket?.destroy(), 20);
    else res.end();
  }

  const server = http.createServer((req, res) => {
    serve(req, res).catch((err: unknown) => {
      if (res.headersSent) res.destroy();
      else sendJson(res, 500, { error: { message: `test server: ${String(err)}`, type: "server_error" } });
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    port,
    requests,
    close: async () => {
      for (const res of stalled) res.destroy();
      stalled.clear();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}
