/**
 * A tool: a name, a description written for a model, a zod input schema (turned into the
 * Converse tool spec) and a handler. A failing tool returns `{status: "error"}` the model can
 * read; only infrastructure faults throw. Tools enforce the actor themselves.
 */
import type { z } from "zod";
import type { JsonValue } from "../core/json.js";
import type { Logger } from "../core/logger.js";

export interface Actor {
  /** `customers.id` as text, or a guest id. */
  id: string;
  /** True when the actor is not a known customer: account actions are declined. */
  guest: boolean;
}

export interface ToolContext {
  actor: Actor;
  sessionId: string;
  logger: Logger;
  signal: AbortSignal;
  /** Absolute deadline, epoch ms. */
  deadline: number;
  /**
   * Idempotency key for side effects of this call, derived by the orchestrator from the session,
   * workflow step and tool (so a resumed workflow never repeats a charge or a booking).
   */
  idempotencyKey?: string;
}

export type ToolResult =
  | { status: "success"; json: JsonValue }
  | { status: "error"; error: string; json?: JsonValue };

export interface Tool<I = unknown> {
  readonly name: string;
  readonly description: string;
  readonly input: z.ZodType<I>;
  /** Changes data (booking, payment): never cached, never retried blindly. */
  readonly sideEffect: boolean;
  /** JSON Schema offered to the model when it is not derived from `input` (MCP tools). */
  readonly inputSchema?: Record<string, unknown>;
  run(input: I, ctx: ToolContext): Promise<ToolResult>;
}

export const ok = (json: JsonValue): ToolResult => ({ status: "success", json });
export const fail = (error: string, json?: JsonValue): ToolResult =>
  json === undefined ? { status: "error", error } : { status: "error", error, json };
