/**
 * Questions about the service's rules reach support's knowledge search even when their words
 * sound like a lookup or a search: how to reach support is not a past conversation, a name
 * written wrong is not a profile lookup, a hotel that refused a booked room is not a hotel search,
 * and "who do I ask" and "will my ... be" are question forms. Requests that carry what their own
 * agent needs keep it. Prompts written for this suite; none is a router example.
 */
import { describe, expect, it } from "vitest";
import { ROUTE_EXAMPLES } from "../../agents/routes.js";
import { extractSlots, isRulesQuestion } from "../../language/index.js";
import { LocalEmbedder } from "../../memory/embeddings/local.js";
import { detectIntents } from "../../orchestrator/models/local/index.js";
import { SemanticRouter } from "../../orchestrator/router.js";

const NOW = new Date("2027-01-04T12:00:00Z");
const intentsOf = (text: string) => detectIntents(text, extractSlots(text, NOW)).intents;

const POLICY = [
  "when can i contact customer service",
  "the hotel turned us away even though we booked a room",
  "who do i speak to about a complaint",
  "will my teenage son be charged an adult fare",
];

describe("policy questions in lookup or search words", () => {
  it.each(POLICY)("reads %j as a rules question about policy", (text) => {
    expect(isRulesQuestion(text)).toBe(true);
    expect(intentsOf(text)).toEqual(["policy_faq"]);
  });

  it("reads a misspelt name on a booking as no profile lookup", () => {
    expect(intentsOf("i misspelled my first name on my booking")).not.toContain("profile");
    expect(intentsOf("what name is on my profile")).toContain("profile");
  });

  it("reads a rules question that says what did not happen as a policy question, not a refusal", () => {
    const text = "still no refund on my card after a month?";
    expect(isRulesQuestion(text)).toBe(true);
    expect(detectIntents(text).negated).not.toContain("policy_faq");
    expect(intentsOf("what happens if there is no refund by friday?")).toEqual(["policy_faq"]);
    // Outside a question about the rules a "no" still refuses.
    expect(detectIntents("book the 9am flight, no refund needed").negated).toContain("policy_faq");
  });

  it("keeps a past support conversation and a hotel search", () => {
    expect(intentsOf("what did i say when i called customer service last week")).toContain("support_history");
    expect(intentsOf("find a hotel room in Honolulu for two nights")).toContain("hotel_search");
  });

  it.each(POLICY)("routes %j to support alone", async (text) => {
    const router = await SemanticRouter.create(new LocalEmbedder().load(), ROUTE_EXAMPLES);
    expect(ROUTE_EXAMPLES.map((e) => e.text.toLowerCase())).not.toContain(text);
    expect((await router.route(text)).plan).toEqual(["support"]);
  });
});
