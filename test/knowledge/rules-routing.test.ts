/**
 * Rules questions reach the help centre, not the destination guides or a decline: entry papers
 * for a named place, a subject a help-centre heading names when no place is named, a question in
 * chat spelling, a question on how the customer is charged, a fare question. Prompts written for
 * this suite.
 */
import { describe, expect, it } from "vitest";
import { SCOPE_EXAMPLES } from "../../agents/scope.js";
import { extractSlots } from "../../language/index.js";
import { helpCentre } from "../../memory/help-centre.js";
import { detectIntents } from "../../orchestrator/models/local/intents.js";
import { readIntents } from "../../orchestrator/models/local/rules-reading.js";
import { ScopeGate } from "../../orchestrator/scope.js";

const NOW = new Date("2027-01-04T12:00:00Z");
const both = (text: string) => {
  const slots = extractSlots(text, NOW);
  return { phrases: detectIntents(text, slots).intents, read: readIntents(text, slots).intents };
};

describe("readIntents: where a rules question is answered", () => {
  it.each([
    "which id papers does my son need to visit paris",
    "should we choose the aisle or the window seat",
    "any tips on paying for extra legroom seats",
  ])("the help centre, not the guides: %s", (text) => {
    const { phrases, read } = both(text);
    expect(phrases).toContain("destination_advice");
    expect(read).toContain("policy_faq");
    expect(read).not.toContain("destination_advice");
  });

  it.each([
    "should we visit the louvre or orsay in paris",
    "any tips for the beaches in maui",
    "what should we see with kids",
  ])("the guides, for a question about the place: %s", (text) => {
    expect(both(text).read).toContain("destination_advice");
  });

  it("reads a question in chat spelling in the help centre's words, as a policy question only", () => {
    for (const text of ["only paid an hour back, refnd?", "just bookd it, cancelaton free?"]) {
      const { phrases, read } = both(text);
      expect(phrases).toEqual(["other"]);
      expect(read).toEqual(["policy_faq"]);
    }
  });
});

describe("the scope gate with the help centre", () => {
  const gate = new ScopeGate(SCOPE_EXAMPLES, { helpCentre: helpCentre() });

  it("serves questions on how the customer is charged, declines the money market", () => {
    expect(gate.decide("would i get billed in yen").serve).toBe(true);
    expect(gate.decide("can i pay in pesos").serve).toBe(true);
    expect(gate.decide("could we be charged in pounds").serve).toBe(true);
    expect(gate.decide("how many pesos is one dollar worth").serve).toBe(false);
    expect(gate.decide("swap fifty euros into dollars").serve).toBe(false);
  });

  it("reads a fare as travel, but still declines fare codes", () => {
    expect(gate.decide("what is the fare for a nine year old").serve).toBe(true);
    expect(gate.decide("what does fare code m mean").serve).toBe(false);
  });
});
