/**
 * Tool specs for the model, generated from the same zod schema that validates the tool's input.
 */
import { z } from "zod";
import type { ToolSpec } from "./types.js";

/** Bedrock and OpenAI both accept 1–64 letters, digits, `_` and `-`. */
const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

/**
 * Builds a `ToolSpec` from a zod object schema via `z.toJSONSchema` (input side: fields with
 * defaults are optional for the model), without the `$schema` key that some providers reject.
 * @throws TypeError when the name is not a valid tool name or the schema is not an object.
 */
export function toolSpec(name: string, description: string, schema: z.ZodType): ToolSpec {
  if (!TOOL_NAME.test(name)) {
    throw new TypeError(`tool name ${JSON.stringify(name)} must be 1-64 characters of [a-zA-Z0-9_-]`);
  }
  const { $schema: _ignored, ...inputSchema } = z.toJSONSchema(schema, { io: "input" }) as Record<
    string,
    unknown
  >;
  if (inputSchema.type !== "object") {
    throw new TypeError(
      `tool ${name}: input schema must be a z.object(), got type ${String(inputSchema.type)}`,
    );
  }
  return { name, description, inputSchema };
}
