/** Declined by form or by near-verbatim examples: a flight's live state asked of its number, a request saying what an unserved travel topic's example says. */
import { describe, expect, it } from "vitest";
import { SCOPE_EXAMPLES } from "../../agents/scope.js";
import { helpCentre } from "../../memory/help-centre.js";
import { ScopeGate } from "../../orchestrator/scope.js";

describe("flight state by flight number", () => {
  const gate = new ScopeGate(SCOPE_EXAMPLES, { helpCentre: helpCentre() });

  it("declines a status question naming a flight number, seeded or reference airline", () => {
    for (const text of [
      "has PC1014 taken off already",
      "is Summit SU 88 running late?",
      "ba287 - which gate?",
    ])
      expect(gate.decide(text), text).toMatchObject({ serve: false, topic: "flight status" });
  });

  it("does not take an English word before a number for an airline code", () => {
    // "in", "at" and "to" are airline codes in the reference list too.
    for (const text of ["the bus to 5 star hotels running late", "hotel shuttle at 7 running late again"])
      expect(gate.decide(text), text).toMatchObject({ serve: true });
  });

  it("leaves a question about the rules or about bags to the help centre", () => {
    for (const text of [
      "my flight PC1014 was 5 hours late, am I owed compensation?",
      "my suitcase never came off KZ289 when it landed",
    ])
      expect(gate.decide(text), text).toMatchObject({ serve: true });
  });
});

describe("a request saying what a declined travel topic's example says", () => {
  const gate = new ScopeGate(SCOPE_EXAMPLES, { helpCentre: helpCentre() });

  it("is declined even when it names a place", () => {
    const text = "please rent me a car at the Phoenix airport";
    expect(gate.decide(text)).toMatchObject({ serve: false, topic: "car rental" });
  });
});
