/**
 * The help centre's vocabulary: questions read in the documents' terms (shorthand, misspellings,
 * the countries of named places), and the scope gate serving rules questions near the help
 * centre's titles while still declining requests outside travel.
 */
import { describe, expect, it } from "vitest";
import { SCOPE_EXAMPLES } from "../../agents/scope.js";
import { isRulesQuestion } from "../../language/index.js";
import {
  ageClassesNamed,
  HelpCentre,
  helpCentre,
  irregularSingular,
  wordForm,
} from "../../memory/help-centre.js";
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
      "do i need a visa before my tokyo trip; japan",
    );
    expect(helpCentre().searchText("no place here")).toBe("no place here");
    // A calendar day says when the trip is, not what is asked; a duration stays.
    expect(helpCentre().searchText("move my trip to next week").trim()).toBe("move my trip to");
    expect(helpCentre().searchText("cancel within 24 hours")).toBe("cancel within 24 hours");
  });

  it("reads the ages of named children as the documents' age classes", () => {
    expect(ageClassesNamed("seats for me, my 4 yr old and our 1 year old")).toEqual(["child", "infant"]);
    expect(ageClassesNamed("we fly with my 16-year-old daughter")).toEqual(["child"]);
    // Named by a word, a child is already in the documents' terms; adults are no class.
    expect(ageClassesNamed("can the baby fly on my lap")).toEqual([]);
    expect(ageClassesNamed("two adults, window seats")).toEqual([]);
    expect(helpCentre().searchText("what does my 9 yr old pay")).toBe("what does my 9 year old pay; child");
  });

  it("reads plurals English forms without -s as their singulars", () => {
    expect(irregularSingular("geese")).toBe("goose");
    expect(irregularSingular("teeth")).toBe("tooth");
    // Plurals in -s are the stemmer's: a verb such as "leaves" is not taken for a noun.
    expect(irregularSingular("leaves")).toBe("leaves");
    expect(irregularSingular("baggage")).toBe("baggage");
    expect(wordForm("men")).toBe(wordForm("man"));
    expect(helpCentre().searchText("may two men share a room")).toBe("may two men share a room; man");
    const centre = new HelpCentre([
      { slug: "one", title: "Cancelling for a single person", body: "A person may leave." },
    ]);
    expect(centre.evidence("some people cannot come")?.inTitle).toEqual(["people"]);
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

  it("serves a rules question about a child named only by age", () => {
    const text = "does my 9 year old pay the adult price";
    expect(gate.decide(text)).toMatchObject({ serve: true });
  });

  it.each([
    "give me a good recipe for banana bread",
    "how tall should my 8 year old be",
    "homework help for my 10 year old",
    "how do i reset the password of my streaming app",
    "write a haiku about autumn",
  ])("still declines %j", (text) => {
    expect(gate.decide(text).serve).toBe(false);
  });
});
