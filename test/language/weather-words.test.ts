/** Temperature words: derived from WordNet, and counted only when said of the weather. */
import { describe, expect, it } from "vitest";
import { extractSlots, TEMPERATURE_WORD, TEMPERATURE_WORDS } from "../../language/index.js";
import { detectIntents } from "../../orchestrator/models/local/index.js";
import { temperatureWords, wordnetDict } from "../../scripts/temperature-words.js";

const NOW = new Date("2026-05-13T10:00:00Z");
const intentsOf = (text: string) => detectIntents(text, extractSlots(text, NOW)).intents;

describe("temperature words", () => {
  it("are the list WordNet gives today", () => {
    const derived = temperatureWords(wordnetDict());
    expect(derived).toEqual([...TEMPERATURE_WORDS].sort());
    // The heads and weather senses are in; words WordNet links to "hot" for other reasons are not.
    expect(derived).toEqual(expect.arrayContaining(["chilly", "frigid", "sweltering", "nippy"]));
    expect(derived).not.toContain("heatable");
    expect(derived).not.toContain("calorific");
  });

  it("count when said of the weather, not before another noun or as a noun", () => {
    for (const said of [
      "does munich stay frigid through february",
      "frosty mornings in prague?",
      "how nippy does quebec get",
      "is it sultry there",
    ])
      expect(TEMPERATURE_WORD.test(said), said).toBe(true);
    for (const not of [
      "spicy hot sauce in bangkok",
      "caught a cold on the plane",
      "tropical cocktails on the beach",
    ])
      expect(TEMPERATURE_WORD.test(not), not).toBe(false);
  });

  it("make a question about a named place's temperature a weather question", () => {
    expect(intentsOf("Does Munich stay frigid through February?")).toEqual(["weather"]);
    expect(intentsOf("how sweltering is Bangkok in April")).toEqual(["weather"]);
    // Without a place or a weather reading, the word alone does not.
    expect(intentsOf("is the cabin chilly")).not.toContain("weather");
    expect(intentsOf("cheap hot deals to Lisbon")).not.toContain("weather");
  });
});
