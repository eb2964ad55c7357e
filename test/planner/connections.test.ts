/** The booking agent's answer when a route has no non-stop flights around the day asked. */
import { describe, expect, it } from "vitest";
import type { JsonValue } from "../../core/json.js";
import { LocalPlanner } from "../../orchestrator/models/local/index.js";
import { agentTools, dollarAmounts, FLIGHTS, runTurn, system, user } from "./harness.js";

const planner = new LocalPlanner();

describe("no non-stop flights: connections", () => {
  const first = {
    ...FLIGHTS[0]!,
    flight_id: "501",
    flight_number: "PC501",
    origin: "SEA",
    destination: "LAX",
  };
  const second = {
    ...FLIGHTS[1]!,
    flight_id: "502",
    flight_number: "IA502",
    origin: "LAX",
    destination: "NRT",
  };
  const connection = {
    via: "LAX",
    legs: [first, second],
    price_usd: first.price_usd + second.price_usd,
    layover_minutes: 135,
    duration_minutes: 900,
  } as unknown as JsonValue;

  it("searches the days around with connections and lists them, each leg and the total", async () => {
    const run = await runTurn(planner, {
      system: system(),
      tools: agentTools("booking"),
      messages: [user("is there anything seattle to tokyo the day after tomorrow")],
      handlers: {
        search_flights: (input) => ({
          json: {
            flights: [],
            count: 0,
            ...(input.max_stops === 1 ? { connections: [connection] } : {}),
          },
        }),
      },
    });
    expect(run.calls.map((c) => c.input.max_stops)).toEqual([undefined, 1]);
    expect(run.text).toContain("One-stop connections");
    expect(run.text).toContain("PC501");
    expect(run.text).toContain("IA502");
    expect(run.text).toContain("2 h 15 min in Los Angeles");
    expect(dollarAmounts(run.text)).toContain(first.price_usd + second.price_usd);
  });

  it("offers nearby airports when there are no connections either", async () => {
    const run = await runTurn(planner, {
      system: system(),
      tools: agentTools("booking"),
      messages: [user("is there anything seattle to tokyo the day after tomorrow")],
      handlers: { search_flights: () => ({ json: { flights: [], count: 0, connections: [] } }) },
    });
    expect(run.text).not.toContain("One-stop connections");
    expect(run.text).toMatch(/Nearby airports we serve|another date/);
  });

  it("asked to book on an empty day, offers the flights of the days around and holds nothing", async () => {
    const around = {
      ...FLIGHTS[0]!,
      flight_id: "503",
      flight_number: "PC503",
      origin: "SEA",
      destination: "NRT",
    };
    const run = await runTurn(planner, {
      system: system(),
      tools: agentTools("booking"),
      messages: [
        user("get me on the lowest fare seattle to tokyo the day after tomorrow, go ahead and reserve it"),
      ],
      handlers: {
        search_flights: (input) =>
          input.max_stops === 1
            ? { json: { flights: [around], count: 1, connections: [connection] } }
            : { json: { flights: [], count: 0 } },
        reserve_flight: () => ({ json: { booking_ref: "FL-SHOULDNOT", status: "held" } }),
      },
    });
    expect(run.calls.map((c) => c.name)).toEqual(["search_flights", "search_flights"]);
    expect(run.calls[1]!.input.max_stops).toBe(1);
    expect(run.text).toContain("PC503");
    expect(run.text).toMatch(/which of these to book/);
  });
});
