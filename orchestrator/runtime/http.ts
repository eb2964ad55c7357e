/**
 * The AgentCore Runtime HTTP protocol (DESIGN §6) on Fastify: `GET /ping` and
 * `POST /invocations`. Request ids on every answer; errors in the JSON envelope.
 */
import { randomUUID } from "node:crypto";
import Fastify, { type FastifyInstance } from "fastify";
import { FlightlyError } from "../../core/errors.js";
import type { Logger } from "../../core/logger.js";
import { errorBody } from "./errors.js";
import type { Health } from "./health.js";

export interface HttpOptions {
  logger: Logger;
  health: Health;
  /** Largest accepted body, bytes. */
  bodyLimit?: number;
  /** Registers the invocation route; absent until the orchestrator is wired. */
  routes?: (app: FastifyInstance) => void;
  /** Counters for `GET /metrics` (JSON). */
  metrics?: () => unknown;
  /** When auth is on, `/metrics` needs a valid token too. */
  authenticate?: (authorization: string | undefined) => Promise<unknown>;
  /** `Host` names accepted (`*`: any); `/ping` answers whatever the host, for health checks. */
  allowedHosts?: readonly string[];
}

function hostnameOf(value: string | undefined): string | undefined {
  if (!value) return undefined;
  try {
    return new URL(`http://${value}`).hostname.toLowerCase();
  } catch {
    return undefined;
  }
}

export function createHttpServer(options: HttpOptions): FastifyInstance {
  const app = Fastify({
    bodyLimit: options.bodyLimit ?? 1_048_576,
    logger: false,
    genReqId: (req) => {
      const given = req.headers["x-request-id"];
      return typeof given === "string" && /^[\w.-]{1,128}$/.test(given) ? given : randomUUID();
    },
    return503OnClosing: true,
  });

  const allowed = new Set(
    (options.allowedHosts ?? ["localhost", "127.0.0.1", "[::1]"]).map((h) => h.toLowerCase()),
  );
  const anyHost = allowed.has("*");
  // `Host` values seen (a client sends the same one every time): parsed once, not per request.
  const hostAllowed = new Map<string, boolean>();
  const isAllowed = (value: string | undefined): boolean => {
    if (value === undefined) return false;
    let ok = hostAllowed.get(value);
    if (ok === undefined) {
      const host = hostnameOf(value);
      ok = host !== undefined && allowed.has(host);
      if (hostAllowed.size >= 1_000) hostAllowed.clear();
      hostAllowed.set(value, ok);
    }
    return ok;
  };
  // One synchronous hook: the request id on every answer (errors and 404s included), then the host.
  app.addHook("onRequest", (req, reply, done) => {
    reply.header("x-request-id", req.id);
    if (anyHost || req.url === "/ping" || isAllowed(req.headers.host)) done();
    else done(new FlightlyError("FORBIDDEN", "Host not allowed (ALLOWED_HOSTS)"));
  });

  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, req, reply) => {
    let mapped = err;
    if (!(err instanceof FlightlyError)) {
      if (err.statusCode === 413)
        mapped = new FlightlyError("PAYLOAD_TOO_LARGE", "request body is too large");
      else if (err.statusCode === 415)
        mapped = new FlightlyError("BAD_REQUEST", "Content-Type must be application/json");
      else if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
        mapped = new FlightlyError(
          "BAD_REQUEST",
          err.code === "FST_ERR_CTP_INVALID_JSON_BODY" || /JSON/i.test(err.message)
            ? "request body is not valid JSON"
            : err.message,
        );
      }
    }
    const { status, body, retryAfterS } = errorBody(mapped, req.id);
    // A client that hung up cancels its invocation: nothing failed here, and no one reads the answer.
    const clientLeft = req.raw.socket?.destroyed === true && !reply.raw.writableEnded;
    if (clientLeft) options.logger.info({ requestId: req.id }, "client left before the answer");
    else if (status >= 500) options.logger.error({ err, requestId: req.id }, "request failed");
    if (retryAfterS !== undefined) reply.header("retry-after", String(retryAfterS));
    if (status === 401 && !reply.hasHeader("www-authenticate")) {
      reply.header(
        "www-authenticate",
        body.error.message.includes("required") ? "Bearer" : 'Bearer error="invalid_token"',
      );
    }
    return reply.status(status).send(body);
  });

  app.setNotFoundHandler((req, reply) =>
    reply.status(404).send({
      error: { code: "NOT_FOUND", message: `no route ${req.method} ${req.url}`, request_id: req.id },
    }),
  );

  app.get("/ping", async () => options.health.status());
  if (options.metrics) {
    const metrics = options.metrics;
    app.get("/metrics", async (req) => {
      await options.authenticate?.(req.headers.authorization);
      return { health: options.health.status(), ...(metrics() as object) };
    });
  }
  options.routes?.(app);
  return app;
}
