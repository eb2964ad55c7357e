import { describe, expect, it } from "vitest";
import { cacheDecision, type KeyedRequest, keyForSession } from "../../orchestrator/semantic-cache/cache.js";
import { readCompletely, requestKeys } from "../../orchestrator/semantic-cache/canonical.js";

const NOW = new Date("2026-05-11T09:00:00Z");

const keyed = (text: string, session: Parameters<typeof keyForSession>[2] = {}): KeyedRequest => {
  const k = keyForSession(text, NOW, session);
  if (!k) throw new Error(`not keyed: ${text}`);
  return k;
};

/** The decision at the worst similarity for the check: vectors that are identical. */
const served = (cached: string, asked: string): ReturnType<typeof cacheDecision> =>
  cacheDecision(keyed(asked), keyed(cached), 1, 0.92);

describe("canonical key of a request read completely", () => {
  it("gives two wordings of one request the same key, so the second is an exact hit", () => {
    const a = keyed("Could you list the flights from Seattle to Honolulu on the 14th of June?");
    const b = keyed("seattle to honolulu june 14 flights please");
    expect(a.canonical).toBeDefined();
    expect(a.canonical).toBe(b.canonical);
    expect(cacheDecision(b, a, 0.3, 0.92)).toBe("exact");
  });

  it("is undefined when a word that could carry meaning is left unread", () => {
    expect(readCompletely("flights from Seattle to Honolulu for my honeymoon", NOW)?.unread).toContain(
      "honeymoon",
    );
    const k = keyed("flights from Seattle to Honolulu for my honeymoon");
    expect(requestKeys(k.text, k.entities, NOW).canonical).toBeUndefined();
    expect(k.canonical).toBeUndefined();
  });

  it("never serves a request that differs in one entity, however close the vectors", () => {
    const cases: Array<[string, string]> = [
      ["Seattle to Honolulu flights on June 3", "Seattle to Honolulu flights on June 4"],
      ["flights from Seattle to Honolulu with Delta", "flights from Seattle to Honolulu with United"],
      ["morning flights from Seattle to Honolulu", "evening flights from Seattle to Honolulu"],
      ["one way flights from Seattle to Honolulu", "round trip flights from Seattle to Honolulu"],
      ["flights from Seattle to Honolulu on Delta", "flights from Seattle to Honolulu but not on Delta"],
      [
        "flights from Seattle to Honolulu in July",
        "flights from Seattle to Honolulu excluding Delta in July",
      ],
      ["flights from Seattle to Honolulu", "flights from Honolulu to Seattle"],
    ];
    for (const [cached, asked] of cases) {
      expect({ cached, asked, served: served(cached, asked) }).toEqual({ cached, asked, served: undefined });
      expect({ cached, asked, served: served(asked, cached) }).toEqual({ cached, asked, served: undefined });
    }
  });

  it("never serves a request that refers to the session to another context", () => {
    const inHonolulu = keyed("what hotels are there?", { lastDestination: "HNL" });
    const inParis = keyed("what hotels are there?", { lastDestination: "CDG" });
    expect(inHonolulu.canonical ?? inHonolulu.text).not.toBe(inParis.canonical ?? inParis.text);
    expect(cacheDecision(inParis, inHonolulu, 1, 0.92)).toBeUndefined();
    expect(keyForSession("what hotels are there?", NOW, {})).toBeUndefined();
    const cheapest = "book the cheapest one";
    const one = keyForSession(cheapest, NOW, { results: ['[{"flight_id":"A1"}]'] });
    const other = keyForSession(cheapest, NOW, { results: ['[{"flight_id":"B2"}]'] });
    expect(one && other && cacheDecision(other, one, 1, 0.92)).toBeUndefined();
  });

  it("keys a relative date on the day it means", () => {
    const today = keyed("flights from Seattle to Honolulu tomorrow");
    const later = keyForSession(
      "flights from Seattle to Honolulu tomorrow",
      new Date("2026-05-12T09:00:00Z"),
      {},
    );
    expect(later?.canonical).toBeDefined();
    expect(later?.canonical).not.toBe(today.canonical);
  });
});
