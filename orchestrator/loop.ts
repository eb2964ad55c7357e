/**
 * The agent loop: model → tool uses → run the tools → tool results → model, until the model
 * ends its turn, hands off, or the step limit is hit. Everything else hangs on hooks.
 */

import { z } from "zod";
import type { AgentDefinition, AgentName } from "../agents/types.js";
import { FlightlyError } from "../core/errors.js";
import type { Logger } from "../core/logger.js";
import type { Tool, ToolContext } from "../tools/types.js";
import type { StreamSink } from "./events.js";
import { AfterModelCallEvent, BeforeModelCallEvent, type HookRegistry, MessageAddedEvent } from "./hooks.js";
import { toolSpec } from "./models/tool-spec.js";
import type {
  Message,
  ModelProvider,
  ModelRequest,
  ModelResponse,
  ToolSpec,
  ToolUseBlock,
  Usage,
} from "./models/types.js";
import { runTools, type ToolCallRecord } from "./tool-runner.js";
import { trailCall } from "./trail.js";

const HANDOFF_TOOL = "handoff_to_agent";
const handoffInput = z.object({
  agent: z.enum(["support", "booking", "payment"]).describe("the agent to hand the request to"),
  reason: z.string().min(1).max(500).describe("what that agent should do"),
});

export interface AgentRunOptions {
  agent: AgentDefinition;
  model: ModelProvider;
  system: string;
  messages: Message[];
  tools: ReadonlyMap<string, Tool<unknown>>;
  context: Omit<ToolContext, "idempotencyKey">;
  idempotencyKey: (toolName: string, input: unknown) => Promise<string | undefined>;
  hooks: HookRegistry;
  logger: Logger;
  maxSteps?: number;
  /** Present when a client watches: the model streams and text deltas are forwarded. */
  sink?: StreamSink;
  /** The invocation this run belongs to, carried on its hook events. */
  invocationId?: string;
}

export interface AgentRunResult {
  agent: AgentName;
  text: string;
  /** Messages this run added (assistant turns and tool results). */
  added: Message[];
  toolCalls: ToolCallRecord[];
  usage: Usage;
  modelCalls: number;
  stopReason: ModelResponse["stopReason"] | "handoff" | "step_limit";
  handoff?: { to: AgentName; reason: string };
}

const addUsage = (a: Usage, b: Usage): Usage => ({
  inputTokens: a.inputTokens + b.inputTokens,
  outputTokens: a.outputTokens + b.outputTokens,
  totalTokens: a.totalTokens + b.totalTokens,
});

const toolSpecCache = new WeakMap<Tool<unknown>, ToolSpec>();
const specOf = (tool: Tool<unknown>): ToolSpec => {
  let spec = toolSpecCache.get(tool);
  if (!spec) {
    spec = tool.inputSchema
      ? { name: tool.name, description: tool.description, inputSchema: tool.inputSchema }
      : toolSpec(tool.name, tool.description, tool.input as z.ZodType);
    toolSpecCache.set(tool, spec);
  }
  return spec;
};
const handoffSpec = toolSpec(
  HANDOFF_TOOL,
  "Hand this request to another Flightly agent that owns the task.",
  handoffInput,
);

async function callModel(o: AgentRunOptions, request: ModelRequest): Promise<ModelResponse> {
  if (!o.sink) return o.model.converse(request);
  let done: ModelResponse | undefined;
  for await (const ev of o.model.converseStream(request)) {
    if (ev.type === "text") o.sink({ event: "delta", data: { agent: o.agent.name, text: ev.delta } });
    else if (ev.type === "done") done = ev.response;
  }
  if (!done) throw new FlightlyError("MODEL_BAD_RESPONSE", "model stream ended without a response");
  return done;
}

export async function runAgent(o: AgentRunOptions): Promise<AgentRunResult> {
  const maxSteps = o.maxSteps ?? 8;
  const id = o.invocationId ?? "";
  const offered = o.agent.tools.map((n) => o.tools.get(n)).filter((t): t is Tool<unknown> => t !== undefined);
  const specs = [...offered.map(specOf), ...(o.agent.handoffs.length > 0 ? [handoffSpec] : [])];
  const own = new Map(offered.map((t) => [t.name, t]));
  const messages = [...o.messages];
  const added: Message[] = [];
  const toolCalls: ToolCallRecord[] = [];
  let usage: Usage = { inputTokens: 0, outputTokens: 0, totalTokens: 0 };
  const push = async (m: Message): Promise<void> => {
    messages.push(m);
    added.push(m);
    await o.hooks.emit(new MessageAddedEvent({ agent: o.agent.name, message: m }), o.logger);
  };

  for (let step = 0; step < maxSteps; step++) {
    const request: ModelRequest = {
      system: o.system,
      messages,
      tools: specs,
      signal: o.context.signal,
      deadline: o.context.deadline,
      promptCache: true,
    };
    await o.hooks.emit(
      new BeforeModelCallEvent({ invocationId: id, agent: o.agent.name, request }),
      o.logger,
    );
    const started = performance.now();
    let response: ModelResponse;
    try {
      response = await callModel(o, request);
    } catch (err) {
      await o.hooks.emit(
        new AfterModelCallEvent({
          invocationId: id,
          agent: o.agent.name,
          response: undefined,
          error: err,
          ms: performance.now() - started,
        }),
        o.logger,
      );
      throw err;
    }
    await o.hooks.emit(
      new AfterModelCallEvent({
        invocationId: id,
        agent: o.agent.name,
        response,
        error: undefined,
        ms: performance.now() - started,
      }),
      o.logger,
    );
    usage = addUsage(usage, response.usage);
    await push(response.message);

    const uses = response.message.content.filter((b): b is ToolUseBlock => "toolUse" in b);
    const text = response.message.content
      .map((b) => ("text" in b ? b.text : ""))
      .join("")
      .trim();
    if (response.stopReason !== "tool_use" || uses.length === 0) {
      return {
        agent: o.agent.name,
        text,
        added,
        toolCalls,
        usage,
        modelCalls: step + 1,
        stopReason: response.stopReason,
      };
    }

    const handoff = uses.find((u) => u.toolUse.name === HANDOFF_TOOL);
    if (handoff) {
      const parsed = handoffInput.safeParse(handoff.toolUse.input);
      if (parsed.success && o.agent.handoffs.includes(parsed.data.agent)) {
        return {
          agent: o.agent.name,
          text,
          added,
          toolCalls,
          usage,
          modelCalls: step + 1,
          stopReason: "handoff",
          handoff: { to: parsed.data.agent, reason: parsed.data.reason },
        };
      }
    }

    const { records, blocks } = await runTools({
      invocationId: id,
      agent: o.agent.name,
      tools: own,
      uses: uses.filter((u) => u.toolUse.name !== HANDOFF_TOOL || !handoff),
      context: o.context,
      idempotencyKey: o.idempotencyKey,
      hooks: o.hooks,
      logger: o.logger,
    });
    if (handoff) {
      // An invalid handoff is answered like a failed tool so the model can correct itself.
      blocks.push({
        toolResult: {
          toolUseId: handoff.toolUse.toolUseId,
          status: "error",
          content: [
            { json: { error: `the ${o.agent.name} agent may hand off to: ${o.agent.handoffs.join(", ")}` } },
          ],
        },
      });
    }
    for (const r of records) {
      toolCalls.push(r);
      if (o.sink) {
        const call = trailCall(r);
        o.sink({ event: "tool", data: { agent: o.agent.name, name: r.name, ...call } });
      }
    }
    await push({ role: "user", content: blocks });
  }
  return {
    agent: o.agent.name,
    text: "I could not finish this request within my step limit. Nothing further was changed.",
    added,
    toolCalls,
    usage,
    modelCalls: maxSteps,
    stopReason: "step_limit",
  };
}
