/**
 * A scripted model file for `--model FILE`: a YAML or JSON list of replies, played in order for
 * each scenario file. A reply is a string (the final answer) or `{text, tool_uses: [{name, input}]}`.
 */
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { z } from "zod";
import type { JsonValue } from "../../core/json.js";
import type { ScriptedReply } from "../../orchestrator/models/scripted.js";

const reply = z.union([
  z.string(),
  z.strictObject({
    text: z.string().optional(),
    tool_uses: z
      .array(z.strictObject({ name: z.string().min(1), input: z.record(z.string(), z.unknown()) }))
      .optional(),
  }),
]);

export function loadScript(file: string): ScriptedReply[] {
  let data: unknown;
  try {
    data = parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new Error(
      `--model ${file}: expected local, bedrock, openai or a scripted model file (${err instanceof Error ? err.message : String(err)})`,
    );
  }
  const parsed = z.array(reply).min(1).safeParse(data);
  if (!parsed.success)
    throw new Error(
      `--model ${file}: a scripted model file is a list of replies: ${parsed.error.issues[0]?.message}`,
    );
  return parsed.data.map((r) =>
    typeof r === "string"
      ? r
      : {
          ...(r.text !== undefined ? { text: r.text } : {}),
          ...(r.tool_uses
            ? { toolUses: r.tool_uses.map((t) => ({ name: t.name, input: t.input as JsonValue })) }
            : {}),
        },
  );
}
