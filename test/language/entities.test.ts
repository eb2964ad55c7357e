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

describe("entity guard: exclusions, days, airlines, times, trip type, cabin", () => {
  it.each([
    [
      "Show me June flights to Maui, leaving out nothing, excluding Kaze",
      "Show me June flights to Maui, leaving out nothing, on Kaze",
    ],
    ["Any carrier other than Lotus to Bangkok", "Any carrier to Bangkok, Lotus"],
    ["Fares to Dubai with anything but Meridian", "Fares to Dubai with Meridian"],
    ["Book Aurora instead of SkyBridge to Paris", "Book Aurora and SkyBridge to Paris"],
    ["Nonstop to Sydney except Southern Cross", "Nonstop to Sydney on Southern Cross"],
    ["Seattle to Denver on the fifth of may", "Seattle to Denver on the sixth of may"],
    ["Seattle to Denver may 7th", "Seattle to Denver may eighth"],
    ["Boston to Dallas on the twenty third", "Boston to Dallas on the twenty fourth"],
    ["fares on jetblue to boston", "fares on spirit to boston"],
    ["flights on ua to denver", "flights on dl to denver"],
    ["what does airline hp stand for", "what does airline co stand for"],
    ["an afternoon departure to Phoenix", "a night departure to Phoenix"],
    ["leave Atlanta after 6 pm", "leave Atlanta after 6 am"],
    ["a one-way ticket to Miami", "a round trip ticket to Miami"],
    ["premium economy seats to Tokyo", "business class seats to Tokyo"],
    ["What happens when the airline changes my flight time?", "What happens when I change my flight time?"],
  ])("keeps %s and %s apart", (a, b) => {
    expect(same(a, b)).toBe(false);
  });

  it.each([
    ["Seattle to Denver on May 5th", "Seattle to Denver on the fifth of May"],
    ["fares on jetblue to boston", "jetblue fares to boston"],
    ["leave Atlanta after 6 pm", "leaving Atlanta after 6pm"],
  ])("reads %s and %s as the same entities", (a, b) => {
    const x = extractEntities(a);
    const y = extractEntities(b);
    expect([x.days, x.airlines, x.times]).toEqual([y.days, y.airlines, y.times]);
  });

  it("a two-letter word is an airline only in airline context", () => {
    expect(extractEntities("flights on us to boston").airlines).toEqual(["US"]);
    expect(extractEntities("can you send us the receipt").airlines).toEqual([]);
    expect(extractEntities("as soon as possible to boston").airlines).toEqual([]);
  });
});
