/**
 * Rule extraction keeps memory true: one trip's headcount is not a standing fact about the
 * customer, and a standing party counts the speaker.
 */
import { describe, expect, it } from "vitest";
import { extractWithRules } from "../../memory/worker/extract.js";

const NOW = new Date("2027-03-01T12:00:00Z");
const party = (text: string) => {
  const found = extractWithRules(text, NOW);
  return {
    facts: found.candidates.filter((c) => c.topic === "family_composition").map((c) => c.content),
    adults: found.profile.adults,
    children: found.profile.children,
  };
};

describe("party statements", () => {
  it("one trip's headcount saves nothing", () => {
    for (const text of [
      "there will be six of us on this trip to Denver",
      "please book seats for 3 adults on the Friday flight",
      "we are 4 people going to Lima in May",
    ]) {
      expect(party(text), text).toEqual({ facts: [], adults: undefined, children: undefined });
    }
  });

  it("a standing party is saved, counting the speaker who travels with them", () => {
    const withKids = party("whenever I fly I bring my three kids along with me");
    expect(withKids.children).toBe(3);
    expect(withKids.adults).toBe(1);
    expect(withKids.facts).toEqual(["Travels as 1 adult and 3 children."]);
    const family = party("we're a family of five: 2 adults and 3 children");
    expect(family).toMatchObject({ adults: 2, children: 3 });
    expect(family.facts[0]).toMatch(/^Family of five/);
  });
});

describe("what is kept is what the customer states", () => {
  const kept = (text: string) => extractWithRules(text, NOW).candidates.map((c) => c.topic);

  it("a question about meals, seats or budgets keeps nothing", () => {
    expect(kept("do your long flights have halal food")).toEqual([]);
    expect(kept("is the aisle better than the window on a red-eye?")).toEqual([]);
    expect(kept("are there rooms in Nice under $180 a night?")).toEqual([]);
  });

  it("a search's own budget is that search's, while a statement beside it is kept", () => {
    expect(kept("look for hotels in Kyoto below $140 a night")).toEqual([]);
    expect(kept("get us seats to Austin, for my husband and me")).toEqual([]);
    expect(kept("we're looking for a room in Oslo under 90 a night")).toEqual([]);
    // A need is the customer's whether stated or asked for.
    expect(kept("we need a wheelchair at the gate")).toEqual(["accessibility:wheelchair-assistance"]);
    expect(kept("look for hotels in Kyoto, I'm vegan")).toEqual(["dietary:vegan"]);
    // The trip the request names binds the budget said beside it; a habit said beside it is kept.
    expect(kept("get me a room in Oslo for this trip, our budget is 220 a night")).toEqual([]);
    expect(kept("search Rome flights for next month, we always sit in the window")).toEqual([
      "seat_preference",
    ]);
  });
});
