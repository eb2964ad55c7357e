/**
 * The help centre's vocabulary: questions read in the documents' terms (shorthand, misspellings,
 * the countries of named places), and the scope gate serving rules questions near the help
 * centre's titles while still declining requests outside travel.
 */
import { describe, expect, it } from "vitest";
import { SCOPE_EXAMPLES } from "../../agents/scope.js";
import { isRulesQuestion } from "../../language/index.js";
import { HelpCentre, helpCentre } from "../../memory/help-centre.js";
import { ScopeGate } from "../../orchestrator/scope.js";

const DOCS = [
  { slug: "scuba", title: "Diving gear and scuba tanks", body: "Empty tanks travel as checked baggage." },
  {
    slug: "bikes",
    title: "Bicycles in the hold",
    body: "Boxed bicycles travel as checked baggage for a fee.",
  },
  { slug: "meals", title: "Meals on board", body: "Hot meals are served on flights over three hours." },
];

describe("help centre vocabulary", () => {
  const known = new Set(["the", "my", "on", "can", "i", "take", "hello", "there"]);
  const centre = new HelpCentre(DOCS, { rank: (w) => (known.has(w) ? 1 : undefined) });

  it("reads a question in the documents' terms", () => {
    expect(centre.normalize("can i take my bicycels b4 the meels")).toBe(
      "can i take my bicycles before the meals",
    );
  });

  it("adds the countries of the places a question names", () => {
    expect(helpCentre().searchText("do i need a visa b4 my Tokyo trip")).toBe(
      "do i need a visa before my tokyo trip japan",
    );
    expect(helpCentre().searchText("no place here")).toBe("no place here");
  });

  it("ships the titles of the policy documents", () => {
    expect(helpCentre().titles.length).toBeGreaterThan(50);
  });
});

describe("scope gate with the help centre", () => {
  const plain = new ScopeGate(SCOPE_EXAMPLES);
  const gate = new ScopeGate(SCOPE_EXAMPLES, { helpCentre: helpCentre() });

  it("serves a rules question in casual words that the gate alone declines", () => {
    const text = "can i transfer my miles to my wife";
    expect(isRulesQuestion(helpCentre().normalize(text))).toBe(true);
    expect(plain.decide(text).serve).toBe(false);
    expect(gate.decide(text)).toMatchObject({ serve: true, topic: "policies" });
  });

  it.each([
    "give me a good recipe for banana bread",
    "how do i reset the password of my streaming app",
    "write a haiku about autumn",
  ])("still declines %j", (text) => {
    expect(gate.decide(text).serve).toBe(false);
  });
});
