/**
 * A tool added through the registry alone (its file, one registry line, the support agent's list)
 * reaches the model as a tool spec, runs, shows in the trail with its input, and its metadata
 * governs the answer cache: `get_airport_info` answers are shared destination facts.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RecordedRequest, Turn } from "../support/bedrock-server.js";
import { type Scenario, startScenario } from "./harness.js";

/** Calls `get_airport_info` for the code in the customer's words, then answers from its result. */
function airportModel(req: RecordedRequest): Turn {
  const messages = req.body.messages ?? [];
  const result = messages.flatMap((m) => m.content).find((b) => b.toolResult)?.toolResult;
  if (result) {
    const json = result.content[0]?.json as { name?: string; city?: string } | undefined;
    return { text: `That is ${json?.name} in ${json?.city}.` };
  }
  const offered = (req.body.toolConfig?.tools ?? []).some((t) => t.toolSpec?.name === "get_airport_info");
  const words = messages.at(-1)?.content.find((b) => b.text)?.text ?? "";
  const code = /\b([A-Z]{3})\b/.exec(words)?.[1];
  if (!offered || !code) return { text: "I can't look airports up." };
  return { toolUses: [{ name: "get_airport_info", input: { code } }] };
}

describe("a tool added through the registry", () => {
  let s: Scenario;
  beforeAll(async () => {
    s = await startScenario("bedrock", airportModel);
  });
  afterAll(async () => {
    await s?.close();
  });

  it("is offered, runs, is traced with its input, and its answers are cached for everyone", async () => {
    const prompt = "Which airport is HNL, and what city is it in?";
    const first = await s.invoke(prompt, { actor: "11", session: randomUUID() });
    expect(first.status).toBe(200);
    const step = first.body.agents[0] as unknown as {
      agent: string;
      calls: { tool: string; input: unknown; status: string; summary: string }[];
    };
    expect(step.agent).toBe("support");
    expect(step.calls).toMatchObject([
      { tool: "get_airport_info", input: { code: "HNL" }, status: "success" },
    ]);
    expect(step.calls[0]!.summary).toMatch(/city: Honolulu/);
    expect(first.body.response).toMatch(/Honolulu/);

    const other = await s.invoke(prompt, { actor: "12", session: randomUUID() });
    expect(other.body.cache).toMatchObject({ hit: true, kind: "exact" });
    expect(other.body.response).toBe(first.body.response);
  });
});
