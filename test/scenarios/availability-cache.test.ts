/**
 * A cached flight-search answer lives only as long as the seats it reports: a booking on one of
 * those flights (by anyone) drops it, and the next ask searches again.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Scenario, startScenario } from "./harness.js";

type Listed = { flight_id: string; seats_available: number };
/** The flights of the last successful search in the scenario's recorded calls. */
function searched(s: Scenario): Listed[] {
  const call = s.calls.find((c) => c.name === "search_flights" && c.status === "success");
  expect(call).toBeDefined();
  return (call!.json as { flights: Listed[] }).flights;
}

describe("availability answers and seat changes", () => {
  let s: Scenario;
  beforeAll(async () => {
    s = await startScenario("local");
  });
  afterAll(async () => {
    await s?.close();
  });

  it("a seat sold on a listed flight drops the customer's cached search answer", async () => {
    const actor = "21";
    const prompt = "show me flights from Los Angeles to Honolulu next Tuesday";
    const first = await s.invoke(prompt, { actor, session: randomUUID() });
    expect(first.status).toBe(200);
    expect(first.body.cache.hit).toBe(false);
    const flights = searched(s);
    expect(flights.length).toBeGreaterThan(0);

    const repeat = await s.invoke(prompt, { actor, session: randomUUID() });
    expect(repeat.body.cache.hit).toBe(true);
    expect(repeat.body.response).toBe(first.body.response);

    // Another customer holds two seats on the first listed flight, through the booking tool.
    const listed = flights[0]!;
    const reserve = s.rt.app.tools.get("reserve_flight")!;
    const held = await reserve.run(
      { flight_id: listed.flight_id, passengers: 2 },
      {
        actor: { id: "22", guest: false },
        sessionId: randomUUID(),
        logger: s.rt.logger,
        signal: new AbortController().signal,
        deadline: Date.now() + 10_000,
        idempotencyKey: randomUUID(),
      },
    );
    expect(held.status).toBe("success");

    const after = await s.invoke(prompt, { actor, session: randomUUID() });
    expect(after.status).toBe(200);
    expect(after.body.cache.hit).toBe(false);
    expect(searched(s).find((f) => f.flight_id === listed.flight_id)?.seats_available).toBe(
      listed.seats_available - 2,
    );
  });
});
