/**
 * The orchestrator as an MCP server (`flightly`): `ask` runs an invocation and returns the answer
 * with its handoff trail (with a progress notification per agent and tool step when the client
 * sends a progress token); `recall_memories` searches the calling actor's long-term memory; the
 * prompts, resources and completions live in `mcp-prompts.ts`. The actor comes from the transport's
 * authenticated identity (or the configured local actor for stdio), never from tool arguments.
 * The tool and prompt sets never change, so `listChanged` is not advertised.
 */

import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { LoggingLevel, ServerNotification } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { canonicalActorId } from "../core/actor.js";
import { isFlightlyError } from "../core/errors.js";
import type { Logger } from "../core/logger.js";
import { ROOT } from "../core/paths.js";
import type { StreamEvent, StreamSink } from "./events.js";
import { registerPrompts } from "./mcp-prompts.js";
import type { MemoryPort } from "./memory-port.js";
import type { Orchestrator } from "./orchestrator.js";

export interface OrchestratorMcpDeps {
  orchestrator: Orchestrator;
  memory: MemoryPort;
  logger: Logger;
  /** The actor this server acts for (token subject for HTTP, configured actor for stdio). */
  actorId: (extra: { authInfo?: { extra?: Record<string, unknown> } }) => string;
}

/** The project's `homepage` (package.json), shown as the server's website when it has one. */
function homepage(): string | undefined {
  try {
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { homepage?: unknown };
    return typeof pkg.homepage === "string" && /^https?:\/\//.test(pkg.homepage) ? pkg.homepage : undefined;
  } catch {
    return undefined;
  }
}

const WEBSITE = homepage();
const SERVER_INFO = {
  name: "flightly",
  title: "Flightly",
  version: "0.1.0",
  ...(WEBSITE ? { websiteUrl: WEBSITE } : {}),
};

const INSTRUCTIONS =
  "Flightly is a travel service run by three agents (support, booking, payment). Use `ask` for " +
  "anything about trips: policies, flights, hotels, bookings, insurance, payments; pass the same " +
  "session_id to continue a conversation. Use `recall_memories` to see what Flightly remembers " +
  "about the user (preferences, facts, past trips). The `plan_trip` and `policy_lookup` prompts " +
  "start the common requests; their place and topic arguments complete. The policy documents are " +
  "resources at flightly://policies/{slug}.";

const asResult = <T extends object>(
  value: T,
): { content: { type: "text"; text: string }[]; structuredContent: Record<string, unknown> } => ({
  content: [{ type: "text", text: JSON.stringify(value) }],
  structuredContent: value as Record<string, unknown>,
});

// biome-ignore lint/suspicious/noControlCharactersInRegex: this pattern exists to reject control characters
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
/** A UTF-16 surrogate without its pair: not a character, and not encodable as UTF-8. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Free text as `/invocations` accepts it: trimmed, bounded, no control characters, well-formed UTF-16. */
const text = (max: number) =>
  z
    .string()
    .trim()
    .min(1, "must not be empty")
    .max(max, `must be at most ${max} characters`)
    .refine((t) => !CONTROL.test(t), "must not contain control characters")
    .refine((t) => !LONE_SURROGATE.test(t), "must be valid Unicode (no lone surrogates)");

const toolError = (message: string): { content: { type: "text"; text: string }[]; isError: true } => ({
  content: [{ type: "text", text: message }],
  isError: true,
});

/**
 * `InvokeResult` (orchestrator.ts) as a schema: what `ask` returns in `structuredContent`. Objects
 * are open: the trail gains fields (handoff reasons, the cache decision, the checkpoint, references)
 * that clients may read without this schema listing each one.
 */
const askOutput = z.looseObject({
  response: z.string().describe("the answer"),
  session_id: z.string(),
  actor_id: z.string(),
  model: z.string(),
  cache: z.looseObject({
    hit: z.boolean(),
    kind: z.enum(["exact", "semantic"]).nullable(),
    similarity: z.number().nullable(),
    matched_prompt: z.string().optional(),
    entry_id: z.string().optional(),
  }),
  agents: z
    .array(
      z.looseObject({
        agent: z.string(),
        tools: z.array(z.string()),
        calls: z
          .array(
            z.looseObject({
              tool: z.string(),
              input: z.unknown(),
              status: z.enum(["success", "error"]),
              summary: z.string(),
              ms: z.number(),
            }),
          )
          .optional(),
      }),
    )
    .describe("the handoff trail: each agent with the tools it called"),
  route: z
    .looseObject({ plan: z.array(z.string()), confident: z.boolean(), similarity: z.number() })
    .nullable(),
  usage: z.looseObject({
    inputTokens: z.number(),
    outputTokens: z.number(),
    totalTokens: z.number(),
    cacheReadInputTokens: z.number().optional(),
    cacheWriteInputTokens: z.number().optional(),
    modelCalls: z.number(),
    toolCalls: z.number(),
  }),
  timing_ms: z.record(z.string(), z.number()),
});

const recallOutput = z.object({
  memories: z.array(
    z.object({
      kind: z.string().describe("preference, fact, summary or episode"),
      content: z.string(),
      similarity: z.number().describe("cosine similarity to the query"),
    }),
  ),
});

type Notify = (notification: ServerNotification) => Promise<void>;

/** What a progress notification says of one step of the invocation; nothing for text deltas. */
function stepMessage(event: StreamEvent): string | undefined {
  if (event.event === "agent") return `${event.data.agent} agent working (step ${event.data.step + 1})`;
  if (event.event === "tool") return `${event.data.agent}: ${event.data.name} ${event.data.status}`;
  return undefined;
}

/** A sink that turns each agent and tool step into a progress notification for `token`. */
function progressSink(token: string | number, notify: Notify, logger: Logger): StreamSink {
  let progress = 0;
  return (event) => {
    const message = stepMessage(event);
    if (message === undefined) return;
    progress += 1;
    notify({ method: "notifications/progress", params: { progressToken: token, progress, message } }).catch(
      (err: unknown) => logger.debug({ err }, "progress notification not delivered"),
    );
  };
}

export function createOrchestratorMcpServer(deps: OrchestratorMcpDeps): McpServer {
  const server = new McpServer(SERVER_INFO, {
    instructions: INSTRUCTIONS,
    capabilities: { logging: {} },
  });
  /** A log message to the client (dropped below the level it set with `logging/setLevel`). */
  const tell = (level: LoggingLevel, data: string, sessionId: string | undefined): void => {
    server
      .sendLoggingMessage({ level, logger: "flightly", data }, sessionId)
      .catch((err: unknown) => deps.logger.debug({ err }, "log notification not delivered"));
  };

  server.registerTool(
    "ask",
    {
      title: "Ask Flightly",
      description:
        "Ask Flightly's travel agents (support, booking, payment) anything: policies, flights, hotels, bookings, " +
        "insurance, payments. Returns the answer and the trail of agents and tools that produced it. " +
        "Pass the same session_id to continue a conversation.",
      // Strict: an unknown field (say `actor_id`) is an error, never silently dropped.
      inputSchema: z.strictObject({
        prompt: text(20_000).describe("the request, in plain language"),
        session_id: z
          .string()
          .regex(/^[\w.:-]{1,256}$/, "must be 1-256 letters, digits or . _ : -")
          .optional()
          .describe("continue this session; omit to start a new one"),
      }),
      outputSchema: askOutput,
      // It books, cancels and pays through outside systems: destructive and open-world.
      annotations: {
        title: "Ask Flightly",
        readOnlyHint: false,
        destructiveHint: true,
        idempotentHint: false,
        openWorldHint: true,
      },
    },
    async ({ prompt, session_id }, extra) => {
      const token = extra._meta?.progressToken;
      try {
        const result = await deps.orchestrator.invoke({
          prompt,
          sessionId: session_id ?? randomUUID(),
          actorId: deps.actorId(extra),
          signal: extra.signal,
          ...(token === undefined ? {} : { sink: progressSink(token, extra.sendNotification, deps.logger) }),
        });
        return asResult(result);
      } catch (err) {
        deps.logger.warn({ err }, "ask failed");
        const message =
          isFlightlyError(err) && err.status < 500 ? err.message : "Flightly could not answer right now";
        tell("error", `ask failed: ${message}`, extra.sessionId);
        return toolError(message);
      }
    },
  );

  server.registerTool(
    "recall_memories",
    {
      title: "Recall memories",
      description: "Search what Flightly remembers about you (preferences, facts, past trip summaries).",
      inputSchema: z.strictObject({
        query: text(2_000).describe("what to look for"),
        k: z.number().int().min(1).max(20).optional().describe("how many memories (default 5)"),
      }),
      outputSchema: recallOutput,
      annotations: { title: "Recall memories", readOnlyHint: true, openWorldHint: false },
    },
    async ({ query, k }, extra) => {
      try {
        const memories = await deps.memory.recall(canonicalActorId(deps.actorId(extra)), query, k ?? 5);
        return asResult({ memories });
      } catch (err) {
        deps.logger.warn({ err }, "recall_memories failed");
        tell("warning", "recall_memories: memories are unavailable right now", extra.sessionId);
        return toolError("memories are unavailable right now");
      }
    },
  );

  registerPrompts(server);
  // The tools and prompts above are all there ever are: no list-changed notifications.
  server.server.registerCapabilities({
    tools: { listChanged: false },
    prompts: { listChanged: false },
    resources: { listChanged: false },
  });
  return server;
}
