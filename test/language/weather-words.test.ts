/** Temperature words: derived from WordNet, and counted only when said of the weather. */
import { describe, expect, it } from "vitest";
import {
  ASKS_WHAT_TO_WEAR,
  extractSlots,
  TEMPERATURE_WORD,
  TEMPERATURE_WORDS,
  WEATHER_GEAR_WORDS,
} from "../../language/index.js";
import { detectIntents } from "../../orchestrator/models/local/index.js";
import { temperatureWords, wordnetDict } from "../../scripts/temperature-words.js";
import { weatherGearWords } from "../../scripts/weather-gear-words.js";

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

describe("what to wear or pack", () => {
  it("reads the things worn or carried from WordNet, leaving out words whose first sense is other", () => {
    const derived = weatherGearWords(wordnetDict());
    expect(derived).toEqual([...WEATHER_GEAR_WORDS].sort());
    expect(derived).toEqual(expect.arrayContaining(["parka", "galosh", "umbrella", "sandal"]));
    for (const other of ["black", "stock", "switch", "change"]) expect(derived).not.toContain(other);
  });

  it("asked of a named place is a weather question; asked as leave to bring on board, a rules one", () => {
    expect(ASKS_WHAT_TO_WEAR.test("do we need thermal parkas")).toBe(true);
    expect(intentsOf("Would I want to bring galoshes to Seattle in November?")).toEqual(["weather"]);
    expect(intentsOf("what should we wear for Anchorage over new year")).toEqual(["weather"]);
    expect(intentsOf("may I take a parasol in my cabin bag to Honolulu")).not.toContain("weather");
    // What is worn on board or supplied at a hotel is no weather question; "suites" is no "suit".
    expect(intentsOf("must we wear face masks on the plane to Lima")).not.toContain("weather");
    expect(intentsOf("we need three suites in Denver")).not.toContain("weather");
    expect(intentsOf("I need an ironing board at my hotel in Paris")).not.toContain("weather");
    // Without a place, nothing is asked of a forecast.
    expect(intentsOf("should I pack sandals")).not.toContain("weather");
  });
});
