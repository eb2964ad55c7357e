/** How the audit compares a served answer with its recomputation, and how calls are recorded. */
import { describe, expect, it } from "vitest";
import { createLogger } from "../../core/logger.js";
import { CacheAudit, compareAnswers, recordCalls } from "../../orchestrator/semantic-cache/audit.js";

const search = (destination: string, seats: number) => ({
  name: "search_flights",
  input: { origin: "SEA", destination, date: "2027-06-12" },
  result: { status: "success" as const, json: { flights: [{ flight_id: "1", seats_available: seats }] } },
});
const policy = {
  name: "search_knowledge_base",
  input: { query: "pets" },
  result: { status: "success" as const, json: { answer: "Pets in carriers" } },
};

/** A policy search as the knowledge tool answers it: excerpts and scores follow the words asked. */
const knowledge = (query: string, sources: string[], body = "") => ({
  name: "search_knowledge_base",
  input: { query },
  result: {
    status: "success" as const,
    json: {
      results: sources.map((source, i) => ({
        title: source.split("/")[1]!,
        kind: "policy",
        excerpt: `${body}${query.slice(0, 12)} passage ${i}`,
        similarity: 0.8 - i / 10 - query.length / 1000,
        source,
      })),
    },
  },
});

describe("audit comparison", () => {
  it("records inputs canonically: key order does not matter, values do", () => {
    const [a] = recordCalls([{ ...policy, input: { query: "pets", k: 3 } }]);
    const [b] = recordCalls([{ ...policy, input: { k: 3, query: "pets" } }]);
    expect(a).toEqual(b);
    expect(recordCalls([search("HNL", 36)])[0]!.input).not.toBe(recordCalls([search("OGG", 36)])[0]!.input);
  });

  it("matches the same calls in any order with the same results, whatever the wording", () => {
    const served = { response: "Here are the flights", calls: recordCalls([search("HNL", 36), policy]) };
    const fresh = { response: "Flights found:", calls: recordCalls([policy, search("HNL", 36)]) };
    expect(compareAnswers(served, fresh)).toBe("match");
  });

  it("tells other calls (a wrong match) from other results (data changed behind the cache)", () => {
    const served = { response: "x", calls: recordCalls([search("HNL", 36)]) };
    expect(compareAnswers(served, { response: "x", calls: recordCalls([search("OGG", 36)]) })).toBe("calls");
    expect(compareAnswers(served, { response: "x", calls: recordCalls([]) })).toBe("calls");
    expect(compareAnswers(served, { response: "x", calls: recordCalls([search("HNL", 0)]) })).toBe("results");
  });

  it("judges a search in the asker's words by the documents it found, not by the words", () => {
    const docs = ["knowledge_documents/pets-in-cabin", "knowledge_documents/service-animals"];
    const served = { response: "x", calls: recordCalls([knowledge("can my cat fly with me", docs)]) };
    // Other words, the same best document (other runners-up, excerpts and scores): a match.
    const reworded = recordCalls([
      knowledge("travelling with a pet cat in the cabin", [docs[0]!, "knowledge_documents/pets-in-hold"]),
    ]);
    expect(compareAnswers(served, { response: "y", calls: reworded })).toBe("match");
    // Other words whose best document is another: the hit answered another question.
    const other = recordCalls([knowledge("is there wifi on board", ["knowledge_documents/wifi", docs[0]!])]);
    expect(compareAnswers(served, { response: "x", calls: other })).toBe("calls");
    // The same words, a document changed behind the cache: its results differ.
    const changed = recordCalls([knowledge("can my cat fly with me", docs, "Updated: ")]);
    expect(compareAnswers(served, { response: "x", calls: changed })).toBe("results");
  });

  it("compares the answer text when no tool ran on either side", () => {
    expect(compareAnswers({ response: "Hello" }, { response: "Hello", calls: [] })).toBe("match");
    expect(compareAnswers({ response: "Hello" }, { response: "Hi" })).toBe("answer");
  });

  it("starts at most maxPerS audits a second, whatever the rate; the rest are skipped and counted", async () => {
    let recomputed = 0;
    const audit = new CacheAudit({
      rate: 1,
      maxPerS: 2,
      concurrency: 10,
      logger: createLogger({ level: "silent" }),
      recompute: async () => {
        recomputed++;
        return { response: "same" };
      },
    });
    const req = { prompt: "p", sessionId: "s", actorId: "a" };
    for (let i = 0; i < 5; i++) audit.sample(req, { response: "same", kind: "exact" });
    await audit.idle();
    expect(recomputed).toBe(2);
    expect(audit.stats()).toMatchObject({ audited: 2, matched: 2, skipped: 3 });
  });
});
