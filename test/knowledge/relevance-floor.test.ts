/**
 * The help centre's relevance floor in the local planner: a document answers when its heading —
 * title, and the topic the database search returns — shares a topic word with the question.
 */
import { describe, expect, it } from "vitest";
import { LocalPlanner } from "../../orchestrator/models/local/index.js";
import type { JsonValue } from "../../orchestrator/models/types.js";
import { runTurn, system, tools, user } from "../planner/harness.js";

const planner = new LocalPlanner();

/** The support agent's answer when the search returns this one document. */
async function answer(question: string, doc: Record<string, JsonValue>): Promise<string> {
  const run = await runTurn(planner, {
    system: system({ agent: "support" }),
    tools: tools("search_knowledge_base"),
    messages: [user(question)],
    handlers: { search_knowledge_base: () => ({ json: { results: [doc] } }) },
  });
  expect(run.calls.map((c) => c.name)).toEqual(["search_knowledge_base"]);
  return run.text;
}

describe("help-centre relevance floor", () => {
  const doc = {
    title: "Protection plan benefits",
    kind: "policy",
    excerpt: "The plan reimburses prepaid costs after a listed event.",
    similarity: 0.4,
  };

  it("quotes a document whose topic, not its title, names what the question asks about", async () => {
    const text = await answer("what does insurance do for me", { ...doc, topic: "insurance" });
    expect(text).toMatch(/^From our help centre:\n- Protection plan benefits: /);
  });

  it("still declines a document that shares no topic word in its title, topic or excerpt", async () => {
    const text = await answer("what does insurance do for me", { ...doc, topic: "loyalty" });
    expect(text).toMatch(/I don't have a help-centre answer/);
  });

  it("quotes a document whose heading writes a WordNet synonym of a word the question uses", async () => {
    const fares = {
      title: "Fares for children",
      kind: "policy",
      excerpt: "Under twelve the price is 75% of the adult one.",
      similarity: 0.4,
    };
    expect(await answer("does a youngster pay less", fares)).toMatch(
      /^From our help centre:\n- Fares for children: /,
    );
    expect(await answer("does a pensioner pay less", fares)).toMatch(/I don't have a help-centre answer/);
  });

  it("matches a heading's singular to the question's irregular plural", async () => {
    const seats = {
      title: "A woman travelling alone",
      kind: "policy",
      excerpt: "Adjacent places are free to reserve.",
      similarity: 0.4,
    };
    // Porter alone keeps "women" apart from "woman".
    expect(await answer("how much do women pay", seats)).toMatch(
      /^From our help centre:\n- A woman travelling/,
    );
  });
});
