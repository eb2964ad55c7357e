/**
 * The agent loop, side by side with the peer: the same scripted conversation (model → one
 * `search_flights` call → model → text) and the same tool handler (`searchFlightsTool`, uncached,
 * against the seeded PGlite) through our `runAgent` and through the Strands Agents TypeScript
 * SDK's `Agent`, each with a zero-latency scripted model of its own. Optionally both again through
 * the real AWS SDK clients against a local server speaking the Bedrock wire protocol.
 */
import type { Model as StrandsModel } from "@strands-agents/sdk";
import type { AgentDefinition } from "../agents/types.js";
import type { Logger } from "../core/logger.js";
import type { Sql } from "../memory/db/index.js";
import { HookRegistry } from "../orchestrator/hooks.js";
import { runAgent } from "../orchestrator/loop.js";
import { BedrockModel } from "../orchestrator/models/bedrock.js";
import { ScriptedModel } from "../orchestrator/models/scripted.js";
import type { JsonValue, ModelProvider, ModelRequest } from "../orchestrator/models/types.js";
import type { SearchFlightsInput } from "../tools/search-flights.js";
import { searchFlightsInput, searchFlightsTool } from "../tools/search-flights.js";
import type { Tool, ToolContext } from "../tools/types.js";
import { type Figure, summarize, timeEach } from "./stats.js";
import type { BedrockServerModule, WireRequest, WireTurn } from "./wire.js";

const FINAL_TEXT = "Here are the cheapest flights I found for you.";
const USAGE = { inputTokens: 100, outputTokens: 20 };
const MODEL_ID = "us.anthropic.claude-haiku-4-5-20251001-v1:0";
const FAKE_CREDENTIALS = { accessKeyId: "AKIDBENCH", secretAccessKey: "bench-secret" };

export const flightInput = (date: string): SearchFlightsInput => ({
  origin: "SEA",
  destination: "NRT",
  date,
  passengers: 1,
  sort: "price",
  limit: 5,
});

/** Whether the conversation's last message carries a tool result (then the model answers). */
const answered = (request: ModelRequest): boolean =>
  request.messages.at(-1)?.content.some((b) => "toolResult" in b) ?? false;

/**
 * Our scripted model for this conversation: `search_flights` first, the final text once a tool
 * result came back (so it works whatever agent and step it is asked from). Counts tool errors.
 */
export function flightScript(input: SearchFlightsInput): { model: ScriptedModel; toolErrors: () => number } {
  let errors = 0;
  const model = new ScriptedModel(
    (request) => {
      if (answered(request)) {
        const last = request.messages.at(-1)!;
        if (last.content.some((b) => "toolResult" in b && b.toolResult.status === "error")) errors++;
        return { text: FINAL_TEXT, usage: USAGE };
      }
      return {
        toolUses: [{ name: "search_flights", input: input as unknown as JsonValue }],
        usage: USAGE,
      };
    },
    { record: false },
  );
  return { model, toolErrors: () => errors };
}

/** One agent, one tool, no handoffs: the shape the Strands agent gets too. */
const soloAgent = (systemPrompt: string): AgentDefinition => ({
  name: "booking",
  description: "bench",
  systemPrompt,
  tools: ["search_flights"],
  handoffs: [],
});

export interface LoopDeps {
  sql: Sql;
  logger: Logger;
  date: string;
  prompt: string;
  systemPrompt: string;
}

const toolContext = (logger: Logger): ToolContext => ({
  actor: { id: "1", guest: false },
  sessionId: "bench-loop",
  logger,
  signal: new AbortController().signal,
  deadline: Date.now() + 60_000,
});

/** Times `runAgent` (no memory, no router, no checkpoint) with `model`; checks each turn's shape. */
async function timeOurLoop(
  deps: LoopDeps,
  model: ModelProvider,
  n: number,
  options: { stream?: boolean; warmup?: number } = {},
): Promise<number[]> {
  const tool = searchFlightsTool({ sql: deps.sql }) as unknown as Tool<unknown>;
  const tools = new Map([[tool.name, tool]]);
  const agent = soloAgent(deps.systemPrompt);
  const hooks = new HookRegistry();
  const logger = deps.logger;
  return timeEach(
    n,
    async () => {
      // A signal and deadline per turn, as the orchestrator gives each invocation.
      const context = toolContext(logger);
      const result = await runAgent({
        agent,
        model,
        system: agent.systemPrompt,
        messages: [{ role: "user", content: [{ text: deps.prompt }] }],
        tools,
        context,
        idempotencyKey: async () => undefined,
        hooks,
        logger,
        ...(options.stream ? { sink: () => {} } : {}),
      });
      if (
        result.modelCalls !== 2 ||
        result.toolCalls.length !== 1 ||
        result.toolCalls[0]?.result.status !== "success"
      ) {
        throw new Error(
          `our loop: unexpected turn (${result.modelCalls} model calls, ${result.toolCalls.length} tools)`,
        );
      }
    },
    { warmup: options.warmup ?? 20 },
  );
}

/** The Strands SDK's pieces, imported lazily (a dev dependency). */
async function strands(): Promise<typeof import("@strands-agents/sdk")> {
  return import("@strands-agents/sdk");
}

/** A zero-latency scripted model for Strands: the same two replies as ours, as stream events. */
async function strandsScriptedModel(input: SearchFlightsInput): Promise<StrandsModel> {
  const { Model } = await strands();
  type Messages = Parameters<StrandsModel["stream"]>[0];
  type Event = import("@strands-agents/sdk").ModelStreamEvent;
  const toolInput = JSON.stringify(input);
  let calls = 0;
  class ScriptedStrandsModel extends Model {
    #config: { modelId: string } = { modelId: "scripted" };
    updateConfig(config: { modelId?: string }): void {
      this.#config = { ...this.#config, ...config } as { modelId: string };
    }
    getConfig(): { modelId: string } {
      return this.#config;
    }
    async *stream(messages: Messages): AsyncGenerator<Event> {
      const last = messages.at(-1);
      const done = last?.content.some((b) => b.type === "toolResultBlock") ?? false;
      yield { type: "modelMessageStartEvent", role: "assistant" };
      if (done) {
        yield { type: "modelContentBlockDeltaEvent", delta: { type: "textDelta", text: FINAL_TEXT } };
        yield { type: "modelContentBlockStopEvent" };
        yield { type: "modelMessageStopEvent", stopReason: "endTurn" };
      } else {
        calls++;
        yield {
          type: "modelContentBlockStartEvent",
          start: { type: "toolUseStart", name: "search_flights", toolUseId: `scripted_${calls}` },
        };
        yield { type: "modelContentBlockDeltaEvent", delta: { type: "toolUseInputDelta", input: toolInput } };
        yield { type: "modelContentBlockStopEvent" };
        yield { type: "modelMessageStopEvent", stopReason: "toolUse" };
      }
      yield {
        type: "modelMetadataEvent",
        usage: { ...USAGE, totalTokens: USAGE.inputTokens + USAGE.outputTokens },
        metrics: { latencyMs: 0 },
      };
    }
  }
  return new ScriptedStrandsModel();
}

/** Times Strands' `Agent.invoke` with `model` and the same tool; a fresh conversation each turn. */
async function timeStrandsLoop(
  deps: LoopDeps,
  model: StrandsModel,
  n: number,
  warmup = 20,
): Promise<number[]> {
  const { Agent, tool } = await strands();
  const handler = searchFlightsTool({ sql: deps.sql });
  let toolErrors = 0;
  const searchFlights = tool({
    name: handler.name,
    description: handler.description,
    inputSchema: searchFlightsInput,
    callback: async (input) => {
      const result = await handler.run(input as SearchFlightsInput, toolContext(deps.logger));
      if (result.status === "error") {
        toolErrors++;
        throw new Error(result.error);
      }
      return result.json;
    },
  });
  const agent = new Agent({
    model,
    tools: [searchFlights],
    systemPrompt: deps.systemPrompt,
    printer: false,
  });
  const samples = await timeEach(
    n,
    async () => {
      agent.messages.length = 0;
      const result = await agent.invoke(deps.prompt);
      if (result.stopReason !== "endTurn") throw new Error(`strands loop: stopped with ${result.stopReason}`);
    },
    { warmup },
  );
  if (agent.messages.length !== 4) {
    throw new Error(`strands loop: expected 4 messages per turn, got ${agent.messages.length}`);
  }
  if (toolErrors > 0) throw new Error(`strands loop: ${toolErrors} tool errors`);
  return samples;
}

export interface LoopResults {
  figures: Record<string, Figure>;
  notes: string[];
}

/** Our loop and Strands' loop, interleaved in rounds so drift on a shared machine hits both alike. */
export async function benchLoops(
  deps: LoopDeps,
  n: number,
  wireN: number,
  wire: BedrockServerModule | undefined,
  wireError: string | undefined,
): Promise<LoopResults> {
  const input = flightInput(deps.date);
  const figures: Record<string, Figure> = {};
  const notes: string[] = [];
  const ours = flightScript(input);
  const theirs = await strandsScriptedModel(input);
  const rounds = 5;
  const per = Math.ceil(n / rounds);
  const oursSamples: number[] = [];
  const strandsSamples: number[] = [];
  // Warm-up calls (JIT, connections) in the first round only.
  const warm = (r: number): number => (r === 0 ? 20 : 2);
  for (let r = 0; r < rounds; r++) {
    oursSamples.push(...(await timeOurLoop(deps, ours.model, per, { warmup: warm(r) })));
    strandsSamples.push(...(await timeStrandsLoop(deps, theirs, per, warm(r))));
  }
  if (ours.toolErrors() > 0) throw new Error(`our loop: ${ours.toolErrors()} tool errors`);
  figures["loop.ours.scripted"] = summarize(
    oursSamples,
    "ms",
    "runAgent, scripted model (Converse-shaped, non-streaming), 2 model calls + search_flights (uncached handler)",
  );
  figures["loop.strands.scripted"] = summarize(
    strandsSamples,
    "ms",
    "Strands Agent.invoke, scripted Model subclass (stream events), same tool handler via tool() with the same zod schema",
  );

  if (!wire) {
    notes.push(`Bedrock wire protocol comparison skipped: ${wireError ?? "test server unavailable"}`);
    return { figures, notes };
  }
  const handler = (request: WireRequest): WireTurn => {
    const last = request.body.messages?.at(-1);
    if (last?.content.some((b) => b.toolResult !== undefined)) return { text: FINAL_TEXT, usage: USAGE };
    return { toolUses: [{ name: "search_flights", input }], usage: USAGE };
  };
  const server = await wire.startBedrockServer(handler);
  try {
    const { BedrockModel: StrandsBedrockModel } = await strands();
    const ourModel = new BedrockModel({
      modelId: MODEL_ID,
      region: "us-east-1",
      endpoint: server.url,
      credentials: FAKE_CREDENTIALS,
    });
    const strandsModel = (stream: boolean): StrandsModel =>
      new StrandsBedrockModel({
        modelId: MODEL_ID,
        region: "us-east-1",
        stream,
        clientConfig: { endpoint: server.url, credentials: FAKE_CREDENTIALS, maxAttempts: 1 },
      });
    const strandsStream = strandsModel(true);
    const strandsConverse = strandsModel(false);
    const acc: Record<string, number[]> = {
      "loop.ours.bedrock_converse": [],
      "loop.ours.bedrock_stream": [],
      "loop.strands.bedrock_stream": [],
      "loop.strands.bedrock_converse": [],
    };
    const perWire = Math.ceil(wireN / rounds);
    for (let r = 0; r < rounds; r++) {
      const warmup = warm(r);
      acc["loop.ours.bedrock_converse"]!.push(...(await timeOurLoop(deps, ourModel, perWire, { warmup })));
      acc["loop.ours.bedrock_stream"]!.push(
        ...(await timeOurLoop(deps, ourModel, perWire, { stream: true, warmup })),
      );
      acc["loop.strands.bedrock_stream"]!.push(
        ...(await timeStrandsLoop(deps, strandsStream, perWire, warmup)),
      );
      acc["loop.strands.bedrock_converse"]!.push(
        ...(await timeStrandsLoop(deps, strandsConverse, perWire, warmup)),
      );
    }
    const what = {
      "loop.ours.bedrock_converse":
        "runAgent + our BedrockModel (AWS SDK Converse) → local Bedrock-protocol server",
      "loop.ours.bedrock_stream": "runAgent + our BedrockModel (AWS SDK ConverseStream, a client watching)",
      "loop.strands.bedrock_stream": "Strands Agent + Strands BedrockModel (stream: true, its default)",
      "loop.strands.bedrock_converse": "Strands Agent + Strands BedrockModel (stream: false)",
    } as const;
    for (const [key, samples] of Object.entries(acc)) {
      figures[key] = summarize(samples, "ms", what[key as keyof typeof what]);
    }
  } finally {
    await server.close();
  }
  return { figures, notes };
}
