import { describe, expect, it } from "vitest";
import { extractEntities, extractSlots } from "../../language/index.js";

/** Wednesday 13 May 2026. */
const NOW = new Date("2026-05-13T10:00:00Z");
const slots = (text: string) => extractSlots(text, NOW);

describe("carriers Flightly sells, by name and by code", () => {
  it("reads a sold carrier from its two-letter code in a carrier position", () => {
    expect(slots("a seat on PC from Seattle to Honolulu on June 3?").preferredAirline).toBe(
      "Pacific Crest Airlines",
    );
    expect(slots("any kz flights from Tokyo to Bangkok").preferredAirline).toBe("Kaze Airways");
    expect(slots("is sx 12 still flying to Sydney from Auckland").preferredAirline).toBe(
      "Southern Cross Airlines",
    );
  });

  it("reads a sold carrier by name", () => {
    expect(slots("something on pacific crest from Seattle to Honolulu").preferredAirline).toBe(
      "Pacific Crest Airlines",
    );
  });

  it("keeps a sold code for the carrier Flightly sells, a real name for the real carrier", () => {
    expect(slots("only nw flights from Chicago to Denver").preferredAirline).toBe("Northwind");
    expect(slots("northwest airlines out of Chicago to Denver").preferredAirline).toBe("Northwest Airlines");
  });
});

describe("real carriers Flightly does not sell", () => {
  it("reads full names anywhere, short names and codes in a carrier position", () => {
    expect(slots("Could Qantas take me from Sydney to Melbourne on Qantas Airways?").preferredAirline).toBe(
      "Qantas",
    );
    expect(slots("book me aboard jetblue out of Boston to Miami").preferredAirline).toBe("JetBlue Airways");
    expect(slots("fares for b6 flights Boston to Miami").preferredAirline).toBe("JetBlue Airways");
    expect(slots("what does ba 283 from London to Los Angeles cost").preferredAirline).toBe(
      "British Airways",
    );
    expect(slots("does united have seats from Denver to Chicago").preferredAirline).toBe("United Airlines");
    expect(slots("US Air from Boston to Denver").preferredAirline).toBe("US Airways");
  });

  it("reads a code that is also a frequent word after 'on' only in a clause about flights", () => {
    expect(slots("could you put trip cover on it please").preferredAirline).toBeUndefined();
    expect(slots("find a hotel near the coast, the drinks are on me").preferredAirline).toBeUndefined();
    expect(slots("add protection to the reservation and charge it on me").preferredAirline).toBeUndefined();
    expect(slots("cheapest seats on it from Delhi to Mumbai").preferredAirline).toBe("Kingfisher Airlines");
  });

  it("keeps historical carriers", () => {
    expect(slots("trans world airlines from St Louis to Boston").preferredAirline).toBe(
      "Trans World Airlines",
    );
  });

  it("carries the code into the entity guard", () => {
    expect(extractEntities("seats on delta from Atlanta to Boston").airlines).toEqual(["DL"]);
    expect(extractEntities("a ua flight from Denver to Chicago").airlines).toEqual(["UA"]);
  });
});

describe("words that are also codes or short names", () => {
  it.each([
    "could you show me flights from Boston to Denver",
    "I need to be there at 1200 from Boston to Denver",
    "leaving on or before June 3 from Boston to Denver",
    "I want an early flight from Boston to Denver",
    "the first flight from Boston to Denver",
    "what airline is the 9 pm flight from Boston to Denver",
    "book it with us from Boston to Denver",
    "is the fare code qz refundable",
  ])("reads no airline in %j", (text) => {
    const s = slots(text);
    expect(s.preferredAirline).toBeUndefined();
    expect(s.avoidAirlines).toEqual([]);
    expect(extractEntities(text).airlines).toEqual([]);
  });

  it("does not take a place or a common word for a carrier's short name", () => {
    expect(slots("Phoenix flights from Denver").preferredAirline).toBeUndefined();
    expect(slots("when can I fly from Denver to Dallas").preferredAirline).toBeUndefined();
  });
});

describe("excluding a real carrier", () => {
  it("avoids it in the slots and excludes it in the entity guard", () => {
    const s = slots("anything but lufthansa from Frankfurt to New York");
    expect(s.avoidAirlines).toEqual(["Lufthansa"]);
    expect(s.preferredAirline).toBeUndefined();
    expect(extractEntities("anything but lufthansa from Frankfurt to New York").excluded).toEqual([
      "airline:LH",
    ]);
  });

  it("avoids a carrier named by code after a negation", () => {
    const s = slots("Atlanta to Boston but not on dl please");
    expect(s.avoidAirlines).toEqual(["Delta Air Lines"]);
    expect(s.preferredAirline).toBeUndefined();
  });
});
