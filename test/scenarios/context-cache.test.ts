/**
 * Questions that lean on the session ("there", "the cheapest") are cached under what they resolve
 * to, never under their words: another customer, a guest or a new session with other context is
 * never served an answer computed for someone else's destination.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Scenario, startScenario } from "./harness.js";

describe("context-dependent questions and the response cache", () => {
  let s: Scenario;
  beforeAll(async () => {
    s = await startScenario("local");
  });
  afterAll(async () => {
    await s?.close();
  });

  /** A session whose last flight search went to `city`. */
  async function sessionAbout(actor: string, route: string): Promise<string> {
    const session = randomUUID();
    const searched = await s.invoke(`show me flights ${route} on June 12`, { actor, session });
    expect(searched.status).toBe(200);
    expect(s.calls.some((c) => c.name === "search_flights" && c.status === "success")).toBe(true);
    return session;
  }

  it("a forecast asked about 'there' is not served to a customer whose session is elsewhere", async () => {
    const honolulu = await sessionAbout("41", "from Seattle to Honolulu");
    const prompt = "How's the weather looking there?";
    const first = await s.invoke(prompt, { actor: "41", session: honolulu });
    expect(first.status).toBe(200);
    expect(first.body.cache.hit).toBe(false);
    expect(first.body.response).toMatch(/Honolulu/);

    const paris = await sessionAbout("42", "from New York to Paris");
    const other = await s.invoke(prompt, { actor: "42", session: paris });
    expect(other.status).toBe(200);
    expect(other.body.cache.hit).toBe(false);
    expect(other.body.response).not.toMatch(/Honolulu/);
    expect(other.body.response).toMatch(/Paris/);

    // Keyed on what it resolved to, the conversation's dates included: the same question about
    // Honolulu in words, in another session about the same trip, is the same entry; in a new
    // session (today's weather, not June's) it is not.
    const sameTrip = await sessionAbout("43", "from Seattle to Honolulu");
    const named = await s.invoke("How's the weather looking in Honolulu?", {
      actor: "43",
      session: sameTrip,
    });
    expect(named.body.cache.hit).toBe(true);
    expect(named.body.response).toBe(first.body.response);
    const fresh = await s.invoke("How's the weather looking in Honolulu?", {
      actor: "43",
      session: randomUUID(),
    });
    expect(fresh.body.cache.hit).toBe(false);
    expect(fresh.body.response).not.toBe(first.body.response);
  });

  it("an answer built on the session's place, for words that name none, is not stored under them", async () => {
    const tokyo = await sessionAbout("46", "from Seattle to Tokyo");
    // "in july" reads as a named place: the words alone say nothing of Tokyo.
    const prompt = "any hotels in july?";
    const first = await s.invoke(prompt, { actor: "46", session: tokyo });
    expect(first.status).toBe(200);
    const searched = s.calls.find((c) => c.name === "search_hotels");
    expect(["NRT", "HND"]).toContain(searched?.input.city);
    expect(first.body.cache.store?.reason).toBe("not cacheable: context");
    const fresh = await s.invoke(prompt, { actor: "46", session: randomUUID() });
    expect(fresh.body.cache.hit).toBe(false);
    expect(
      s.calls.filter((c) => c.name === "search_hotels" && ["NRT", "HND"].includes(String(c.input.city))),
    ).toEqual([]);
  });

  it("'things to do there' is never answered from the cache for a guest with no context", async () => {
    const honolulu = await sessionAbout("44", "from Los Angeles to Honolulu");
    const prompt = "Which sights should I not miss there?";
    const first = await s.invoke(prompt, { actor: "44", session: honolulu });
    expect(first.status).toBe(200);
    const guest = await s.invoke(prompt, { actor: `guest-${randomUUID()}`, session: randomUUID() });
    expect(guest.status).toBe(200);
    expect(guest.body.cache.hit).toBe(false);
    expect(guest.body.response).not.toBe(first.body.response);
    // Nothing to resolve against: not stored either, so asking again still misses.
    const again = await s.invoke(prompt, { actor: `guest-${randomUUID()}`, session: randomUUID() });
    expect(again.body.cache.hit).toBe(false);
  });

  it("the same customer in a new session about another city gets that city's hotels", async () => {
    const tokyo = await sessionAbout("45", "from Seattle to Tokyo");
    const prompt = "And what about hotels there?";
    const first = await s.invoke(prompt, { actor: "45", session: tokyo });
    expect(first.status).toBe(200);
    const hotelsFirst = s.calls.find((c) => c.name === "search_hotels");
    expect(hotelsFirst?.input.city ?? hotelsFirst?.input.destination).toBeDefined();

    const paris = await sessionAbout("45", "from Seattle to Paris");
    const second = await s.invoke(prompt, { actor: "45", session: paris });
    expect(second.status).toBe(200);
    expect(second.body.cache.hit).toBe(false);
    const hotels = s.calls.find((c) => c.name === "search_hotels");
    expect(JSON.stringify(hotels?.input)).toMatch(/Paris|CDG|ORY/i);
    expect(second.body.response).not.toBe(first.body.response);
  });
});
