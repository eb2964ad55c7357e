/**
 * A Bedrock "model" for scenario tests: the local planner's decisions served over the Bedrock
 * wire protocol. The real AWS SDK client, our Bedrock adapter, tool specs, toolUse / toolResult
 * round trips and the event stream all run for real; only the decisions are deterministic.
 */
import { EXTRACTION_PROMPT, extractWithRules } from "../../memory/worker/extract.js";
import { LocalPlanner } from "../../orchestrator/models/local/index.js";
import type { ContentBlock, JsonValue, Message, ToolSpec } from "../../orchestrator/models/types.js";
import type { RecordedRequest, Turn, WireBlock } from "./bedrock-server.js";

const toBlock = (b: WireBlock): ContentBlock | undefined => {
  if (b.text !== undefined) return { text: b.text };
  if (b.toolUse)
    return {
      toolUse: { toolUseId: b.toolUse.toolUseId, name: b.toolUse.name, input: b.toolUse.input as JsonValue },
    };
  if (b.toolResult) {
    return {
      toolResult: {
        toolUseId: b.toolResult.toolUseId,
        status: b.toolResult.status === "error" ? "error" : "success",
        content: b.toolResult.content.map((c) =>
          c.json !== undefined ? { json: c.json as JsonValue } : { text: c.text ?? "" },
        ),
      },
    };
  }
  return undefined;
};

export function plannerOverWire(planner = new LocalPlanner()): (req: RecordedRequest) => Promise<Turn> {
  return async (req) => {
    const body = req.body;
    const messages: Message[] = (body.messages ?? []).map((m) => ({
      role: m.role === "assistant" ? "assistant" : "user",
      content: m.content.map(toBlock).filter((b): b is ContentBlock => b !== undefined),
    }));
    const tools: ToolSpec[] = (body.toolConfig?.tools ?? [])
      .filter((t) => t.toolSpec)
      .map((t) => ({
        name: t.toolSpec!.name,
        description: t.toolSpec!.description ?? "",
        inputSchema: t.toolSpec!.inputSchema.json as Record<string, unknown>,
      }));
    const system = (body.system ?? []).map((b) => b.text ?? "").join("");
    if (system === EXTRACTION_PROMPT) {
      // The tiering worker's extraction prompt: answer with the JSON it asks for.
      const message = messages[0]?.content.map((b) => ("text" in b ? b.text : "")).join("") ?? "";
      const found = extractWithRules(message.replace(/^[\s\S]*Customer message: /, ""));
      return {
        text: JSON.stringify({
          memories: found.candidates.map((c) => ({ kind: c.kind, topic: c.topic, content: c.content })),
          profile: found.profile,
          summary: found.candidates.map((c) => c.content).join(" "),
        }),
      };
    }
    const res = await planner.converse({ system, messages, tools });
    const text = res.message.content.map((b) => ("text" in b ? b.text : "")).join("");
    const toolUses = res.message.content.flatMap((b) =>
      "toolUse" in b
        ? [{ name: b.toolUse.name, input: b.toolUse.input as never, toolUseId: b.toolUse.toolUseId }]
        : [],
    );
    return {
      ...(text ? { text } : {}),
      ...(toolUses.length ? { toolUses } : {}),
      stopReason: res.stopReason,
    };
  };
}
