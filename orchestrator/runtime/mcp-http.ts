/**
 * `flightly serve --protocol mcp`: the orchestrator as a stateless Streamable HTTP MCP server at
 * `/mcp` (AgentCore's MCP protocol). Each POST gets a fresh server and transport; the
 * `Mcp-Session-Id` AgentCore adds is accepted and echoed, and the session of the `ask` tool is the
 * tool's own `session_id`.
 *
 * Every answer of `/mcp` is JSON-RPC, never the REST runtime's error envelope: the route lives in
 * its own Fastify scope with its own body parser (the raw text, parsed here: invalid JSON is a
 * -32700 parse error), body limit and error handler (an oversized body, a refused Host, a failed
 * authentication or an unexpected fault each become a JSON-RPC error with the HTTP status; no
 * stack or connection detail). GET and DELETE are 405 with `Allow: POST` (no standalone stream
 * and no session to end in a stateless server).
 */
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import type { FastifyError, FastifyInstance, FastifyReply } from "fastify";
import { FlightlyError, isFlightlyError } from "../../core/errors.js";
import type { Logger } from "../../core/logger.js";
import { createOrchestratorMcpServer } from "../mcp-server.js";
import type { App } from "./app.js";
import type { Authenticator } from "./auth.js";
import { errorBody } from "./errors.js";

export interface McpRoutesOptions {
  app: () => App | undefined;
  logger: Logger;
  authenticate: Authenticator | undefined;
  /** The actor when auth is off. */
  localActorId: string;
  /** Largest accepted request body, bytes (default 4 MiB). */
  bodyLimit?: number;
}

/** JSON-RPC codes: the body is not JSON, or not a request we accept; anything else the server refuses or fails at. */
const PARSE_ERROR = -32700;
const INVALID_REQUEST = -32600;
const SERVER_ERROR = -32000;
const INTERNAL_ERROR = -32603;

/** A `__proto__` or `constructor.prototype` key: refused before any code can merge it into an object. */
class PoisonedKeyError extends Error {}
const refusePoisonedKeys = (key: string, value: unknown): unknown => {
  if (key === "__proto__") throw new PoisonedKeyError(key);
  if (key === "constructor" && value !== null && typeof value === "object" && "prototype" in value)
    throw new PoisonedKeyError(key);
  return value;
};

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);
const loopbackOrigin = (origin: string): boolean => {
  try {
    return LOOPBACK.has(new URL(origin).hostname.toLowerCase());
  } catch {
    return false;
  }
};

const rpcError = (code: number, message: string, data?: Record<string, unknown>) => ({
  jsonrpc: "2.0" as const,
  error: { code, message, ...(data ? { data } : {}) },
  id: null,
});

/** An error that reached the route as the status and JSON-RPC body to answer with. */
function toRpc(
  err: FastifyError | Error,
  requestId: string,
  bodyLimit: number,
): { status: number; body: ReturnType<typeof rpcError>; retryAfterS?: number } {
  const status = (err as { statusCode?: number }).statusCode;
  if (!isFlightlyError(err) && status === 413) {
    return {
      status: 413,
      body: rpcError(SERVER_ERROR, `request body is larger than ${bodyLimit} bytes`),
    };
  }
  if (!isFlightlyError(err) && status === 415) {
    return { status: 415, body: rpcError(SERVER_ERROR, "Content-Type must be application/json") };
  }
  // Fastify's own 4xx (a malformed request line or header): the client's fault, said briefly.
  const mapped =
    !isFlightlyError(err) && status !== undefined && status >= 400 && status < 500
      ? new FlightlyError("BAD_REQUEST", "malformed request")
      : err;
  const { status: code, body, retryAfterS } = errorBody(mapped, requestId);
  return {
    status: code,
    body: rpcError(code >= 500 && code !== 503 ? INTERNAL_ERROR : SERVER_ERROR, body.error.message, {
      code: body.error.code,
      request_id: requestId,
    }),
    ...(retryAfterS === undefined ? {} : { retryAfterS }),
  };
}

/** Whether a request in the body asks for progress, which only a streamed (SSE) answer can carry. */
function wantsProgress(body: unknown): boolean {
  const messages = Array.isArray(body) ? body : [body];
  return messages.some((m) => {
    const meta = (m as { params?: { _meta?: { progressToken?: unknown } } } | null)?.params?._meta;
    return meta?.progressToken !== undefined;
  });
}

export function mcpRoutes(o: McpRoutesOptions): (http: FastifyInstance) => void {
  const bodyLimit = o.bodyLimit ?? 4 * 1024 * 1024;
  return (http) => {
    void http.register(async (scope) => {
      // The raw text whatever the Content-Type (the transport answers a wrong one with 415).
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser("*", { parseAs: "string", bodyLimit }, (_req, body, done) =>
        done(null, body),
      );
      scope.setErrorHandler((err: FastifyError, req, reply) => {
        const { status, body, retryAfterS } = toRpc(err, req.id, bodyLimit);
        if (status >= 500) o.logger.error({ err, requestId: req.id }, "MCP request failed");
        if (retryAfterS !== undefined) reply.header("retry-after", String(retryAfterS));
        if (status === 401 && !reply.hasHeader("www-authenticate"))
          reply.header("www-authenticate", "Bearer");
        return reply.status(status).send(body);
      });

      scope.post("/mcp", { bodyLimit }, async (req, reply) => {
        const app = o.app();
        if (!app) {
          reply.header("retry-after", "2");
          return reply.status(503).send(rpcError(SERVER_ERROR, "Flightly is starting up"));
        }
        // Without auth, a browser page must not drive the local actor's agent (DNS rebinding):
        // browsers always send Origin on a POST, MCP clients that are not browsers never do.
        const origin = req.headers.origin;
        if (!o.authenticate && origin !== undefined && !loopbackOrigin(origin)) {
          return reply.status(403).send(rpcError(SERVER_ERROR, "Forbidden: Origin not allowed"));
        }
        let actorId = o.localActorId;
        if (o.authenticate) {
          try {
            actorId = (await o.authenticate(req.headers.authorization)).actorId;
          } catch (err) {
            // RFC 6750 §3 (and the MCP authorization spec): a 401 names the scheme to use.
            if (isFlightlyError(err) && err.code === "UNAUTHORIZED") {
              reply.header(
                "www-authenticate",
                req.headers.authorization ? 'Bearer error="invalid_token"' : "Bearer",
              );
            }
            throw err;
          }
        }
        let body: unknown;
        try {
          body = JSON.parse(typeof req.body === "string" ? req.body : "", refusePoisonedKeys);
        } catch (err) {
          const poisoned = err instanceof PoisonedKeyError;
          return reply
            .status(400)
            .send(
              poisoned
                ? rpcError(
                    INVALID_REQUEST,
                    "Invalid request: __proto__ and constructor.prototype keys are refused",
                  )
                : rpcError(PARSE_ERROR, "Parse error: the body is not valid JSON"),
            );
        }
        const server = createOrchestratorMcpServer({
          orchestrator: app.orchestrator,
          memory: app.memory,
          logger: o.logger,
          actorId: () => actorId,
        });
        // No sessionIdGenerator: stateless. One JSON answer, unless progress must stream.
        const transport = new StreamableHTTPServerTransport({ enableJsonResponse: !wantsProgress(body) });
        reply.hijack();
        reply.raw.on("close", () => {
          void transport.close();
          void server.close();
        });
        const sessionId = req.headers["mcp-session-id"];
        if (typeof sessionId === "string") reply.raw.setHeader("mcp-session-id", sessionId);
        try {
          await server.connect(transport);
          await transport.handleRequest(req.raw, reply.raw, body);
        } catch (err) {
          // Hijacked: Fastify's error handler cannot answer any more, so answer here.
          o.logger.error({ err, requestId: req.id }, "MCP request failed");
          sendRaw(reply, 500, rpcError(INTERNAL_ERROR, "internal error", { request_id: req.id }));
        }
      });

      const notAllowed = async (_req: unknown, reply: FastifyReply) =>
        reply
          .status(405)
          .header("allow", "POST")
          .send(rpcError(SERVER_ERROR, "Method not allowed: this stateless server answers POST only"));
      scope.route({ method: ["GET", "DELETE", "PUT", "PATCH"], url: "/mcp", handler: notAllowed });
    });
  };
}

function sendRaw(reply: FastifyReply, status: number, body: unknown): void {
  const res = reply.raw;
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}
