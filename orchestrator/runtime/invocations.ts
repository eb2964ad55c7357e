/**
 * `POST /invocations` (DESIGN §6): validated JSON in, the answer as JSON or as SSE events, one
 * invocation at a time per session (the orchestrator's session gate; `CONFLICT` maps to 409), the
 * actor from the token when auth is on.
 */
import { randomUUID } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { ACTOR_ID } from "../../core/actor.js";
import { FlightlyError } from "../../core/errors.js";
import type { Logger } from "../../core/logger.js";
import type { StreamEvent } from "../events.js";
import type { InvokeResult, Orchestrator } from "../orchestrator.js";
import type { Authenticator } from "./auth.js";
import { errorBody } from "./errors.js";
import type { Health } from "./health.js";

export const SESSION_HEADER = "x-amzn-bedrock-agentcore-runtime-session-id";
// biome-ignore lint/suspicious/noControlCharactersInRegex: this pattern exists to reject control characters
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

const IDEMPOTENCY_KEY = /^[\w.:-]{1,128}$/;

const bodySchema = z.strictObject({
  prompt: z
    .string({ error: "prompt must be a string" })
    .trim()
    .min(1, "prompt must not be empty")
    .max(20_000, "prompt is longer than 20000 characters")
    .refine((p) => !CONTROL.test(p), "prompt contains control characters")
    .refine((p) => !LONE_SURROGATE.test(p), "prompt contains an unpaired UTF-16 surrogate"),
  actor_id: z.string().regex(ACTOR_ID, "actor_id must be 1-128 letters, digits or . _ : @ -").optional(),
  idempotency_key: z
    .string()
    .regex(IDEMPOTENCY_KEY, "idempotency_key must be 1-128 letters, digits or . _ : -")
    .optional(),
});
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const SESSION_ID = /^[\w.:-]{1,256}$/;
type Body = { prompt: string; actor_id?: string | undefined; idempotency_key?: string | undefined };

/**
 * The body when it is plainly valid (what `bodySchema` would return), else undefined: the schema
 * then runs and says what is wrong. Most requests are valid, and this check costs a fraction of it.
 */
function plainBody(body: object): Body | undefined {
  let n = 0;
  for (const k in body) {
    if (k !== "prompt" && k !== "actor_id" && k !== "idempotency_key") return undefined;
    n++;
  }
  const b = body as Record<string, unknown>;
  if (Object.keys(b).length !== n || typeof b.prompt !== "string") return undefined;
  const prompt = b.prompt.trim();
  if (prompt.length === 0 || prompt.length > 20_000 || CONTROL.test(prompt) || LONE_SURROGATE.test(prompt))
    return undefined;
  const { actor_id, idempotency_key } = b;
  if (actor_id !== undefined && (typeof actor_id !== "string" || !ACTOR_ID.test(actor_id))) return undefined;
  if (
    idempotency_key !== undefined &&
    (typeof idempotency_key !== "string" || !IDEMPOTENCY_KEY.test(idempotency_key))
  )
    return undefined;
  return {
    prompt,
    ...(actor_id !== undefined ? { actor_id } : {}),
    ...(idempotency_key !== undefined ? { idempotency_key } : {}),
  };
}

export interface InvocationOptions {
  orchestrator: () => Orchestrator | undefined;
  health: Health;
  logger: Logger;
  authenticate: Authenticator | undefined;
  timeoutMs?: number;
}

/** One decoder for every body: a whole-buffer `decode` keeps no state between calls. */
const UTF8 = new TextDecoder("utf-8", { fatal: true });

/** JSON bodies must be valid UTF-8; a replacement character would silently change the prompt. */
function strictJsonParser(
  _req: FastifyRequest,
  body: Buffer,
  done: (err: Error | null, value?: unknown) => void,
): void {
  let text: string;
  try {
    text = UTF8.decode(body);
  } catch {
    done(new FlightlyError("BAD_REQUEST", "request body is not valid UTF-8"));
    return;
  }
  try {
    done(null, JSON.parse(text));
  } catch {
    done(new FlightlyError("BAD_REQUEST", "request body is not valid JSON"));
  }
}

export function invocationRoutes(o: InvocationOptions): (app: FastifyInstance) => void {
  return (app) => {
    app.removeContentTypeParser("application/json");
    app.addContentTypeParser("application/json", { parseAs: "buffer" }, strictJsonParser);

    app.post("/invocations", async (req, reply) => {
      // Who is asking comes first: an unauthenticated caller learns nothing about the body.
      const tokenActor = o.authenticate
        ? (await o.authenticate(req.headers.authorization)).actorId
        : undefined;
      if (!String(req.headers["content-type"] ?? "").startsWith("application/json")) {
        throw new FlightlyError("BAD_REQUEST", "Content-Type must be application/json");
      }
      if (req.body === null || typeof req.body !== "object" || Array.isArray(req.body)) {
        throw new FlightlyError("BAD_REQUEST", "body must be a JSON object");
      }
      const plain = plainBody(req.body);
      const parsed = plain ? { success: true as const, data: plain } : bodySchema.safeParse(req.body);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        const where = issue.path.length > 0 ? `${issue.path.join(".")}: ` : "";
        const message =
          issue.code === "unrecognized_keys"
            ? `unknown field ${issue.keys.join(", ")}`
            : `${where}${issue.message}`;
        throw new FlightlyError(
          "BAD_REQUEST",
          req.body === null || typeof req.body !== "object" ? "body must be a JSON object" : message,
        );
      }
      const headerSession = req.headers[SESSION_HEADER];
      const given = typeof headerSession === "string" && headerSession !== "" ? headerSession : undefined;
      if (given !== undefined && !SESSION_ID.test(given)) {
        throw new FlightlyError("BAD_REQUEST", `${SESSION_HEADER} must be 1-256 letters, digits or . _ : -`);
      }
      const sessionId = given ?? randomUUID();
      reply.header(SESSION_HEADER, sessionId);
      // With auth on, the actor is the token's subject, whatever the body says.
      const actorId = tokenActor ?? parsed.data.actor_id ?? "anonymous";

      const orchestrator = o.orchestrator();
      if (!orchestrator)
        throw new FlightlyError("UNAVAILABLE", "Flightly is starting up", { retryAfterS: 2 });

      const end = o.health.begin();
      const abort = new AbortController();
      // The response closing before it finished means the client left: stop the work.
      // (The request's own "close" fires as soon as its body has been read.)
      reply.raw.once("close", () => {
        if (!reply.raw.writableFinished) abort.abort();
      });
      try {
        const invoke = (sink?: (e: StreamEvent) => void): Promise<InvokeResult> =>
          orchestrator.invoke({
            prompt: parsed.data.prompt,
            sessionId,
            actorId,
            signal: abort.signal,
            timeoutMs: o.timeoutMs ?? 60_000,
            requestId: req.id,
            ...(parsed.data.idempotency_key ? { idempotencyKey: parsed.data.idempotency_key } : {}),
            ...(sink ? { sink } : {}),
          });
        if (String(req.headers.accept ?? "").includes("text/event-stream")) {
          return await streamInvocation(req, reply, invoke, o.logger);
        }
        return await invoke();
      } finally {
        end();
      }
    });
  };
}

async function streamInvocation(
  req: FastifyRequest,
  reply: FastifyReply,
  invoke: (sink: (e: StreamEvent) => void) => Promise<InvokeResult>,
  logger: Logger,
): Promise<FastifyReply> {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache",
    connection: "keep-alive",
    "x-request-id": req.id,
    [SESSION_HEADER]: String(reply.getHeader(SESSION_HEADER)),
  });
  const send = (e: StreamEvent): void => {
    if (!res.writableEnded) res.write(`event: ${e.event}\ndata: ${JSON.stringify(e.data)}\n\n`);
  };
  try {
    const result = await invoke(send);
    send({ event: "done", data: result });
  } catch (err) {
    const { body } = errorBody(err, req.id);
    if (body.error.code === "INTERNAL")
      logger.error({ err, requestId: req.id }, "streamed invocation failed");
    send({ event: "error", data: { code: body.error.code, message: body.error.message } });
  } finally {
    res.end();
  }
  return reply;
}
