/**
 * Runs a plan of agents in order. Each step reads earlier outputs from the session checkpoint,
 * runs its agent, and writes its own outputs back (compare-and-set) before the next starts, so
 * a crashed workflow resumes at the first unfinished step. Side-effecting tools get idempotency
 * keys derived from the workflow and step, so a resumed step never repeats a booking or charge.
 * Handoffs are bounded and never bounce straight back.
 */
import { agents } from "../agents/index.js";
import { orderPlan, runsBefore } from "../agents/plan.js";
import type { AgentName } from "../agents/types.js";
import type { Logger } from "../core/logger.js";
import { redactText, unredactableDigest } from "../core/redact.js";
import { canonicalJson } from "../tools/cache.js";
import type { Actor, Tool } from "../tools/types.js";
import { systemPrompt } from "./context-block.js";
import type { StreamSink } from "./events.js";
import { AgentEndEvent, AgentStartEvent, HandoffEvent, type HookRegistry } from "./hooks.js";
import { type AgentRunResult, runAgent } from "./loop.js";
import type { MemoryPort, TurnContext } from "./memory-port.js";
import type { ModelProvider, Usage } from "./models/types.js";
import { sessionUpdates, stepOutputs } from "./tool-catalog.js";
import type { ToolCallRecord } from "./tool-runner.js";
import { type TrailHandoff, trailCall } from "./trail.js";
import { buildWindow } from "./window.js";
import { intentKey, type TrailEntry, type WorkflowState } from "./workflow-state.js";

export interface WorkflowDeps {
  model: ModelProvider;
  tools: ReadonlyMap<string, Tool<unknown>>;
  memory: MemoryPort;
  hooks: HookRegistry;
  logger: Logger;
  maxHandoffs: number;
  maxSteps: number;
}

export interface WorkflowRun {
  workflow: WorkflowState;
  usage: Usage;
  modelCalls: number;
  toolCalls: ToolCallRecord[];
  /** The checkpoint version this run wrote last. */
  version: number;
}

export interface WorkflowInput {
  prompt: string;
  sessionId: string;
  actor: Actor;
  context: TurnContext;
  workflow: WorkflowState;
  signal: AbortSignal;
  deadline: number;
  now: Date;
  sink?: StreamSink;
  /** The invocation running the workflow, carried on hook events. */
  invocationId?: string;
}

export async function runWorkflow(deps: WorkflowDeps, input: WorkflowInput): Promise<WorkflowRun> {
  const wf: WorkflowState = structuredClone(input.workflow);
  let version = input.context.checkpoint.version;
  let usage: Usage = { inputTokens: 0, outputTokens: 0, totalTokens: 0 };
  let modelCalls = 0;
  const toolCalls: ToolCallRecord[] = [];
  const ctx: TurnContext = { ...input.context, state: { ...input.context.state } };
  const { messages, summary } = buildWindow(ctx.history, input.prompt);

  const scope = { actorId: input.actor.id, sessionId: input.sessionId };
  let written = false;
  const invocationId = input.invocationId ?? "";
  while (wf.step < wf.plan.length) {
    const name = wf.plan[wf.step]!;
    const agent = agents[name];
    const ordinals = new Map<string, number>();
    // Workflow + step + tool + position + input, written to the checkpoint before the call runs;
    // a resumed step finds the recorded key and replays the first outcome, whatever the model asks.
    const idempotencyKey = async (tool: string, toolInput: unknown): Promise<string> => {
      const ordinal = ordinals.get(tool) ?? 0;
      ordinals.set(tool, ordinal + 1);
      const step = wf.step;
      const recorded = wf.intents?.find((i) => i.step === step && i.tool === tool && i.ordinal === ordinal);
      if (recorded) return intentKey(wf, recorded);
      const intent = { step, tool, ordinal, digest: unredactableDigest(canonicalJson(toolInput), 16) };
      wf.intents = [...(wf.intents ?? []), intent];
      version = await deps.memory.writeWorkflow(scope, version, wf);
      return intentKey(wf, intent);
    };
    input.sink?.({ event: "agent", data: { agent: name, step: wf.step } });
    await deps.hooks.emit(new AgentStartEvent({ invocationId, agent: name, step: wf.step }), deps.logger);
    const result: AgentRunResult = await runAgent({
      invocationId,
      agent,
      model: deps.model,
      system: systemPrompt(agent, input.actor, ctx, wf, summary, input.now),
      messages,
      tools: deps.tools,
      context: {
        actor: input.actor,
        sessionId: input.sessionId,
        logger: deps.logger.child({ agent: name }),
        signal: input.signal,
        deadline: input.deadline,
      },
      idempotencyKey,
      hooks: deps.hooks,
      logger: deps.logger,
      maxSteps: deps.maxSteps,
      ...(input.sink ? { sink: input.sink } : {}),
    }).catch(async (err: unknown) => {
      await deps.hooks.emit(new AgentEndEvent({ invocationId, agent: name, error: err }), deps.logger);
      throw err;
    });
    usage = {
      inputTokens: usage.inputTokens + result.usage.inputTokens,
      outputTokens: usage.outputTokens + result.usage.outputTokens,
      totalTokens: usage.totalTokens + result.usage.totalTokens,
    };
    modelCalls += result.modelCalls;
    toolCalls.push(...result.toolCalls);

    wf.outputs[name] = { ...(wf.outputs[name] ?? {}), ...stepOutputs(result.toolCalls) };
    const entry: TrailEntry = {
      agent: name,
      tools: result.toolCalls.map((c) => c.name),
      calls: result.toolCalls.map(trailCall),
    };
    wf.trail.push(entry);
    // Two agents that find nothing to do say the same: the customer reads it once.
    if (result.text && !wf.texts.includes(result.text)) wf.texts.push(result.text);
    if (result.handoff) {
      const refused = acceptHandoff(deps, wf, name, result.handoff.to);
      const handoff: TrailHandoff = {
        to: result.handoff.to,
        reason: redactText(result.handoff.reason),
        by: "agent",
        ...(refused ? { refused } : {}),
      };
      entry.handoff = handoff;
      input.sink?.({ event: "handoff", data: { from: name, ...handoff } });
      await deps.hooks.emit(
        new HandoffEvent({ invocationId, from: name, to: handoff.to, reason: handoff.reason, refused }),
        deps.logger,
      );
    }
    // No handoff call: the route's plan named the next agent.
    const next = wf.plan[wf.step + 1];
    if (next !== undefined) entry.handoff ??= { to: next, reason: "next in the plan", by: "plan" };
    wf.step += 1;
    delete wf.intents;

    // The last step's checkpoint is the finished workflow: one write, with the session state the
    // step produced (state and checkpoint land together or not at all).
    const last = wf.step >= wf.plan.length;
    if (last) finish(wf);
    const updates = sessionUpdates(result.toolCalls);
    if (Object.keys(updates).length > 0) Object.assign(ctx.state, updates);
    version = await deps.memory.writeWorkflow(scope, version, wf, updates);
    written = last;
    await deps.hooks.emit(
      new AgentEndEvent({ invocationId, agent: name, checkpointVersion: version }),
      deps.logger,
    );
  }
  // A resumed workflow whose steps were all done (its final write was lost) is finished here.
  if (!written) {
    finish(wf);
    version = await deps.memory.writeWorkflow(scope, version, wf);
  }
  return { workflow: wf, usage, modelCalls, toolCalls, version };
}

function finish(wf: WorkflowState): void {
  wf.status = "done";
  wf.response = wf.texts.join("\n\n") || "I couldn't find anything to do for that request.";
}

/**
 * Puts `to` among the steps to come, in working order (`agents/plan.ts`), unless it is already to
 * come; says why when it refuses. An agent that hands back to one whose work it needs first (payment
 * asking for the booking it has to charge) runs again after it.
 */
function acceptHandoff(
  deps: WorkflowDeps,
  wf: WorkflowState,
  from: AgentName,
  to: AgentName,
): TrailHandoff["refused"] {
  const upcoming = wf.plan.slice(wf.step + 1);
  if (upcoming.includes(to)) return undefined;
  const previous = wf.trail.length >= 2 ? wf.trail[wf.trail.length - 2]!.agent : undefined;
  if (wf.handoffs >= deps.maxHandoffs || previous === to) {
    deps.logger.info({ from, to, handoffs: wf.handoffs }, "handoff refused (limit or ping-pong)");
    return previous === to ? "ping-pong" : "limit";
  }
  wf.handoffs += 1;
  const again = runsBefore(to, from) ? [from] : [];
  wf.plan = [...wf.plan.slice(0, wf.step + 1), ...orderPlan([...upcoming, to, ...again])];
  return undefined;
}
