import { describe, expect, it } from "vitest";
import { extractEntities, sameEntities } from "../../language/index.js";

const same = (a: string, b: string): boolean => sameEntities(extractEntities(a), extractEntities(b));

describe("entity guard", () => {
  it.each([
    ["What's the weather in Tokyo?", "What's the weather in Osaka?", "city"],
    ["Flights from Seattle to Honolulu", "Flights from Honolulu to Seattle", "direction"],
    ["Flights to Maui on March 3", "Flights to Maui on March 4", "date"],
    ["Flights to Maui in June", "Flights to Maui in July", "month"],
    ["Hotels under $300 a night in Paris", "Hotels under $200 a night in Paris", "amount"],
    ["Is Island Air's baggage allowance 23 kg?", "Is Northwind's baggage allowance 23 kg?", "airline"],
    ["Can I bring my dog in the cabin?", "Can't I bring my dog in the cabin?", "negation"],
    ["Flights to Tokyo without a layover", "Flights to Tokyo with a layover", "negation"],
    ["Flights from Vegas", "Flights to Vegas", "role"],
    ["How do I join Flightly Miles?", "How do I leave Flightly Miles?", "contrast"],
    ["What is the carry-on allowance?", "What is the checked allowance?", "contrast"],
  ])("keeps %s and %s apart (%s)", (a, b) => {
    expect(same(a, b)).toBe(false);
  });

  it.each([
    ["What's the weather in Tokyo?", "How is the weather in Tokyo?"],
    ["What is the checked baggage allowance?", "How many checked bags are allowed?"],
    ["Flights from Seattle to Honolulu", "Show flights from SEA to HNL"],
  ])("lets %s and %s match when only wording differs", (a, b) => {
    expect(same(a, b)).toBe(true);
  });
});
