/** The order a place reference is resolved in: the session, then the customer's memory, newest first. */
import { describe, expect, it } from "vitest";
import {
  type MemoryFacts,
  type MemoryRecord,
  needsMemory,
  readRequest,
  resolveRequest,
} from "../../language/index.js";

const NOW = new Date("2026-08-10T12:00:00Z");
const ask = (text: string) => readRequest(text, NOW);
const memory = (...records: MemoryRecord[]): MemoryFacts => ({ records });
const booking = (iata: string, at: string, ref = `BK-${iata}`): MemoryRecord => ({
  kind: "booking",
  ref,
  at,
  iata,
});
const fact = (content: string, at: string, kind: "fact" | "summary" = "fact"): MemoryRecord => ({
  kind,
  ref: `m-${at}`,
  at,
  content,
});

describe("place references: session, then memory", () => {
  const prompt = ask("Could you line up a room for me over there?");

  it("the session's destination beats anything in memory", () => {
    const r = resolveRequest(
      prompt,
      NOW,
      { lastDestination: "DEN" },
      memory(booking("OGG", "2026-08-09T10:00:00Z")),
    );
    expect(r.resolved && r.referents).toEqual([
      { kind: "place", iata: "DEN", city: "Denver", source: "session", via: "state" },
    ]);
    expect(r.resolved && r.text).toMatch(/Denver/);
  });

  it("a session with no place falls back to the newest booking, with where it came from", () => {
    const r = resolveRequest(
      prompt,
      NOW,
      { earlier: ["is my bag allowance two pieces?"] },
      memory(booking("BOS", "2026-07-01T08:00:00Z"), booking("MIA", "2026-08-08T08:00:00Z", "BK-NEW")),
    );
    expect(r.resolved && r.referents[0]).toEqual({
      kind: "place",
      iata: "MIA",
      city: "Miami",
      source: "memory",
      via: "booking",
      ref: "BK-NEW",
      at: "2026-08-08T08:00:00Z",
    });
    expect(r.resolved && r.text).toMatch(/Miami/);
  });

  it("a booking beats remembered facts and summaries, even newer ones", () => {
    const older = fact("Planning a long weekend in Chicago with friends.", "2026-06-01T00:00:00Z");
    const r = resolveRequest(prompt, NOW, {}, memory(older, booking("SFO", "2026-08-01T00:00:00Z")));
    expect(r.resolved && r.referents[0]?.iata).toBe("SFO");
    const newer = fact(
      'opened with "what is the weather in Denver in October"',
      "2026-08-09T00:00:00Z",
      "summary",
    );
    const s = resolveRequest(prompt, NOW, {}, memory(newer, booking("SFO", "2026-08-01T00:00:00Z")));
    expect(s.resolved && s.referents[0]).toMatchObject({ iata: "SFO", via: "booking" });
  });

  it("with no booking, the newest fact or summary that names a place", () => {
    const r = resolveRequest(
      prompt,
      NOW,
      {},
      memory(
        fact("Planning a long weekend in Chicago with friends.", "2026-06-01T00:00:00Z"),
        fact('opened with "what does a trip to Denver cost in October"', "2026-08-09T00:00:00Z", "summary"),
        fact("Vegetarian meals only.", "2026-08-10T00:00:00Z"),
      ),
    );
    expect(r.resolved && r.referents[0]).toMatchObject({ iata: "DEN", source: "memory", via: "summary" });
  });

  it("nothing in the session or memory naming a place: unresolved, so the agents ask", () => {
    const none = resolveRequest(
      prompt,
      NOW,
      {},
      memory(fact("Vegetarian meals only.", "2026-08-01T00:00:00Z")),
    );
    expect(none.resolved).toBe(false);
    expect(resolveRequest(prompt, NOW, {}, undefined).resolved).toBe(false);
    expect(resolveRequest(prompt, NOW, {}, memory()).resolved).toBe(false);
  });

  it("a session that disagrees with itself is not overruled by memory", () => {
    const torn = { lastDestination: "DEN", earlier: ["what's the weather in Paris"] };
    expect(resolveRequest(prompt, NOW, torn, memory(booking("MIA", "2026-08-08T00:00:00Z"))).resolved).toBe(
      false,
    );
  });

  it("memory answers only words that refer: a request that names no place stays with the session", () => {
    const implicit = ask("Any hotels with a pool?");
    expect(needsMemory(implicit, {}, NOW)).toBe(false);
    expect(resolveRequest(implicit, NOW, {}, memory(booking("MIA", "2026-08-08T00:00:00Z"))).resolved).toBe(
      false,
    );
  });

  it("memory is worth a query only when the words refer to a place the session does not name", () => {
    expect(needsMemory(prompt, {}, NOW)).toBe(true);
    expect(needsMemory(prompt, { lastDestination: "DEN" }, NOW)).toBe(false);
    expect(needsMemory(ask("I'll take the second one"), {}, NOW)).toBe(false);
    expect(needsMemory(ask("What's the baggage allowance?"), {}, NOW)).toBe(false);
    expect(needsMemory(ask("Is it nice here in spring?"), {}, NOW)).toBe(false);
  });

  it("is deterministic: the same records in any order give the same referent", () => {
    const records = [
      booking("BOS", "2026-07-01T08:00:00Z"),
      fact("Wants to see Denver.", "2026-08-08T08:00:00Z"),
      booking("MIA", "2026-08-08T08:00:00Z"),
    ];
    const a = resolveRequest(prompt, NOW, {}, memory(...records));
    const b = resolveRequest(prompt, NOW, {}, memory(...[...records].reverse()));
    expect(a).toEqual(b);
    expect(a.resolved && a.referents[0]?.iata).toBe("MIA");
  });
});
