import { describe, expect, it } from "vitest";
import { LocalPlanner } from "../../orchestrator/models/local/index.js";
import { agentTools, runTurn, system, user } from "./harness.js";

const planner = new LocalPlanner();

const turn = (text: string) =>
  runTurn(planner, { system: system(), tools: agentTools("booking"), messages: [user(text)] });

describe("LocalPlanner: the airline a customer asks for", () => {
  it("searches a sold carrier named by code", async () => {
    const run = await turn("put me on pc from Seattle to Honolulu on June 3");
    // The fake schedule has no flights that day: the second search is the days around it.
    const searches = run.calls.filter((c) => c.name === "search_flights");
    expect(searches[0]!.input.date).toBeDefined();
    for (const search of searches)
      expect(search.input).toMatchObject({
        origin: "SEA",
        destination: "HNL",
        airline: "Pacific Crest Airlines",
      });
  });

  it("searches a sold carrier named by name", async () => {
    const run = await turn("Island Air seats Seattle to Honolulu, June 3");
    const searches = run.calls.filter((c) => c.name === "search_flights");
    expect(new Set(searches.map((c) => c.input.airline))).toEqual(new Set(["Island Air"]));
  });

  it("names a real carrier Flightly does not sell and searches nothing", async () => {
    for (const text of [
      "a delta flight from Seattle to Honolulu on June 3",
      "ua 1999 Seattle to Honolulu June 3",
    ]) {
      const run = await turn(text);
      expect(run.calls.map((c) => c.name)).not.toContain("search_flights");
      expect(run.text).toMatch(/We don't sell (?:Delta Air Lines|United Airlines) flights/);
      expect(run.text).toContain("Pacific Crest Airlines");
    }
  });

  it("searches every sold carrier when a real one is excluded, passing the exclusion on", async () => {
    const run = await turn("Seattle to Honolulu on June 3, anything except alaska airlines");
    const searches = run.calls.filter((c) => c.name === "search_flights");
    expect(searches.length).toBeGreaterThan(0);
    for (const search of searches) {
      expect(search.input.avoid_airlines).toEqual(["Alaska Airlines"]);
      expect(search.input.airline).toBeUndefined();
    }
    expect(run.text).not.toContain("don't sell");
  });
});
