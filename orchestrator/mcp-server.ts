/**
 * The orchestrator as an MCP server (`flightly`): `ask` runs an invocation and returns the answer
 * with its handoff trail; `recall_memories` searches the calling actor's long-term memory.
 * The actor comes from the transport's authenticated identity (or the configured local actor
 * for stdio), never from tool arguments.
 */

import { randomUUID } from "node:crypto";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import { canonicalActorId } from "../core/actor.js";
import { isFlightlyError } from "../core/errors.js";
import type { Logger } from "../core/logger.js";
import type { MemoryPort } from "./memory-port.js";
import type { Orchestrator } from "./orchestrator.js";

export interface OrchestratorMcpDeps {
  orchestrator: Orchestrator;
  memory: MemoryPort;
  logger: Logger;
  /** The actor this server acts for (token subject for HTTP, configured actor for stdio). */
  actorId: (extra: { authInfo?: { extra?: Record<string, unknown> } }) => string;
}

const asText = (
  value: unknown,
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

export function createOrchestratorMcpServer(deps: OrchestratorMcpDeps): McpServer {
  const server = new McpServer({ name: "flightly", version: "0.1.0" });

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
      // It books, cancels and pays through outside systems: destructive and open-world.
      annotations: {
        readOnlyHint: false,
        destructiveHint: true,
        idempotentHint: false,
        openWorldHint: true,
      },
    },
    async ({ prompt, session_id }, extra) => {
      try {
        const result = await deps.orchestrator.invoke({
          prompt,
          sessionId: session_id ?? randomUUID(),
          actorId: deps.actorId(extra),
          signal: extra.signal,
        });
        return asText(result);
      } catch (err) {
        deps.logger.warn({ err }, "ask failed");
        return toolError(
          isFlightlyError(err) && err.status < 500 ? err.message : "Flightly could not answer right now",
        );
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
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async ({ query, k }, extra) => {
      try {
        const memories = await deps.memory.recall(canonicalActorId(deps.actorId(extra)), query, k ?? 5);
        return asText({ memories });
      } catch (err) {
        deps.logger.warn({ err }, "recall_memories failed");
        return toolError("memories are unavailable right now");
      }
    },
  );
  return server;
}
