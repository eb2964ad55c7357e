/** Route ends in pairs, spelling slips, unknown places, day-of-month dates, times of day, trip shape. */
import { describe, expect, it } from "vitest";
import { defaultGazetteer, extractSlots } from "../../language/index.js";

/** Monday 4 January 2027. */
const NOW = new Date("2027-01-04T09:00:00Z");
const read = (text: string) => extractSlots(text, NOW);

describe("route ends", () => {
  it("reads the first place after 'between' as the origin and the one after 'and' as the destination", () => {
    const s = read("any seats between denver and miami?");
    expect(s.origin?.iata).toBe("DEN");
    expect(s.destinations.map((d) => d.iata)).toEqual(["MIA"]);
    const back = read("what runs between miami and denver");
    expect(back.origin?.iata).toBe("MIA");
    expect(back.destinations.map((d) => d.iata)).toEqual(["DEN"]);
  });

  it("matches a misspelt city within a bounded edit distance and never guesses short words", () => {
    const s = read("cheap seats from nashvile to philadelphya");
    expect(s.origin?.iata).toBe("BNA");
    expect(s.destinations[0]?.iata).toBe("PHL");
    // Said back as the city is named, not as it was typed.
    expect([s.origin?.label, s.destinations[0]?.label]).toEqual(["Nashville", "Philadelphia"]);
    expect(defaultGazetteer().closestPlace("phoenixx")?.[0]?.iata).toBe("PHX");
    expect(defaultGazetteer().closestPlace("dover")).toBeUndefined();
  });

  it("keeps a city it cannot place as unknown, with a state after it read as its qualifier", () => {
    const s = read("i need to go from boise idaho to atlanta");
    expect(s.unknownPlaces.map((u) => u.name)).toEqual(["Boise"]);
    expect(s.origin).toBeUndefined();
    expect(s.destinations[0]?.iata).toBe("ATL");
    const q = read("seats from spokane washington to denver");
    expect(q.unknownPlaces.map((u) => u.name)).toEqual(["Spokane"]);
    expect(q.destinations.map((d) => d.iata)).toEqual(["DEN"]);
  });
});

describe("day-of-month dates", () => {
  it.each([
    ["leaving on march the third", "2027-03-03"],
    ["i'd go friday february twelfth", "2027-02-12"],
    ["fly out on the twenty second of january", "2027-01-22"],
    ["depart 3/15 please", "2027-03-15"],
    ["on june 2nd", "2027-06-02"],
  ])("%s → %s", (text, date) => {
    expect(read(text).date).toBe(date);
  });

  it("lets a weekday before a month and day belong to that day, not to the next such weekday", () => {
    expect(read("tuesday march ninth from boston to denver").date).toBe("2027-03-09");
  });
});

describe("times of day and trip shape", () => {
  it("reads periods, before/after times and arrival cues as local bounds", () => {
    expect(read("something in the late afternoon")).toMatchObject({
      departAfter: "15:00",
      departBefore: "18:00",
    });
    expect(read("leaving before 9:30 am")).toMatchObject({ departBefore: "09:30" });
    expect(read("i must land before 2 pm")).toMatchObject({ arriveBefore: "14:00" });
    expect(read("departing after noon")).toMatchObject({ departAfter: "12:00" });
    expect(read("good morning, a flight to denver").departAfter).toBeUndefined();
  });

  it("marks round trips and nonstop requests", () => {
    expect(read("a round-trip fare to boston")).toMatchObject({ roundTrip: true });
    expect(read("one way only")).toMatchObject({ roundTrip: false });
    expect(read("only direct flights please")).toMatchObject({ nonstop: true });
  });
});
