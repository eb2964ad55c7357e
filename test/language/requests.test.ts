/** References to the session and the clock, and requests resolved against them. */
import { describe, expect, it } from "vitest";
import { readRequest, resolveRequest, sameEntities } from "../../language/index.js";

const NOW = new Date("2026-05-04T09:00:00Z");
const session = {
  lastDestination: "HNL",
  lastOrigin: "SEA",
  results: ['[{"flight_id":"F1"},{"flight_id":"F2"}]'],
  earlier: ["flights from Seattle to Honolulu on May 20"],
};

describe("references", () => {
  it.each([
    ["Is it sunny over there this week?", "place"],
    ["Any good places to eat there?", "place"],
    ["And hotels?", "place"],
    ["How about that city in July?", "place"],
    ["Reserve it for two of us", "selection"],
    ["I'll take the second one", "selection"],
    ["Which of those is nonstop?", "selection"],
    ["Flights to Boston please", "origin"],
  ])("%s refers to the session (%s)", (text, kind) => {
    const r = readRequest(text, NOW);
    expect(r.needsSession).toBe(true);
    expect(r.references.map((x) => x.kind)).toContain(kind);
  });

  it.each([
    "Is there a charge for a second checked bag?",
    "How long before departure does boarding close?",
    "What's the forecast in Lisbon tomorrow?",
    "Flights from Denver to Boston on June 3",
  ])("%s is self-contained", (text) => {
    expect(readRequest(text, NOW).needsSession).toBe(false);
  });

  it("relative dates need only the clock and are keyed as absolute days", () => {
    const r = readRequest("Flights from Denver to Boston next week", NOW);
    expect(r.needsSession).toBe(false);
    const resolved = resolveRequest(r, NOW);
    expect(resolved.resolved && resolved.entities.when).toEqual(["range:2026-05-11..2026-05-17"]);
    const later = resolveRequest(
      readRequest(r.text, new Date("2026-05-12T09:00:00Z")),
      new Date("2026-05-12T09:00:00Z"),
    );
    expect(resolved.resolved && later.resolved && sameEntities(resolved.entities, later.entities)).toBe(
      false,
    );
  });
});

describe("resolution", () => {
  it("a place reference becomes the session's destination city", () => {
    const r = resolveRequest(readRequest("Is it sunny over there?", NOW), NOW, session);
    expect(r.resolved && r.text).toBe("Is it sunny in Honolulu?");
    // Keyed as the same question in words, read against the same session (its dates included).
    const direct = resolveRequest(readRequest("Is it sunny in Honolulu?", NOW), NOW, session);
    expect(r.resolved && direct.resolved && sameEntities(r.entities, direct.entities)).toBe(true);
  });

  it("is unresolvable without a session to point at", () => {
    expect(resolveRequest(readRequest("Any good places to eat there?", NOW), NOW, {}).resolved).toBe(false);
    expect(resolveRequest(readRequest("I'll take the second one", NOW), NOW, {}).resolved).toBe(false);
    expect(resolveRequest(readRequest("What's it like here in winter?", NOW), NOW, session).resolved).toBe(
      false,
    );
  });

  it("is unresolvable when the session's state and its latest named place disagree", () => {
    const torn = { ...session, earlier: ["what's the weather in Paris"] };
    expect(resolveRequest(readRequest("hotels there?", NOW), NOW, torn).resolved).toBe(false);
  });

  it("a selection is keyed on the session's results, a defaulted origin on the session's", () => {
    const pick = readRequest("I'll take the second one", NOW);
    const a = resolveRequest(pick, NOW, session);
    const b = resolveRequest(pick, NOW, { ...session, results: ['[{"flight_id":"F9"}]'] });
    expect(a.resolved && b.resolved && sameEntities(a.entities, b.entities)).toBe(false);
    const search = readRequest("Flights to Boston on June 3", NOW);
    const fromSea = resolveRequest(search, NOW, session);
    const fromLax = resolveRequest(search, NOW, { ...session, lastOrigin: "LAX" });
    expect(fromSea.resolved && fromLax.resolved && sameEntities(fromSea.entities, fromLax.entities)).toBe(
      false,
    );
  });
});
