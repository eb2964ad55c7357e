/**
 * Runs the tool uses of one model turn: validates inputs with the tool's zod schema, runs
 * independent calls concurrently, each under the invocation's deadline and signal, and turns
 * every outcome into a toolResult block the model can read.
 */
import { z } from "zod";
import type { Logger } from "../core/logger.js";
import type { Tool, ToolContext, ToolResult } from "../tools/types.js";
import { AfterToolCallEvent, BeforeToolCallEvent, type HookRegistry } from "./hooks.js";
import type { ContentBlock, JsonValue, ToolUseBlock } from "./models/types.js";

export interface ToolCallRecord {
  toolUseId: string;
  name: string;
  /** The input as the tool's schema read it (normalised), or as the model sent it when it did not parse. */
  input: unknown;
  result: ToolResult;
  ms: number;
}

export interface RunToolsOptions {
  /** The invocation the calls belong to, carried on their hook events. */
  invocationId?: string;
  agent: string;
  tools: ReadonlyMap<string, Tool<unknown>>;
  uses: ToolUseBlock[];
  context: Omit<ToolContext, "idempotencyKey">;
  /** The idempotency key of a side-effecting call (recorded before the call runs). */
  idempotencyKey: (toolName: string, input: unknown) => Promise<string | undefined>;
  hooks: HookRegistry;
  logger: Logger;
}

/** A call cut off by the invocation's deadline or cancelled with it. */
class ToolStopped extends Error {}

/** Rejects at the deadline or on abort; `clear()` drops the timer and the listener. */
function timeout(deadline: number, signal: AbortSignal): { promise: Promise<never>; clear: () => void } {
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const promise = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new ToolStopped("tool deadline exceeded")),
      Math.max(0, deadline - Date.now()),
    );
    onAbort = () => reject(new ToolStopped("cancelled"));
    signal.addEventListener("abort", onAbort, { once: true });
  });
  return {
    promise,
    clear: () => {
      clearTimeout(timer);
      if (onAbort) signal.removeEventListener("abort", onAbort);
    },
  };
}

async function runOne(use: ToolUseBlock, o: RunToolsOptions): Promise<ToolCallRecord> {
  const { toolUseId, name, input } = use.toolUse;
  const started = performance.now();
  const before = new BeforeToolCallEvent({
    invocationId: o.invocationId ?? "",
    agent: o.agent,
    toolUseId,
    name,
    input,
  });
  await o.hooks.emit(before, o.logger);
  const tool = o.tools.get(name);
  let result: ToolResult;
  let used: unknown = input;
  if (before.cancelled !== undefined) {
    result = { status: "error", error: before.cancelled };
  } else if (!tool) {
    result = { status: "error", error: `tool ${name} is not available to the ${o.agent} agent` };
  } else {
    const parsed = tool.input.safeParse(input);
    if (!parsed.success) {
      result = {
        status: "error",
        error: `invalid input: ${z.prettifyError(parsed.error).replace(/\n/g, "; ")}`,
      };
    } else {
      used = parsed.data;
      const key = tool.sideEffect ? await o.idempotencyKey(name, parsed.data) : undefined;
      const ctx: ToolContext = key === undefined ? { ...o.context } : { ...o.context, idempotencyKey: key };
      try {
        const limit = timeout(o.context.deadline, o.context.signal);
        try {
          result = await Promise.race([tool.run(parsed.data, ctx), limit.promise]);
        } finally {
          limit.clear();
        }
      } catch (err) {
        o.logger.warn({ err, tool: name }, "tool failed");
        // A tool reports what the model can act on as an error result; a throw is a fault of the
        // infrastructure (a database or server unreachable). It fails the invocation, so the step is
        // not checkpointed as done without its result and a resend runs it again; for a side effect
        // an unknown outcome must never be papered over. Only a call stopped by the deadline is
        // told to the model.
        if (tool.sideEffect || !(err instanceof ToolStopped)) throw err;
        result = { status: "error", error: err.message };
      }
    }
  }
  const ms = performance.now() - started;
  await o.hooks.emit(
    new AfterToolCallEvent({
      invocationId: o.invocationId ?? "",
      agent: o.agent,
      toolUseId,
      name,
      input,
      result,
      ms,
    }),
    o.logger,
  );
  return { toolUseId, name, input: used, result, ms };
}

export async function runTools(
  o: RunToolsOptions,
): Promise<{ records: ToolCallRecord[]; blocks: ContentBlock[] }> {
  // Side-effecting calls run one after another in the order the model gave; reads run concurrently.
  const records: ToolCallRecord[] = new Array(o.uses.length);
  const reads: Promise<void>[] = [];
  for (const [i, use] of o.uses.entries()) {
    const tool = o.tools.get(use.toolUse.name);
    if (tool?.sideEffect) {
      await Promise.all(reads);
      records[i] = await runOne(use, o);
    } else {
      reads.push(
        runOne(use, o).then((r) => {
          records[i] = r;
        }),
      );
    }
  }
  await Promise.all(reads);
  const blocks: ContentBlock[] = records.map((r) => ({
    toolResult: {
      toolUseId: r.toolUseId,
      status: r.result.status,
      content: [
        {
          json:
            r.result.status === "success"
              ? r.result.json
              : ({
                  error: r.result.error,
                  ...(r.result.json ? { details: r.result.json } : {}),
                } as JsonValue),
        },
      ],
    },
  }));
  return { records, blocks };
}
