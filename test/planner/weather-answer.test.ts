/** Weather answers give the figures: forecast days, or climate averages labelled as such. */
import { describe, expect, it } from "vitest";
import { describeWeather } from "../../orchestrator/models/local/render.js";

describe("weather answers", () => {
  it("render the months of a climate-normals result with their figures and the averages label", () => {
    const text = describeWeather(
      {
        kind: "climate_normals",
        note: "Monthly averages, not a forecast",
        provider: "offline",
        location: { name: "Reykjavik", iata: "KEF" },
        station: "Reykjavik",
        months: [{ month: "February", avg_high_c: 3, avg_low_c: -2, avg_precip_mm: 82, avg_rain_days: 15 }],
      },
      "Reykjavik",
    );
    expect(text).toMatch(/February: avg high 3°C, avg low -2°C, avg precip 82 mm, avg rain days 15/);
    expect(text).toMatch(/\(Monthly averages, not a forecast\)/);
    // Which provider answered is not the customer's to read.
    expect(text).not.toMatch(/provider|offline/);
  });

  it("render forecast days", () => {
    const text = describeWeather(
      { kind: "forecast", days: [{ date: "2027-02-03", summary: "light snow", high_c: 1, low_c: -4 }] },
      "Oslo",
    );
    expect(text).toMatch(/2027-02-03: light snow, high 1°C, low -4°C/);
  });
});
