/** Dates read through chrono-node under the trip rules, times of day, and the trip's shape. */
import { describe, expect, it } from "vitest";
import { extractSlots, withoutCalendarDays } from "../../language/index.js";

/** Thursday 15 July 2027, mid-morning UTC. */
const NOW = new Date("2027-07-15T10:30:00Z");
const read = (text: string) => extractSlots(text, NOW);

describe("dates", () => {
  it.each([
    ["something on the nineteenth please", "2027-07-19"],
    ["going on the twelfth", "2027-08-12"],
    ["seats for august the thirty first", "2027-08-31"],
    ["fly on september nineteen", "2027-09-19"],
    ["fly on september twenty two", "2027-09-22"],
  ])("a spelled-out day of the month: %s → %s", (text, date) => {
    expect(read(text).date).toBe(date);
  });

  it("reads 'the 21st of next month' as that day, and 'next month' alone as the month", () => {
    expect(read("fly out on the 21st of next month").date).toBe("2027-08-21");
    expect(read("fly out next month").dateRange).toEqual({ from: "2027-08-01", to: "2027-08-31" });
  });

  it("reads 'about the 14th' as a day, and 'about the 2nd' as a pick from a list", () => {
    expect(read("ok and what about the 14th").date).toBe("2027-08-14");
    expect(read("how about the 2nd").date).toBeUndefined();
  });

  it("reads a full month name spoken of as a time to go, not a short form or the verb", () => {
    expect(read("is november a sensible time for Lisbon? is it wet").dateRange).toEqual({
      from: "2027-11-01",
      to: "2027-11-30",
    });
    expect(read("September would be too hot for Seville, no?").dateRange?.from).toBe("2027-09-01");
    expect(read("we march on regardless").dateRange).toBeUndefined();
    expect(read("is may ok with you").dateRange).toBeUndefined();
  });

  it("reads numeric dates as month/day, the next one to come, and keeps a written year", () => {
    expect(read("anything 9/2?").date).toBe("2027-09-02");
    expect(read("anything 3/2?").date).toBe("2028-03-02");
    expect(read("out on 2028-02-29").date).toBe("2028-02-29");
  });

  it("reads a year already gone as the next such day, and a weekday named with a date as that date", () => {
    expect(read("seats on february 6th 1998").date).toBe("2028-02-06");
    expect(read("friday the 23rd").date).toBe("2027-07-23");
  });

  it("reads a weekday, singular or plural, as the next such day after today", () => {
    expect(read("what goes out on saturdays").date).toBe("2027-07-17");
    expect(read("what goes out on thursdays").date).toBe("2027-07-22");
    expect(read("leaving monday").date).toBe("2027-07-19");
    expect(read("is there sun in tampa").date).toBeUndefined();
  });

  it("takes the first of alternative dates and never makes the second a return", () => {
    const s = read("either the 20th or the 21st, whichever is cheaper");
    expect(s.date).toBe("2027-07-20");
    expect(s.returnDate).toBeUndefined();
    const w = read("fridays or sundays work for me");
    expect(w.date).toBe("2027-07-16");
    expect(w.returnDate).toBeUndefined();
  });

  it("reads the return of a trip from a range or a return word, and a stay as nights", () => {
    expect(read("out october 2, home october 9")).toMatchObject({
      date: "2027-10-02",
      returnDate: "2027-10-09",
      nights: 7,
    });
    expect(read("depart the 3rd of november and fly back on the 10th")).toMatchObject({
      date: "2027-11-03",
      returnDate: "2027-11-10",
    });
    expect(read("from the 22nd until the 26th")).toMatchObject({
      date: "2027-07-22",
      returnDate: "2027-07-26",
    });
    expect(read("round trip, returning the 30th")).toMatchObject({
      returnDate: "2027-07-30",
      roundTrip: true,
    });
    expect(read("a 4 day trip to nowhere in 3 days").date).toBe("2027-07-18");
    const stay = read("for 2 weeks");
    expect(stay.nights).toBe(14);
    expect(stay.date).toBeUndefined();
  });
});

describe("times of day", () => {
  it("tells an arrival bound from a departure bound", () => {
    expect(read("i need to touch down by 3 pm")).toMatchObject({ arriveBefore: "15:00" });
    expect(read("i want to be in town before 11 am")).toMatchObject({ arriveBefore: "11:00" });
    const s = read("take off after 7 am and get in before 1 pm");
    expect(s).toMatchObject({ departAfter: "07:00", arriveBefore: "13:00" });
    expect(s.departBefore).toBeUndefined();
  });

  it("reads periods of the day as windows and lets a period after a clock time pick its half", () => {
    expect(read("an early evening departure")).toMatchObject({ departAfter: "17:00", departBefore: "20:00" });
    expect(read("sometime in the early afternoon")).toMatchObject({
      departAfter: "12:00",
      departBefore: "15:00",
    });
    const qualified = read("leaving after 3 in the afternoon");
    expect(qualified.departAfter).toBe("15:00");
    expect(qualified.departBefore).toBeUndefined();
    expect(read("out before 9 in the morning")).toMatchObject({ departBefore: "09:00" });
    expect(read("flights out by 11 at night")).toMatchObject({ departBefore: "23:00" });
  });

  it("reads a bare small hour after 'after' as the afternoon, and leaves a weekday inside a period to the date", () => {
    expect(read("anything after 4").departAfter).toBe("16:00");
    const s = read("early saturday morning");
    expect(s).toMatchObject({ departAfter: "00:00", departBefore: "08:00", date: "2027-07-17" });
  });
});

describe("trip shape", () => {
  it("reads one way and round trip apart", () => {
    expect(read("just a single one-way seat").roundTrip).toBe(false);
    expect(read("a roundtrip ticket for two").roundTrip).toBe(true);
    expect(read("flying out friday and coming back sunday")).toMatchObject({
      roundTrip: true,
      date: "2027-07-16",
      returnDate: "2027-07-18",
    });
    expect(read("flights out friday").roundTrip).toBeUndefined();
  });
});

describe("calendar days out of a text (withoutCalendarDays)", () => {
  const day = new Date(Date.UTC(2026, 0, 15));

  it("blanks the days and spans the date reader reads", () => {
    expect(withoutCalendarDays("Move my trip to next week, what now", day).replace(/\s+/g, " ")).toBe(
      "move my trip to , what now",
    );
    expect(withoutCalendarDays("flying on May 5th with a dog", day).replace(/\s+/g, " ")).toBe(
      "flying on with a dog",
    );
  });

  it("keeps durations, which policies are written in", () => {
    expect(withoutCalendarDays("can I cancel within 24 hours", day)).toBe("can i cancel within 24 hours");
    expect(withoutCalendarDays("booked 3 hours ago", day)).toBe("booked 3 hours ago");
    expect(withoutCalendarDays("what about my bags", day)).toBe("what about my bags");
    expect(withoutCalendarDays("may two men share a room", day)).toBe("may two men share a room");
    expect(withoutCalendarDays("flying in may", day).trim()).toBe("flying");
  });
});
