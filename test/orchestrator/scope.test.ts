/**
 * The scope gate and the help centre's relevance floor: requests outside travel, creative writing
 * and travel needs Flightly has no tool for are declined in one line with no tool call; policy
 * questions in other words and flight searches still reach their agents.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SCOPE_EXAMPLES } from "../../agents/scope.js";
import { helpCentre } from "../../memory/help-centre.js";
import { relevant } from "../../orchestrator/models/local/skills/relevance.js";
import { ScopeGate } from "../../orchestrator/scope.js";
import { startTestRuntime, type TestRuntime } from "../support/world.js";

const gate = new ScopeGate(SCOPE_EXAMPLES);

describe("scope gate", () => {
  it.each([
    "give me a good recipe for banana bread",
    "move fifty dollars from checking to savings",
    "know any good jokes",
    "write a haiku about autumn",
    "compose a limerick about my cat",
  ])("declines %j as outside travel, in one line naming what Flightly does", (text) => {
    const d = gate.decide(text);
    expect(d.serve).toBe(false);
    expect(d.decline).toMatch(/^Sorry, that's outside what I can help with/);
    expect(d.decline).toMatch(/search and book flights and hotels/);
    expect(d.decline).not.toContain("\n");
  });

  it.each([
    ["where can i hire a vehicle when i land", /car rentals/],
    ["which socket adapter do i need for my shaver abroad", /plug types/],
  ])("declines the travel need %j naming it", (text, named) => {
    const d = gate.decide(text);
    expect(d.serve).toBe(false);
    expect(d.decline).toMatch(/^Sorry, I can't help with /);
    expect(d.decline).toMatch(named);
  });

  it.each([
    ["am i allowed to take my guitar as hand luggage", "policies"],
    ["need a seat on a plane from Boston to Denver on Tuesday", "flights"],
    ["any flights to sydney in march", "flights"],
  ])("serves %j", (text, topic) => {
    const d = gate.decide(text);
    expect(d.serve).toBe(true);
    expect(d.topic).toBe(topic);
  });

  it.each([
    "what time zone is tokyo in",
    "how do i get into the city from the airport",
    "what does the abbreviation DL mean",
  ])("serves the travel fact %j (answered by its tool)", (text) => {
    expect(gate.decide(text).serve).toBe(true);
  });

  it.each(["remind me to water the plants tomorrow", "what rhymes with orange"])(
    "declines %j, near nothing Flightly serves, as outside travel",
    (text) => {
      const d = gate.decide(text);
      expect(d.serve).toBe(false);
      expect(d.decline).toMatch(/^Sorry, that's outside what I can help with/);
    },
  );

  it("serves follow-ups and questions about the customer's own dealings with Flightly", () => {
    for (const text of [
      "pay for that",
      "what did your support people tell me last month",
      "which email is on my account",
      "is there a policy for my emotional support animal",
    ])
      expect(gate.decide(text).serve, text).toBe(true);
    expect(gate.decide("give me a recipe for lemon cake").serve).toBe(false);
  });

  it.each([
    "my grandmother walks slowly, will somebody bring her to the gate",
    "may i wheel my kid's pushchair right up to the gate",
  ])("serves %j: the boarding gate is travel", (text) => {
    expect(gate.decide(text).serve).toBe(true);
  });

  it("serves what a customer tells of themself, unless a request outside travel rides along", () => {
    expect(gate.decide("just so you know, I'm a vegan").serve).toBe(true);
    expect(gate.decide("I'm a vegan, write me a pancake recipe").serve).toBe(false);
  });

  it("serves an off-topic-sounding request that names a place Flightly flies to", () => {
    expect(gate.decide("give me a good recipe for banana bread in Honolulu").serve).toBe(true);
  });
});

describe("help-centre relevance floor", () => {
  it("keeps a document whose title shares a topic word, synonyms included", () => {
    expect(relevant("how long until my money comes back as a refund", "How long refunds take")).toBe(true);
    expect(relevant("my suitcase never arrived", "Lost, delayed or damaged checked bags")).toBe(true);
    expect(relevant("is there wifi on board", "On-board Wi-Fi plans and prices")).toBe(true);
  });

  it("drops a document that shares only generic travel words", () => {
    expect(relevant("how do you say hello in italian when you travel", "Same-day flight changes")).toBe(
      false,
    );
    expect(relevant("what is a good pasta sauce", "Name corrections and legal name changes")).toBe(false);
  });
});

describe("scope through the pipeline", () => {
  let rt: TestRuntime;
  beforeAll(async () => {
    rt = await startTestRuntime();
  });
  afterAll(async () => {
    await rt?.close();
  });
  const post = async (prompt: string) => {
    const res = await rt.running.http.inject({
      method: "POST",
      url: "/invocations",
      headers: { "content-type": "application/json" },
      payload: JSON.stringify({ prompt, actor_id: "3" }),
    });
    expect(res.statusCode).toBe(200);
    return res.json() as {
      response: string;
      agents: Array<{ agent: string; tools: string[] }>;
      usage: { toolCalls: number; modelCalls: number };
    };
  };

  it("declines cooking with one line, no agent and no tool call", async () => {
    const out = await post("give me a good recipe for banana bread");
    expect(out.response).toMatch(/outside what I can help with/);
    expect(out.response).not.toContain("\n");
    expect(out.agents).toEqual([]);
    expect(out.usage).toMatchObject({ toolCalls: 0, modelCalls: 0 });
  });

  it("declines a car hire naming it, with no tool call", async () => {
    const out = await post("where can i hire a vehicle when i land");
    expect(out.response).toMatch(/can't help with car rentals/);
    expect(out.usage.toolCalls).toBe(0);
  });

  it("a reworded policy question still reaches the help centre", async () => {
    const out = await post("am i allowed to take my guitar as hand luggage");
    const tools = out.agents.flatMap((a) => a.tools);
    expect(tools).toContain("search_knowledge_base");
    expect(out.response).toMatch(/From our help centre/);
  });

  it("a flight search still goes to booking and searches", async () => {
    const out = await post("find flights from Seattle to Tokyo on June 12");
    expect(out.agents[0]?.agent).toBe("booking");
    expect(out.agents.flatMap((a) => a.tools)).toContain("search_flights");
  });
});

describe("scope gate: dealings that carry a card or a reference", () => {
  const full = new ScopeGate(SCOPE_EXAMPLES, { helpCentre: helpCentre() });
  it("never declines a request with a card number or a booking reference, whatever codes ride along", () => {
    const declined: string[] = [];
    for (let i = 0; i < 200; i++) {
      const code = randomUUID().slice(0, 8);
      for (const text of [
        `settle invoice ${code} using 5555 5555 5555 4444`,
        `put ref ${code} on card 4000056655665556 please`,
        `what's happening with FL-${code.slice(0, 6).toUpperCase()} / ${code}`,
      ])
        if (!full.decide(text).serve) declined.push(text);
    }
    expect(declined).toEqual([]);
  });
});
