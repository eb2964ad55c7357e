/**
 * Travel facts through the pipeline, in prompts written here: airline codes, airports, time zones
 * and ground transport are answered by their tools from Flightly's data; a city Flightly does not
 * serve is said so; trunk routes are flown; an empty day offers the nearest dates with flights.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestRuntime, type TestRuntime } from "../support/world.js";

interface Answer {
  response: string;
  agents: Array<{
    agent: string;
    tools: string[];
    calls?: Array<{ tool: string; input: Record<string, unknown> }>;
  }>;
}

describe("travel facts from Flightly's data", () => {
  let rt: TestRuntime;
  beforeAll(async () => {
    rt = await startTestRuntime();
  });
  afterAll(async () => {
    await rt?.close();
  });
  let n = 0;
  const ask = async (prompt: string): Promise<Answer & { tools: string[] }> => {
    const res = await rt.running.http.inject({
      method: "POST",
      url: "/invocations",
      headers: {
        "content-type": "application/json",
        "x-amzn-bedrock-agentcore-runtime-session-id": `facts-${++n}-${Date.now()}`,
      },
      payload: JSON.stringify({ prompt, actor_id: "guest-facts" }),
    });
    expect(res.statusCode).toBe(200);
    const out = res.json() as Answer;
    return { ...out, tools: out.agents.flatMap((a) => a.tools) };
  };

  it("names a carrier by its two-letter code, sold here or not", async () => {
    const ours = await ask("which airline uses the code PC?");
    expect(ours.tools).toContain("get_airline_info");
    expect(ours.response).toMatch(/Pacific Crest Airlines, one of Flightly's airlines/);
    const theirs = await ask("what does the abbreviation DL stand for");
    expect(theirs.tools).toContain("get_airline_info");
    expect(theirs.response).toMatch(/Delta/);
    expect(theirs.response).toMatch(/don't sell/);
  });

  it("lists the airports of a city from the airports table", async () => {
    const out = await ask("which airports do you have in Tokyo?");
    expect(out.tools).toContain("get_airport_info");
    expect(out.response).toMatch(/Narita/);
    expect(out.response).toMatch(/Haneda/);
  });

  it("gives local time zones and the difference between two cities", async () => {
    const out = await ask("how many hours ahead of Seattle is Paris?");
    expect(out.tools).toContain("get_airport_info");
    expect(out.response).toMatch(/Europe\/Paris/);
    expect(out.response).toMatch(
      /Seattle \(SEA\) is 9 hours behind Paris \(CDG\)|Paris \(CDG\) is 9 hours ahead of Seattle \(SEA\)/,
    );
  });

  it("quotes the destination guide on getting into town from the airport", async () => {
    const out = await ask("is there a train from the airport into Denver?");
    expect(out.tools).toContain("get_ground_transport");
    expect(out.response).toMatch(/Union Station/);
  });

  it("says a city is not served, naming served airports near it, without a lookup", async () => {
    const out = await ask("what taxis are there at the airport in Tacoma?");
    expect(out.tools).not.toContain("get_ground_transport");
    expect(out.response).toMatch(/Tacoma/);
    expect(out.response).toMatch(/Seattle \(SEA/);
  });

  it("flies the trunk routes a customer tries first", async () => {
    const sql = rt.running.services.db.sql;
    const rows = await sql<{ origin: string; destination: string }[]>`
      SELECT DISTINCT origin, destination FROM flights
      WHERE (origin, destination) IN (('SFO', 'JFK'), ('JFK', 'SFO'), ('DEN', 'ORD'), ('ORD', 'DEN'))`;
    expect(rows).toHaveLength(4);
    const when = new Date(Date.now() + 21 * 86_400_000).toLocaleDateString("en-US", {
      month: "long",
      day: "numeric",
      timeZone: "UTC",
    });
    const out = await ask(`flights from Denver to Chicago on ${when}`);
    expect(out.tools).toContain("search_flights");
    expect(out.response).toMatch(/Flights from Denver \(DEN\) to Chicago \(ORD\)/);
  });

  it("on a day without flights, searches the days around it and lists them", async () => {
    const sql = rt.running.services.db.sql;
    // A route flown three days a week: a day in the middle of its four-day gap.
    const [gap] = await sql<{ origin: string; destination: string; day: string }[]>`
      WITH days AS (
        SELECT f.origin, f.destination, (f.depart_at AT TIME ZONE 'UTC')::date AS d
        FROM flights f
        WHERE f.origin = 'HNL' AND f.destination = 'ITO'
        GROUP BY 1, 2, 3)
      SELECT a.origin, a.destination, (a.d + 2)::text AS day FROM days a
      WHERE a.d > current_date + 10
        AND NOT EXISTS (SELECT 1 FROM days b WHERE b.d BETWEEN a.d + 1 AND a.d + 3)
      ORDER BY a.d LIMIT 1`;
    expect(gap).toBeDefined();
    const day = new Date(`${gap!.day}T00:00:00Z`);
    const words = day.toLocaleDateString("en-US", { month: "long", day: "numeric", timeZone: "UTC" });
    const out = await ask(`flights from Honolulu to Hilo on ${words}`);
    const searches = out.agents.flatMap((a) => (a.calls ?? []).filter((c) => c.tool === "search_flights"));
    expect(searches.length).toBe(2);
    expect(searches[1]!.input).toMatchObject({ origin: "HNL", destination: "ITO" });
    expect(out.response).toMatch(/I found no flights from Honolulu \(HNL\) to Hilo \(ITO\) on/);
    expect(out.response).toMatch(/nearest dates with flights/);
    expect(out.response).toMatch(/HNL→ITO/);
  });
});
