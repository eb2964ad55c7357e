/** Routes written in Spanish, French, Italian or Portuguese keep their direction. */
import { describe, expect, it } from "vitest";
import { extractSlots } from "../../language/index.js";

const NOW = new Date("2027-05-10T09:00:00Z");
const route = (text: string) => {
  const s = extractSlots(text, NOW);
  return [s.origin?.iata, s.destinations.map((d) => d.iata)];
};

describe("routes in other languages", () => {
  it("reads de/desde/da … a/para as from … to", () => {
    expect(route("necesito un vuelo desde Lisboa para Madrid")).toEqual(["LIS", ["MAD"]]);
    expect(route("billets de Rome a Madrid s'il vous plait")).toEqual(["FCO", ["MAD"]]);
    expect(route("un volo da Madrid a Roma")).toEqual(["MAD", ["FCO"]]);
  });

  it("leaves English routes and names containing 'de' as they were", () => {
    expect(route("a flight from Rome to Lisbon")).toEqual(["FCO", ["LIS"]]);
    expect(route("from charles de gaulle to lisbon")).toEqual(["CDG", ["LIS"]]);
  });
});
