/** The eval's airline scoring: gold names and codes through the reference list, "not sold" answers. */
import { describe, expect, it } from "vitest";
import { goldAirline } from "../../bench/eval/gold.js";
import { score } from "../../bench/eval/score.js";
import type { InvokeResult } from "../../orchestrator/orchestrator.js";

const TODAY = Date.UTC(2027, 0, 4);

function answer(response: string, search?: Record<string, unknown>): InvokeResult {
  return {
    response,
    agents: [{ agent: "booking", calls: search ? [{ tool: "search_flights", input: search }] : [] }],
  } as unknown as InvokeResult;
}

const example = (airline: Record<string, string>) => ({
  text: "a flight between two served cities on a named carrier",
  intent: "atis_flight",
  slots: { "fromloc.city_name": "denver", "toloc.city_name": "boston", ...airline },
});

describe("eval: gold airlines", () => {
  it("maps a sold carrier's name or code to its code", () => {
    expect(goldAirline("pacific crest").code).toBe("PC");
    expect(goldAirline("pc").code).toBe("PC");
  });

  it("maps a real carrier's code, short name or full name to the reference names", () => {
    expect(goldAirline("dl")).toEqual({ code: undefined, names: ["delta air lines"] });
    expect(goldAirline("delta airline").names).toContain("delta air lines");
    expect(goldAirline("jetblue airways").names).toContain("jetblue airways");
  });
});

describe("eval: scoring a carrier Flightly does not sell", () => {
  const gold = example({ airline_code: "dl" });

  it("is right when the answer names it as not sold and searches nothing", () => {
    const v = score(
      gold,
      answer("We don't sell Delta Air Lines flights; Flightly sells Pacific Crest Airlines."),
      TODAY,
    );
    expect(v.slots).toEqual({ airline: true });
    expect(v.outcome).toBe("declined honestly");
    expect(v.intentRight).toBe(true);
  });

  it("is wrong when the answer searches anyway or names another carrier", () => {
    const searched = score(
      gold,
      answer("We don't sell Delta Air Lines flights; here are others.", {
        origin: "DEN",
        destination: "BOS",
      }),
      TODAY,
    );
    expect(searched.slots).toEqual({ airline: false });
    expect(score(gold, answer("We don't sell Northwind flights."), TODAY).slots).toEqual({ airline: false });
  });

  it("scores a sold carrier by the search's airline argument", () => {
    const v = score(
      example({ airline_name: "pacific crest" }),
      answer("Flights from Denver to Boston", { origin: "DEN", destination: "BOS", airline: "PC" }),
      TODAY,
    );
    expect(v.slots).toMatchObject({ airline: true, origin: true, destination: true });
  });
});
