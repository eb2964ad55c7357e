/** Gold time windows: the eval's normalisation of the data set's time slots. */
import { describe, expect, it } from "vitest";
import { goldTime } from "../../bench/eval/gold.js";

describe("gold time windows", () => {
  it("puts a bare hour in the half of the day its period names", () => {
    expect(
      goldTime({
        "depart_time.time_relative": "after",
        "depart_time.time": "3",
        "depart_time.period_of_day": "evening",
      }),
    ).toEqual({ leg: "depart", window: { after: 15 * 60 } });
    expect(goldTime({ "arrive_time.time_relative": "before", "arrive_time.time": "10 am" })).toEqual({
      leg: "arrive",
      window: { before: 10 * 60 },
    });
  });

  it("joins a modifier tagged on one leg with the period tagged on the other", () => {
    expect(
      goldTime({ "depart_time.period_of_day": "late", "arrive_time.period_of_day": "afternoon" }),
    ).toEqual({ leg: "arrive", window: { after: 15 * 60, before: 18 * 60 } });
    expect(goldTime({ "depart_time.period_of_day": "afternoon" })).toEqual({
      leg: "depart",
      window: { after: 12 * 60, before: 18 * 60 },
    });
  });
});
